"""Defect 13: Pages a person manages through a Business Manager (owned by the business, or a
client's) are not on /me/accounts; connecting offers them too, with their Instagram
accounts, once each."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from django.urls import reverse

from connections.models import ConnectedAccount
from tests.connections.consent import _FormParser, callback_path

pytestmark = pytest.mark.django_db


def consent_as(authorize_url: str, user_id: str, drop: tuple[str, ...] = ()) -> str:
    """Allow the authorize page as one chosen emulated user (unticking `drop`); where it
    redirects."""
    page = requests.get(authorize_url, timeout=10)
    form = _FormParser()
    form.feed(page.text)
    data = [(k, v) for k, v in form.fields if k != "user"] + [("user", user_id)]
    data += [("scope", s) for s in form.scopes if s not in drop] + [("decision", "allow")]
    answer = requests.post(
        urljoin(authorize_url, form.action), data=data, allow_redirects=False, timeout=10
    )
    return answer.headers["Location"]


@pytest.fixture
def agency(emulator) -> dict:
    """A person with a Page of their own and a Business Manager holding two more."""
    user = emulator.control(
        "POST", "users", {"platform": "meta", "name": "Bea Agency", "pages": [{"name": "Bea"}]}
    )
    business = emulator.control(
        "POST",
        "meta/businesses",
        {
            "user_id": user["id"],
            "name": "Bea Agency Ltd",
            "owned_pages": [{"name": "Acme Shop", "instagram": {"username": "acme.shop"}}],
            "client_pages": [{"name": "Client Cafe"}],
        },
    )
    return {"user": user, "business": business}


def offered(client, owner, user_id: str, drop: tuple[str, ...] = ()) -> tuple[list[str], str]:
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=["acme", "meta"]))
    back = client.get(callback_path(consent_as(start["Location"], user_id, drop)))
    page = client.get(back["Location"])
    return [o["key"] for o in page.context["options"]], back["Location"]


def test_connect_offers_business_pages_once_each(client, owner, emulator, agency):
    keys, choose_url = offered(client, owner, agency["user"]["id"])
    own = agency["user"]["pages"][0]["id"]
    shop, cafe = (p["id"] for p in agency["business"]["pages"])
    shop_ig = agency["business"]["pages"][0]["instagram"]["id"]
    assert sorted(keys) == sorted(
        [f"facebook:{own}", f"facebook:{shop}", f"instagram:{shop_ig}", f"facebook:{cafe}"]
    )
    # Not on /me/accounts: only the business edges found them.
    paths = [r["path"] for r in emulator.requests("meta")]
    assert any(p.endswith(f"/{agency['business']['id']}/owned_pages") for p in paths)
    assert any(p.endswith(f"/{agency['business']['id']}/client_pages") for p in paths)

    client.post(choose_url, {"accounts": keys})
    shop_account = ConnectedAccount.objects.get(external_id=shop)
    # Its Page token works for the Page.
    answer = requests.get(
        f"{emulator.url}/graph/v25.0/{shop}",
        params={"fields": "name", "access_token": shop_account.access_token},
        timeout=5,
    )
    assert answer.json() == {"name": "Acme Shop"}


def test_without_business_management_the_own_pages_are_still_offered(
    client, owner, emulator, agency
):
    keys, _ = offered(client, owner, agency["user"]["id"], drop=("business_management",))
    assert keys == [f"facebook:{agency['user']['pages'][0]['id']}"]


def test_a_person_without_a_business_gets_their_own_pages(client, owner, emulator):
    keys, _ = offered(client, owner, "10000000000001")  # the seeded user
    assert sorted(keys) == [
        "facebook:20000000000001",
        "facebook:20000000000002",
        "instagram:17841400000000001",
    ]

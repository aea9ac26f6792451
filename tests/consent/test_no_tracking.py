"""Before consent, after a refusal and under GPC, pages set only essential cookies and
render no analytics script; after acceptance the script is there."""

from __future__ import annotations

import pytest
from cookie_consent.models import CookieGroup
from django.urls import reverse

from tests.consent.conftest import cookies_set

USAGE_SCRIPT = "js/usage.js"
GPC = {"Sec-GPC": "1"}


def essential_cookies() -> set[str]:
    group = CookieGroup.objects.get(varname="essential")
    return set(group.cookie_set.values_list("name", flat=True))


def public_pages() -> list[str]:
    return ["/", "/accounts/login/", "/accounts/signup/", "/support/", reverse("cookie_settings")]


def app_pages(member: object) -> list[str]:
    return [
        reverse("profile"),
        reverse("notifications"),
        reverse("workspace_dashboard", args=[member.workspace.slug]),
        reverse("workspace_members", args=[member.workspace.slug]),
        "/support/",
        reverse("cookie_settings"),
    ]


def assert_nothing_optional(client: object, pages: list[str], headers: dict | None = None) -> None:
    allowed = essential_cookies()
    for path in pages:
        response = client.get(path, headers=headers or {})
        assert response.status_code == 200, path
        assert cookies_set(response) <= allowed, (path, cookies_set(response))
        assert USAGE_SCRIPT not in response.content.decode(), path


def test_before_any_choice(client, member, member_client):
    assert_nothing_optional(client, public_pages())
    assert_nothing_optional(member_client, app_pages(member))


def test_after_reject_all(client, member, member_client, choose):
    response = choose(client, "reject_all")
    assert cookies_set(response) <= essential_cookies()
    assert_nothing_optional(client, public_pages())
    choose(member_client, "reject_all")
    assert_nothing_optional(member_client, app_pages(member))


def test_after_accepting_only_functional(client, choose):
    choose(client, "custom", groups=("functional",))
    assert_nothing_optional(client, public_pages())


@pytest.mark.parametrize("choice", ["accept_all", None])
def test_under_gpc(client, member, member_client, choose, choice):
    if choice:
        choose(client, choice)
        choose(member_client, choice)
    assert_nothing_optional(client, public_pages(), headers=GPC)
    assert_nothing_optional(member_client, app_pages(member), headers=GPC)


def test_after_accept_all_the_usage_script_is_rendered(client, member, member_client, choose):
    choose(client, "accept_all")
    choose(member_client, "accept_all")
    for browser, pages in ((client, public_pages()), (member_client, app_pages(member))):
        for path in pages:
            assert USAGE_SCRIPT in browser.get(path).content.decode(), path

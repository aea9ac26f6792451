"""Deleting a post Mixora published on a LinkedIn page: DELETE /rest/posts/{encoded URN}, as an
admin of the page. Deletes are idempotent; a page the member does not administer is refused."""

from __future__ import annotations

import pytest

from connections.errors import Permanent
from connections.platforms.registry import network

pytestmark = pytest.mark.django_db


def page_posts(emulator, org_id: str) -> list[str]:
    posts = emulator.control("GET", f"posts?platform=linkedin&account_id={org_id}")
    return [p["id"] for p in posts]


def earlier_post(emulator, org_id: str, text: str) -> str:
    body = {"network": "linkedin", "account_id": org_id, "text": text}
    return emulator.control("POST", "posts", body)["id"]


def test_a_post_is_deleted_by_its_encoded_urn(page, emulator):
    urn = earlier_post(emulator, page.external_id, "We are hiring")

    assert network("linkedin").delete_published_refusal(page) == ""
    network("linkedin").delete_published(page, urn)

    assert urn not in page_posts(emulator, page.external_id)
    (call,) = emulator.requests("linkedin", "linkedin.posts_delete")
    assert call["headers"]["x-restli-method"] == "DELETE"
    assert call["headers"]["linkedin-version"]


def test_deleting_twice_is_idempotent(page, emulator):
    urn = earlier_post(emulator, page.external_id, "Once")
    network("linkedin").delete_published(page, urn)

    network("linkedin").delete_published(page, urn)

    assert len(emulator.requests("linkedin", "linkedin.posts_delete")) == 2


def test_a_page_the_member_does_not_administer_is_refused(page, emulator):
    other = emulator.control(
        "POST", "users", {"platform": "linkedin", "name": "Olga", "pages": [{"name": "Rival"}]}
    )
    theirs = earlier_post(emulator, other["pages"][0]["id"], "Rival news")

    with pytest.raises(Permanent) as refused:
        network("linkedin").delete_published(page, theirs)

    assert refused.value.status == 403
    assert theirs in page_posts(emulator, other["pages"][0]["id"])


def test_without_the_write_scope_the_deletion_is_not_offered(page):
    page.scopes = [s for s in page.scopes if s != "w_organization_social"]

    assert "allow w_organization_social" in network("linkedin").delete_published_refusal(page)

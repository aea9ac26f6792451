"""Deleting published posts on Meta's networks: a Page post through the Graph API's
DELETE /{page-post-id}; Instagram's media has no delete operation, so Mixora never offers it
and the emulator answers as the Graph does for an unsupported operation."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings

from connections.errors import AuthExpired, Permanent
from connections.platforms.registry import network

pytestmark = pytest.mark.django_db


def on_emulator(emulator, network_name: str, account_id: str) -> list[str]:
    posts = emulator.control("GET", f"posts?platform={network_name}&account_id={account_id}")
    return [p["id"] for p in posts]


def earlier_post(emulator, network_name: str, account_id: str, text: str) -> str:
    body = {"network": network_name, "account_id": account_id, "text": text}
    return emulator.control("POST", "posts", body)["id"]


def test_a_page_post_is_deleted_with_the_page_token(accounts, emulator):
    page = accounts["facebook"]
    post_id = earlier_post(emulator, "facebook", page.external_id, "Spring menu is here")
    facebook = network("facebook")

    assert facebook.delete_published_refusal(page) == ""
    facebook.delete_published(page, post_id)

    assert post_id not in on_emulator(emulator, "facebook", page.external_id)
    (call,) = emulator.requests("meta", "meta.delete_post")
    assert call["method"] == "DELETE"
    assert call["headers"]["authorization"] == f"Bearer {page.access_token}"


def test_a_post_facebook_no_longer_has_is_refused_with_the_graph_error(accounts, emulator):
    page = accounts["facebook"]
    post_id = earlier_post(emulator, "facebook", page.external_id, "Gone soon")
    network("facebook").delete_published(page, post_id)

    with pytest.raises(Permanent) as refused:
        network("facebook").delete_published(page, post_id)

    assert refused.value.message.startswith("Facebook refused: Unsupported delete request.")
    assert refused.value.status == 400


def test_another_pages_post_cannot_be_deleted(accounts, emulator):
    other = emulator.control(
        "POST", "users", {"platform": "meta", "name": "Olga Other", "pages": [{"name": "Theirs"}]}
    )
    theirs = earlier_post(emulator, "facebook", other["pages"][0]["id"], "Not yours")

    with pytest.raises(Permanent, match="Unsupported delete request"):
        network("facebook").delete_published(accounts["facebook"], theirs)

    assert theirs in on_emulator(emulator, "facebook", other["pages"][0]["id"])


def test_a_dead_token_is_an_auth_error(accounts, emulator):
    page = accounts["facebook"]
    post_id = earlier_post(emulator, "facebook", page.external_id, "Still here")
    emulator.fail_next("meta", "meta.delete_post", "auth")

    with pytest.raises(AuthExpired):
        network("facebook").delete_published(page, post_id)

    assert post_id in on_emulator(emulator, "facebook", page.external_id)


def test_a_page_without_pages_manage_posts_is_not_offered_the_deletion(accounts):
    page = accounts["facebook"]
    page.scopes = [s for s in page.scopes if s != "pages_manage_posts"]

    assert "allow pages_manage_posts" in network("facebook").delete_published_refusal(page)


def test_instagram_posts_are_never_offered_for_deletion(accounts):
    refusal = network("instagram").delete_published_refusal(accounts["instagram"])

    assert network("instagram").can_delete_published is False
    assert refusal == (
        "Instagram's API does not let apps delete posts: delete it on Instagram itself."
    )


def test_the_emulator_refuses_deleting_instagram_media_as_the_graph_does(accounts, emulator):
    account = accounts["instagram"]
    media_id = earlier_post(emulator, "instagram", account.external_id, "A caption")
    version = settings.META_GRAPH_VERSION

    response = requests.delete(
        f"{settings.EMULATOR_URL}/graph/{version}/{media_id}",
        headers={"Authorization": f"Bearer {account.access_token}"},
        timeout=10,
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert error["message"].startswith("Unsupported delete request.")
    assert media_id in on_emulator(emulator, "instagram", account.external_id)

"""Deleting a post Mixora published on X: DELETE /2/tweets/:id with the user's token. A post X
no longer has counts as deleted; someone else's post is refused."""

from __future__ import annotations

import pytest

from connections.errors import AuthExpired, Permanent
from connections.platforms.registry import network

pytestmark = pytest.mark.django_db


def x_posts(emulator, user_id: str) -> list[str]:
    return [p["id"] for p in emulator.control("GET", f"posts?platform=x&account_id={user_id}")]


def earlier_post(emulator, user_id: str, text: str) -> str:
    body = {"network": "x", "account_id": user_id, "text": text}
    return emulator.control("POST", "posts", body)["id"]


def test_a_post_is_deleted_with_the_users_token(accounts, emulator):
    account = accounts["x"]
    post_id = earlier_post(emulator, account.external_id, "Launch day!")

    assert network("x").delete_published_refusal(account) == ""
    network("x").delete_published(account, post_id)

    assert post_id not in x_posts(emulator, account.external_id)
    (call,) = emulator.requests("x", "x.delete_tweet")
    assert call["path"] == f"/x-api/2/tweets/{post_id}"
    assert call["headers"]["authorization"] == f"Bearer {account.access_token}"


def test_a_post_x_no_longer_has_counts_as_deleted(accounts, emulator):
    account = accounts["x"]
    post_id = earlier_post(emulator, account.external_id, "Deleted on X already")
    network("x").delete_published(account, post_id)

    network("x").delete_published(account, post_id)  # X answers 404: nothing left to do

    assert len(emulator.requests("x", "x.delete_tweet")) == 2


def test_someone_elses_post_is_refused(accounts, emulator):
    other = emulator.control("POST", "users", {"platform": "x", "name": "Olga", "handle": "olga"})
    theirs = earlier_post(emulator, other["id"], "Mine, not yours")

    with pytest.raises(Permanent) as refused:
        network("x").delete_published(accounts["x"], theirs)

    assert refused.value.status == 403
    assert "not allowed to delete a Tweet that is not yours" in refused.value.message
    assert theirs in x_posts(emulator, other["id"])


def test_a_dead_token_is_an_auth_error(accounts, emulator):
    account = accounts["x"]
    post_id = earlier_post(emulator, account.external_id, "Still here")
    emulator.fail_next("x", "x.delete_tweet", "auth")

    with pytest.raises(AuthExpired):
        network("x").delete_published(account, post_id)

    assert post_id in x_posts(emulator, account.external_id)

"""Deleting a published post: always from Mixora, and from a network too where its API allows
it and the person ticks it. A network that refuses stops everything in Mixora, with its reason;
a copy already deleted on another network is not offered again."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from mixora.errors import UserFacingError
from publishing import deletion, publisher
from publishing.models import Post, PostTarget

S = PostTarget.State


def publish_now(scheduled_post, accounts: list, text: str, media=()) -> Post:
    post = scheduled_post(accounts, text, media)
    publisher.dispatch_due()
    for target in post.targets.all():
        assert publisher.publish_one(target.pk) == "published"
    post.refresh_from_db()
    return post


def on_network(emulator, target: PostTarget) -> bool:
    posts = emulator.control("GET", f"posts?account_id={target.account.external_id}")
    return any(p["id"] == target.platform_post_id for p in posts)


def last_message(messages) -> str:
    """The newest message (connecting the accounts left theirs in the session too)."""
    return [str(m) for m in messages][-1]


def delete_url(post: Post) -> str:
    return reverse("post_delete", args=["acme", post.pk])


def test_the_page_offers_a_box_where_the_network_allows_it_and_says_why_not_elsewhere(
    client, owner, accounts, emulator, upload, scheduled_post
):
    chosen = [accounts["facebook"], accounts["instagram"], accounts["x"]]
    post = publish_now(scheduled_post, chosen, "Out everywhere", [upload("image")])
    client.force_login(owner.user)

    page = client.get(delete_url(post)).content.decode()

    by_platform = {t.account.platform: t for t in post.targets.all()}
    for platform in ("facebook", "x"):
        assert f'name="from_network" value="{by_platform[platform].pk}"' in page
    assert f'value="{by_platform["instagram"].pk}"' not in page
    assert "Instagram&#x27;s API does not let apps delete posts" in page
    assert "it stays on a network unless you tick it" in page


def test_a_published_post_is_deleted_on_the_ticked_networks_and_from_mixora(
    client, owner, accounts, emulator, scheduled_post
):
    post = publish_now(scheduled_post, [accounts["facebook"], accounts["x"]], "Both networks")
    facebook, x = (post.targets.get(account=accounts[name]) for name in ("facebook", "x"))
    client.force_login(owner.user)

    response = client.post(delete_url(post), {"from_network": [x.pk]})

    assert response["Location"].endswith("?tab=published")
    assert last_message(get_messages(response.wsgi_request)) == (
        "Deleted “Both networks”. It was deleted from X: Demo Co too."
    )
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not on_network(emulator, x)
    assert on_network(emulator, facebook)  # not ticked: it stays on Facebook
    event = AuditEvent.objects.get(action=AuditAction.POST_DELETED)
    assert event.details["deleted_on"] == ["X: Demo Co"]


def test_a_network_that_refuses_leaves_everything_in_mixora_with_its_reason(
    client, owner, accounts, emulator, scheduled_post
):
    post = publish_now(scheduled_post, [accounts["x"]], "X says no")
    target = post.targets.get()
    emulator.fail_next("x", "x.delete_tweet", "server")
    client.force_login(owner.user)

    response = client.post(delete_url(post), {"from_network": [target.pk]}, follow=True)

    assert response.redirect_chain[-1][0] == delete_url(post)
    assert last_message(response.context["messages"]) == (
        "X: Demo Co did not delete the post: X had a server error (503). Nothing was deleted "
        "in Mixora."
    )
    assert Post.objects.filter(pk=post.pk).exists()
    target.refresh_from_db()
    assert target.platform_post_id
    assert on_network(emulator, target)
    assert not AuditEvent.objects.filter(action=AuditAction.POST_DELETED).exists()


def test_a_copy_deleted_before_another_network_refused_is_not_offered_again(
    client, owner, accounts, emulator, scheduled_post
):
    post = publish_now(scheduled_post, [accounts["facebook"], accounts["x"]], "Half way")
    facebook, x = (post.targets.get(account=accounts[name]) for name in ("facebook", "x"))
    emulator.fail_next("x", "x.delete_tweet", "validation")
    client.force_login(owner.user)

    response = client.post(delete_url(post), {"from_network": [facebook.pk, x.pk]}, follow=True)

    message = last_message(response.context["messages"])
    assert message.startswith("X: Demo Co did not delete the post: X refused:")
    assert message.endswith(
        "Nothing was deleted in Mixora. It was deleted from Facebook Page: Demo Co Coffee."
    )
    assert not on_network(emulator, facebook)
    facebook.refresh_from_db()
    assert (facebook.platform_post_id, facebook.permalink) == ("", "")
    page = response.content.decode()
    assert f'value="{facebook.pk}"' not in page  # nothing left to delete there
    assert f'value="{x.pk}"' in page

    client.post(delete_url(post), {"from_network": [x.pk]})

    assert not Post.objects.filter(pk=post.pk).exists()
    assert not on_network(emulator, x)


def test_a_network_that_cannot_delete_is_refused_before_any_call(
    owner, accounts, emulator, upload, scheduled_post
):
    post = publish_now(
        scheduled_post, [accounts["instagram"], accounts["x"]], "Insta", [upload("image")]
    )
    instagram, x = (post.targets.get(account=accounts[name]) for name in ("instagram", "x"))

    with pytest.raises(UserFacingError, match="Instagram's API does not let apps delete posts"):
        deletion.delete_post(post, owner, from_networks=[x.pk, instagram.pk])

    assert Post.objects.filter(pk=post.pk).exists()
    assert on_network(emulator, x)
    assert emulator.requests("x", "x.delete_tweet") == []


def test_a_target_that_is_not_a_published_copy_of_this_post_is_refused(
    owner, accounts, emulator, scheduled_post
):
    post = publish_now(scheduled_post, [accounts["x"]], "Mine")
    other = publish_now(scheduled_post, [accounts["facebook"]], "Another post")

    with pytest.raises(UserFacingError, match="no published copy of this post"):
        deletion.delete_post(post, owner, from_networks=[other.targets.get().pk])

    assert Post.objects.filter(pk=post.pk).exists()
    assert emulator.requests("meta", "meta.delete_post") == []


def test_an_account_whose_grant_died_is_held_and_the_person_told(
    client, owner, accounts, emulator, scheduled_post
):
    post = publish_now(scheduled_post, [accounts["facebook"]], "Dead token")
    target = post.targets.get()
    emulator.fail_next("meta", "meta.delete_post", "auth")
    client.force_login(owner.user)

    response = client.post(delete_url(post), {"from_network": [target.pk]}, follow=True)

    message = last_message(response.context["messages"])
    assert "did not delete the post: Facebook no longer accepts this token" in message
    assert Post.objects.filter(pk=post.pk).exists()
    account = ConnectedAccount.objects.get(pk=accounts["facebook"].pk)
    assert account.status == ConnectedAccount.Status.NEEDS_RECONNECT
    page = client.get(delete_url(post)).content.decode()
    assert "Reconnect Facebook Page: Demo Co Coffee to delete it there." in page

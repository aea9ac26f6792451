"""Comments on a LinkedIn page's posts: found by polling (the Comments API), answered from the
inbox as the organisation in the comment's thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from connections.models import ConnectedAccount
from connections.platforms.network import Thread
from connections.platforms.registry import network
from inbox import polling, replies
from inbox.models import Conversation, Message, PollState
from publishing import publisher
from publishing.models import PostTarget

pytestmark = pytest.mark.django_db

MEMBER = {"id": "urn:li:person:zLqTygBP8S", "name": "Sam Member"}


def published(page: ConnectedAccount, scheduled_post, text: str = "We are hiring") -> PostTarget:
    target = scheduled_post([page], text).targets.get()
    PostTarget.objects.filter(pk=target.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    publisher.dispatch_due()
    assert publisher.publish_one(target.pk) == "published"
    target.refresh_from_db()
    return target


def comment(emulator, page: ConnectedAccount, post_urn: str, text: str) -> dict:
    return emulator.control(
        "POST",
        "inbound",
        {
            "platform": "linkedin",
            "kind": "comment",
            "account_id": page.external_id,
            "post_id": post_urn,
            "from": MEMBER,
            "text": text,
        },
    )


def test_a_comment_on_a_page_post_arrives_by_polling(page, emulator, scheduled_post, celery_queue):
    target = published(page, scheduled_post)
    event = comment(emulator, page, target.platform_post_id, "Is this role remote?")

    assert polling.poll(page) == 1

    conversation = Conversation.objects.get()
    assert (conversation.kind, conversation.thread_key) == ("comment", event["id"])
    assert conversation.participant_id == MEMBER["id"]
    assert conversation.external_post_id == target.platform_post_id
    assert conversation.post_target == target
    (message,) = conversation.messages.all()
    assert (message.direction, message.text) == (Message.Direction.INBOUND, "Is this role remote?")
    assert polling.poll(page) == 0  # nothing stored twice


def test_a_reply_goes_into_the_comment_s_thread_and_is_not_stored_again(
    page, owner, emulator, scheduled_post, celery_queue
):
    target = published(page, scheduled_post)
    event = comment(emulator, page, target.platform_post_id, "Where do I apply?")
    polling.poll(page)
    conversation = Conversation.objects.get()

    reply = replies.create_reply(
        conversation, owner.user, "On our site (careers page) #jobs", typed_by_person=True
    )
    assert replies.send(reply.pk) == "sent"

    (sent,) = emulator.control("GET", "replies?platform=linkedin")
    assert sent["in_reply_to"] == event["id"]
    assert sent["actor"] == f"urn:li:organization:{page.external_id}"
    assert sent["text"] == r"On our site \(careers page\) {hashtag|\#|jobs}"
    reply.refresh_from_db()
    assert reply.external_id == sent["id"]
    assert reply.status == Message.Status.SENT

    assert polling.poll(page) == 0  # the nested listing now holds our answer
    assert conversation.messages.count() == 2


def test_an_answer_written_on_linkedin_arrives_as_the_page_s_own(
    page, emulator, scheduled_post, celery_queue
):
    target = published(page, scheduled_post)
    event = comment(emulator, page, target.platform_post_id, "Nice office!")
    polling.poll(page)
    activity = event["id"].removeprefix("urn:li:comment:(").rpartition(",")[0]
    answer = requests.post(
        f"{settings.EMULATOR_URL}/linkedin-api/rest/socialActions/"
        f"{requests.utils.quote(event['id'], safe='')}/comments",
        json={
            "actor": f"urn:li:organization:{page.external_id}",
            "object": activity,
            "parentComment": event["id"],
            "message": {"text": "Thanks!"},
        },
        headers={
            "Authorization": f"Bearer {page.access_token}",
            "LinkedIn-Version": "202611",
            "X-Restli-Protocol-Version": "2.0.0",
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text

    assert polling.poll(page) == 1

    ours = Conversation.objects.get().messages.get(text="Thanks!")
    assert ours.direction == Message.Direction.OUTBOUND
    assert ours.external_id == answer.json()["$URN"]


def test_comments_on_posts_made_outside_mixora_arrive_too(page, emulator):
    """As local mode's "Simulate customers" makes them (inbox/demo.py): an earlier post, and
    the network's demo comment from a plain numeric sender id."""
    post = emulator.control(
        "POST",
        "posts",
        {"network": "linkedin", "account_id": page.external_id, "text": "Old news"},
    )
    linkedin = network("linkedin")
    ((kind, name, text),) = linkedin.demo_script
    emulator.control(
        "POST",
        "inbound",
        {
            "platform": linkedin.demo_inbound,
            "kind": kind,
            "account_id": page.external_id,
            "from": {"id": "100000123456", "name": name},
            "text": text,
            "post_id": post["id"],
        },
    )
    assert polling.poll(page) == 1
    conversation = Conversation.objects.get()
    assert conversation.external_post_id == post["id"]
    assert conversation.participant_id == "urn:li:person:100000123456"
    assert conversation.messages.get().text == text


def test_a_dead_token_stops_polling_and_asks_for_a_reconnect(page, emulator):
    emulator.control("POST", "tokens/expire", {"platform": "linkedin", "token": page.access_token})
    assert polling.poll(page) == 0
    page.refresh_from_db()
    assert page.status == ConnectedAccount.Status.NEEDS_RECONNECT


def test_features_and_reply_rules_follow_the_granted_scopes(page):
    linkedin = network("linkedin")
    (feature,) = linkedin.inbox_features(page)
    assert (feature.kind, feature.receive, feature.reply) == ("comment", True, True)
    thread = Thread("comment", "urn:li:comment:(urn:li:activity:1,2)", MEMBER["id"])
    rule = linkedin.reply_rule(page, thread, timezone.now())
    assert (rule.allowed, rule.max_length) == (True, 1250)

    page.scopes = ["r_organization_social", "rw_organization_admin"]
    (feature,) = linkedin.inbox_features(page)
    assert (feature.receive, feature.reply) == (True, False)
    assert "w_organization_social" in feature.detail
    assert linkedin.reply_rule(page, thread, timezone.now()).allowed is False

    page.scopes = ["w_organization_social"]
    (feature,) = linkedin.inbox_features(page)
    assert (feature.receive, feature.reply) == (False, False)


def test_pages_are_polled_at_most_every_15_minutes(page, emulator, settings):
    assert [a.pk for a in polling.due_accounts()] == [page.pk]  # never polled
    polling.poll(page)
    PollState.objects.filter(account=page).update(
        last_polled_at=timezone.now() - timedelta(minutes=14)
    )
    assert polling.due_accounts() == []
    PollState.objects.filter(account=page).update(
        last_polled_at=timezone.now() - timedelta(minutes=16)
    )
    assert [a.pk for a in polling.due_accounts()] == [page.pk]
    (feature,) = network("linkedin").inbox_features(page)
    assert "every 15 min" in feature.detail

"""Answering on X (defect 12a, 12b): self-serve plans may reply only to posts that mention the
account, and a reply's length is X's weighted length (CJK and emoji count 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import ConnectedAccount
from inbox import replies
from inbox.models import Conversation, Message
from inbox.windows import reply_rule
from mixora.errors import UserFacingError

SCOPES = ["tweet.read", "tweet.write", "users.read", "dm.read", "dm.write"]
REFUSED = (
    "X lets Mixora's plan reply only to posts that mention @acme, and this one does not: "
    "answer it on X."
)


@pytest.fixture
def account(workspace) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="1500000000000000001",
        display_name="Acme",
        handle="@acme",
        scopes=SCOPES,
    )


def thread(account: ConnectedAccount, kind: str, *texts: str) -> Conversation:
    """A conversation whose customer wrote `texts`, oldest first."""
    start = timezone.now() - timedelta(minutes=len(texts))
    convo = Conversation.objects.create(
        workspace=account.workspace,
        account=account,
        kind=kind,
        thread_key="1900000000000000001",
        participant_id="900001",
        participant_name="Ana Lima",
        last_inbound_at=start + timedelta(minutes=len(texts)),
    )
    for n, text in enumerate(texts, 1):
        Message.objects.create(
            conversation=convo,
            account=account,
            direction=Message.Direction.INBOUND,
            external_id=str(1_900_000_000_000_000_000 + n),
            text=text,
            sent_at=start + timedelta(minutes=n),
        )
    return convo


@pytest.mark.parametrize(
    "text", ["@acme do you deliver?", "Thanks @ACME!", "cc @acme", "@someone and @acme"]
)
def test_a_post_that_mentions_the_account_can_be_answered(account, text):
    assert reply_rule(thread(account, "comment", text)).allowed


@pytest.mark.parametrize("text", ["Do you deliver?", "@acmeshop do you deliver?", "me@acme.com"])
def test_a_post_that_does_not_mention_the_account_is_refused_with_the_reason(account, owner, text):
    convo = thread(account, "comment", text)

    rule = reply_rule(convo)

    assert (rule.allowed, rule.reason) == (False, REFUSED)
    with pytest.raises(UserFacingError, match="reply only to posts that mention @acme"):
        replies.create_reply(convo, owner.user, "Yes we do", typed_by_person=True)
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


def test_the_newest_inbound_post_decides(account):
    assert not reply_rule(thread(account, "comment", "@acme hi", "and another thing")).allowed


def test_enterprise_plans_and_direct_messages_are_not_restricted(account, settings):
    assert reply_rule(thread(account, "message", "Do you deliver?")).allowed
    Conversation.objects.all().delete()
    settings.X_API_PLAN = "enterprise"
    assert reply_rule(thread(account, "comment", "Do you deliver?")).allowed


def test_reply_length_is_weighted_as_x_counts_it(account, owner):
    convo = thread(account, "comment", "@acme 你好")
    with pytest.raises(UserFacingError, match=r"at most 280 characters \(this one has 300\)"):
        replies.create_reply(convo, owner.user, "你" * 150, typed_by_person=True)
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()
    replies.create_reply(convo, owner.user, "你" * 140, typed_by_person=True)  # 280: fine

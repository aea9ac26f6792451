"""The inbox in the browser: a customer writes on Facebook and the message appears without a
reload; an editor assigns it to herself and answers; the emulator receives the reply as a
standard response. An Instagram conversation past 24 hours is answered with the human agent
tag, confirmed by the person typing; one past 7 days cannot be answered and says why."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from inbox.models import Conversation, Message
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _customer_writes(emulator, account, name: str, text: str, sender_id: str) -> None:
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": "meta",
            "kind": "message",
            "account_id": account.external_id,
            "from": {"id": sender_id, "name": name},
            "text": text,
        },
    )
    assert event["deliveries"][0]["status"] == 200, event


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_message_arrives_live_is_assigned_and_answered(
    app, new_page, shot, accounts, workspace, subscribed, emulator, start_worker
):
    editor = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Eddie Editor"
    ).user
    start_worker()
    page = new_page()
    log_in(page, app, editor.email)
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    shot(page, "1-empty")

    _customer_writes(
        emulator, accounts["facebook"], "Ana Lima", "Hi! Do you ship to Portugal?", "900001"
    )
    # No reload: the list refreshes itself.
    row = page.locator(".convo", has_text="Do you ship to Portugal?")
    expect(row).to_be_visible(timeout=60_000)
    expect(row).to_contain_text("Ana Lima")
    expect(row).to_have_class("convo convo--unread")
    shot(page, "2-arrived")

    row.click()
    page.get_by_label("Assignee", exact=True).select_option(label="Eddie Editor")
    expect(page.get_by_text("Assigned.")).to_be_visible()
    expect(page.locator(".thread")).to_contain_text("Do you ship to Portugal?")
    expect(page.get_by_text("Standard reply window open until")).to_be_visible()
    page.get_by_label("Reply", exact=True).fill("Yes! Portugal takes 3 working days. 📦")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".bubble--outbound .bubble__status")).to_have_text("Sent", timeout=60_000)
    shot(page, "3-answered")

    sent = emulator.control("GET", "replies?platform=meta")
    assert [(r["text"], r["messaging_type"], r.get("tag")) for r in sent] == [
        ("Yes! Portugal takes 3 working days. 📦", "RESPONSE", None)
    ]
    conversation = Conversation.objects.get(account=accounts["facebook"])
    assert conversation.assignee == editor

    # The customer answers while the page is open: it appears in the thread by itself.
    _customer_writes(emulator, accounts["facebook"], "Ana Lima", "Perfect, thanks!", "900001")
    expect(page.locator(".thread")).to_contain_text("Perfect, thanks!", timeout=60_000)

    phone = new_page(width=390, height=844)
    log_in(phone, app, editor.email)
    phone.goto(page.url)
    expect(phone.locator(".thread")).to_contain_text("Perfect, thanks!")
    shot(phone, "4-phone-conversation")
    phone.get_by_role("link", name="← All").click()
    shot(phone, "5-phone-list")


def test_human_agent_window_and_closed_window(
    app, new_page, shot, accounts, workspace, owner, subscribed, emulator, start_worker
):
    start_worker()
    instagram = accounts["instagram"]
    _customer_writes(emulator, instagram, "Bo Chen", "Is the blue one back in stock?", "900002")
    _wait_for(lambda: Message.objects.filter(text__startswith="Is the blue one").exists())
    conversation = Conversation.objects.get(account=instagram)
    # 30 hours pass, for us and for the platform.
    emulator.control("POST", "clock", {"advance": 30 * 3600})
    Conversation.objects.filter(pk=conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=30)
    )

    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/{workspace.slug}/inbox/c/{conversation.pk}/")
    expect(page.get_by_text("Meta allows only a reply a person types")).to_be_visible()
    page.get_by_label("Reply", exact=True).fill("Yes, it is back since this morning.")
    # Without the confirmation the browser itself refuses (the server would too).
    page.get_by_label("I typed this reply myself").check()
    shot(page, "1-human-agent")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".bubble--outbound .bubble__status")).to_contain_text(
        "human agent tag", timeout=60_000
    )
    sent = emulator.control("GET", "replies?platform=meta")
    assert [(r["messaging_type"], r.get("tag")) for r in sent] == [("MESSAGE_TAG", "HUMAN_AGENT")]

    Conversation.objects.filter(pk=conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    page.reload()
    expect(page.get_by_text("Replies are off here.")).to_be_visible()
    expect(page.get_by_text("More than 7 days since their last message")).to_be_visible()
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
    shot(page, "2-window-closed")

"""A long conversation in the browser: the newest messages show, the earlier ones come a page at
a time above them, and a new message is added at the end without the messages already on the
page being sent or drawn again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connections.models import ConnectedAccount
from inbox.models import Conversation, Message
from inbox.queries import THREAD_WINDOW
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)

TOTAL = THREAD_WINDOW + 12


def test_long_thread_pages_back_and_takes_new_messages_live(app, new_page, shot, owner):
    account = ConnectedAccount.objects.create(
        workspace=owner.workspace, platform="x", external_id="lt-1", display_name="Acme on X"
    )
    start = timezone.now() - timedelta(days=2)
    convo = Conversation.objects.create(
        workspace=owner.workspace,
        account=account,
        kind="message",
        thread_key="lt",
        participant_id="lt",
        participant_name="Rosa Lima",
        last_message_at=start + timedelta(minutes=TOTAL),
        last_inbound_at=start + timedelta(minutes=TOTAL),
    )
    Message.objects.bulk_create(
        Message(
            conversation=convo,
            account=account,
            direction="inbound" if n % 3 else "outbound",
            status="received" if n % 3 else "sent",
            sender_name="Rosa Lima" if n % 3 else "Acme",
            text=f"Message {n:03d} of the thread",
            external_id=f"lt-{n}",
            sent_at=start + timedelta(minutes=n),
        )
        for n in range(TOTAL)
    )
    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/{owner.workspace.slug}/inbox/c/{convo.pk}/")
    decline_cookies(page)
    bubbles = page.locator("#thread .bubble")
    expect(bubbles).to_have_count(THREAD_WINDOW)
    expect(bubbles.first).to_contain_text("Message 012 of the thread")
    expect(bubbles.last).to_contain_text(f"Message {TOTAL - 1:03d} of the thread")
    shot(page, "1-newest")

    page.get_by_role("link", name="Show 12 earlier messages").click()
    expect(bubbles).to_have_count(TOTAL)
    expect(bubbles.first).to_contain_text("Message 000 of the thread")
    expect(page.get_by_text("earlier message")).to_have_count(0)
    assert "all=1" not in page.url  # fetched into the page, not a new page
    shot(page, "2-earlier")

    # Mark what is on the page: a live update that drew the thread again would lose the marks.
    page.evaluate("document.querySelectorAll('#thread .bubble').forEach(b => b.seen = 1)")
    Message.objects.create(
        conversation=convo,
        account=account,
        direction="inbound",
        sender_name="Rosa Lima",
        text="Any news about my order?",
        external_id="lt-new",
    )
    Conversation.objects.filter(pk=convo.pk).update(updated_at=timezone.now())

    expect(bubbles).to_have_count(TOTAL + 1, timeout=15_000)
    expect(bubbles.last).to_contain_text("Any news about my order?")
    kept = page.evaluate(
        "[...document.querySelectorAll('#thread .bubble')].filter(b => b.seen).length"
    )
    assert kept == TOTAL
    page.locator("#thread").evaluate("thread => { thread.scrollTop = thread.scrollHeight; }")
    shot(page, "3-new-message")

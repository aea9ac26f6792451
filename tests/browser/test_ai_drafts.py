"""AI drafts in the browser: a caption streams into the suggestion panel, "Use this" puts it in
the field marked "AI draft", editing or accepting clears the mark, the review page says which
text came from AI; a rewrite per network and a reply suggestion in the inbox; a failure shows
its message and leaves the typed text alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assistant.models import AIGeneration
from connections.models import ConnectedAccount
from inbox.models import Conversation, Message
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.test_exports import decline_cookies
from tests.browser.test_tiktok_composer import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def snap(page, name: str) -> None:
    decline_cookies(page)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"ai-{name}.png"), full_page=True)


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


def draft_with_ai(page, brief: str) -> object:
    page.get_by_label("Brief").fill(brief)
    page.get_by_role("button", name="Draft with AI").click()
    panel = page.locator(".ai-tools [data-ai-panel]")
    expect(panel.get_by_text("Ready", exact=True)).to_be_visible()
    return panel


def test_a_caption_streams_in_is_used_marked_and_shown_on_review(
    app, new_page, owner, workspace, x_account, emulator
):
    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/acme/posts/new/")
    page.locator("#id_text").fill("")

    panel = draft_with_ai(page, "New oat milk latte, launches Friday, 20% off all weekend")
    expect(panel.locator("[data-ai-text]")).to_contain_text("New oat milk latte, launches Friday")
    expect(page.locator("#id_text")).to_have_value("")  # nothing typed changes until "Use this"
    snap(page, "composer-suggestion")

    panel.get_by_role("button", name="Use this").click()
    expect(page.locator("#id_text")).to_have_value(AIGeneration.objects.get().output_text)
    mark = page.locator("label[for=id_text] .ai-mark")
    expect(mark).to_contain_text("AI draft")
    snap(page, "composer-ai-draft-mark")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Text written with AI")).to_be_visible()
    expect(page.get_by_text("AI draft: not yet edited or accepted by a person")).to_be_visible()
    snap(page, "review-ai-draft")

    page.goto(f"{app}/w/acme/posts/{AIGeneration.objects.get().subject.split(':')[1]}/edit/")
    expect(page.locator("label[for=id_text] .ai-mark")).to_contain_text("AI draft")
    page.locator("#id_text").press("End")
    page.locator("#id_text").type(" See you there!")
    expect(page.locator("label[for=id_text] .ai-mark")).to_have_count(0)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("AI draft, edited by a person")).to_be_visible()
    assert AIGeneration.objects.get().status == "edited"


def test_accept_clears_the_mark_and_a_rewrite_fills_the_networks_caption(
    app, new_page, owner, workspace, x_account, emulator
):
    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/acme/posts/new/")
    panel = draft_with_ai(page, "Summer menu launch with lemonade and cold brew")
    panel.get_by_role("button", name="Use this").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("label[for=id_text] .ai-mark")).to_have_text("AI text accepted")

    target = page.locator(".target", has=page.locator(f"input[value='{x_account.pk}']"))
    target.locator("input[name=accounts]").check()
    target.get_by_text("Customise for X").click()
    target.get_by_role("button", name="Rewrite for X").click()
    rewrite = target.locator("[data-ai-panel]")
    expect(rewrite.get_by_text("Ready", exact=True)).to_be_visible()
    snap(page, "composer-rewrite-for-x")
    rewrite.get_by_role("button", name="Use this").click()
    caption = page.locator(f"#caption_{x_account.pk}")
    rewritten = AIGeneration.objects.get(purpose="rewrite").output_text
    assert "lemonade & cold brew" in rewritten  # the shared text, rewritten for X
    expect(caption).to_have_value(rewritten)
    expect(page.locator(f"label[for=caption_{x_account.pk}] .ai-mark")).to_contain_text("AI draft")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("AI text, accepted by a person")).to_be_visible()
    expect(page.get_by_text("Caption for Acme on X")).to_be_visible()
    snap(page, "review-sources")


def test_a_rate_limit_shows_when_to_retry_and_keeps_the_typed_text(
    app, new_page, owner, workspace, emulator
):
    emulator.control("POST", "openai/faults", {"kind": "rate_limit", "retry_after": 17})
    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/acme/posts/new/")
    page.locator("#id_text").fill("My own words")
    page.get_by_label("Brief").fill("Summer menu")
    page.get_by_role("button", name="Draft with AI").click()

    error = page.locator(".ai-tools [data-ai-error]")
    expect(error).to_contain_text("try again in 17 s")
    expect(page.get_by_role("button", name="Use this")).to_be_disabled()
    expect(page.locator("#id_text")).to_have_value("My own words")
    snap(page, "composer-rate-limited")


def test_the_inbox_suggests_a_reply_that_the_person_sends_themselves(
    app, new_page, owner, workspace, emulator
):
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id="page-1",
        display_name="Acme Coffee",
        scopes=["pages_messaging", "pages_manage_engagement"],
    )
    convo = Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind="message",
        thread_key="psid-1",
        participant_id="psid-1",
        participant_name="Ana Lima",
        last_inbound_at=timezone.now() - timedelta(minutes=5),
        preview="Are you open on Sunday?",
    )
    Message.objects.create(
        conversation=convo,
        account=account,
        direction="inbound",
        external_id="m1",
        text="Are you open on Sunday?",
        sent_at=timezone.now() - timedelta(minutes=5),
    )
    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/acme/inbox/c/{convo.pk}/")

    page.get_by_role("button", name="Suggest a reply").click()
    panel = page.locator(".ai-reply [data-ai-panel]")
    expect(panel.get_by_text("Ready", exact=True)).to_be_visible()
    expect(panel.locator("[data-ai-text]")).to_contain_text("Hi Ana, thanks for your message!")
    snap(page, "inbox-suggestion")
    panel.get_by_role("button", name="Use this").click()

    expect(page.locator("#reply-text")).to_have_value(AIGeneration.objects.get().output_text)
    assert not convo.messages.filter(direction="outbound").exists()  # nothing sent by itself
    snap(page, "inbox-suggestion-used")

    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".bubble--outbound")).to_contain_text("Hi Ana")
    assert AIGeneration.objects.get().status == "accepted"  # sent as suggested

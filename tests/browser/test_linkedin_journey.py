"""LinkedIn organisation pages end to end in the browser: an owner connects one of the pages
she administers and sees it receives events; she publishes a post with LinkedIn's reserved
characters and a library image, and LinkedIn shows exactly what she typed; a member
comments, the comment reaches the inbox by webhook, and her reply is posted as the page."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from emulator.linkedin_posts import render
from inbox.models import Conversation, Message
from publishing import publisher
from publishing.models import Post, PostTarget
from publishing.sample_media import image_bytes
from publishing.timezones import to_local
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.publishing_fixtures import make_due

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_CO = "90000001"
# LinkedIn's "little" text reserves ( ) # @ and more: they must reach members as typed.
TEXT = "Hiring (2 roles) #jobs @ Demo — apply by [Friday] *now* <3 ~ _team_ | 100% \\o/"
COMMENT = "Is the second role remote?"
REPLY = "Yes (fully remote) — see #jobs @ Demo!"


def _publish_due(seconds: float = 60) -> None:
    """Celery beat's and the worker's job, done in this process: dispatch what is due, then
    run the publish task's function for every target the dispatcher queued."""
    deadline = time.monotonic() + seconds
    while PostTarget.objects.exclude(state=PostTarget.State.PUBLISHED).exists():
        publisher.dispatch_due()
        for pk in PostTarget.objects.filter(state=PostTarget.State.QUEUED).values_list(
            "pk", flat=True
        ):
            publisher.publish_one(pk)
        assert time.monotonic() < deadline, list(
            PostTarget.objects.values_list("state", "last_error")
        )
        time.sleep(0.5)


def test_linkedin_page_connect_publish_comment_and_reply(
    app, new_page, shot, emulator, celery_queue, process_deliveries, send_queued, tmp_path
):
    call_command("register_webhooks", app)
    workspace = WorkspaceFactory(name="Demo Co", slug="demo-co", timezone="Europe/London")
    owner = MembershipFactory(
        workspace=workspace, role=Role.OWNER, user__full_name="Olive Owner"
    ).user
    photo = tmp_path / "team.jpg"
    photo.write_bytes(image_bytes(size=(1200, 627)))

    page = new_page()
    log_in(page, app, owner.email)
    decline_cookies(page)

    # Connect: one LinkedIn log-in reaches both pages Dana administers; she picks one.
    page.get_by_role("link", name="Connections").click()
    page.get_by_role("button", name="Connect LinkedIn").click()
    shot(page, "1-consent")
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", name="Choose what to connect")).to_be_visible()
    page.get_by_label(re.compile("Demo Co Careers")).uncheck()
    shot(page, "2-choose")
    page.get_by_role("button", name="Connect selected").click()
    rows = page.locator("#account-list li")
    expect(rows).to_have_count(1)
    row = rows.filter(has_text="LinkedIn Page")
    expect(row).to_contain_text("Demo Co")
    expect(row.locator(".account__events")).to_have_text("Receiving events")
    shot(page, "3-connected")
    account = ConnectedAccount.objects.get(workspace=workspace)
    assert (account.platform, account.external_id) == ("linkedin", DEMO_CO)
    listed = emulator.control("GET", "subscriptions?platform=linkedin")
    listed = listed.get("linkedin", listed) if isinstance(listed, dict) else listed
    assert [e["account_id"] for e in listed] == [DEMO_CO]

    # The image goes to the library first, then into the post from there.
    page.get_by_role("link", name="Media").click()
    page.get_by_label("Add files").set_input_files(str(photo))  # uploads at once
    expect(page.locator(".media-card", has_text="team.jpg")).to_be_visible()

    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill(TEXT)
    page.locator(".media-tile", has_text="team.jpg").locator("input").check()
    page.locator(f"input[name=accounts][value='{account.pk}']").check()
    expect(page.locator("#checks")).to_contain_text("Demo Co")
    soon = to_local(timezone.now() + timedelta(minutes=2), workspace.timezone)
    page.get_by_label("When").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    shot(page, "4-compose")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".stage")).to_have_text("Scheduled")
    shot(page, "5-scheduled")

    make_due(Post.objects.get(), timezone.now())  # time passes
    _publish_due()
    page.reload()
    expect(page.locator(".stage")).to_have_text("Published")
    expect(page.locator("#targets .pill--target-published")).to_have_count(1)
    permalink = page.locator("#targets .permalink")
    expect(permalink).to_have_count(1)
    target = PostTarget.objects.get()
    assert target.platform_post_id.startswith("urn:li:share:")
    expect(permalink).to_have_attribute("href", re.compile(re.escape(target.platform_post_id)))
    shot(page, "6-published")

    posts = emulator.control("GET", "posts?platform=linkedin")
    assert len(posts) == 1, posts
    assert posts[0]["text"] == TEXT, posts[0]

    # A member comments on the post; LinkedIn notifies the page's webhook.
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": "linkedin",
            "kind": "comment",
            "account_id": DEMO_CO,
            "post_id": target.platform_post_id,
            "from": {"id": "memberPat0001", "name": "Pat Member"},
            "text": COMMENT,
        },
    )
    assert [d["status"] for d in event["deliveries"]] == [200], event
    assert process_deliveries() == 1
    conversation = Conversation.objects.get(account=account)
    assert conversation.post_target == target

    page.get_by_role("link", name="Inbox").click()
    convo = page.locator(".convo", has_text=COMMENT)
    expect(convo).to_be_visible()
    expect(convo).to_contain_text("LinkedIn member")
    expect(convo).not_to_contain_text("urn:li:person")
    shot(page, "7-inbox")
    convo.click()
    expect(page.locator(".thread")).to_contain_text(COMMENT)
    expect(page.locator(".thread")).to_contain_text("LinkedIn member")
    page.get_by_label("Reply", exact=True).fill(REPLY)
    shot(page, "8-replying")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".bubble--outbound")).to_contain_text(REPLY)
    assert send_queued() == ["sent"]
    expect(page.locator(".bubble--outbound .bubble__status")).to_have_text("Sent", timeout=20_000)
    shot(page, "9-replied")
    assert Message.objects.get(direction=Message.Direction.OUTBOUND).status == "sent"

    replies = emulator.control("GET", "replies?platform=linkedin")
    assert len(replies) == 1, replies
    # Sent as LinkedIn's little text (reserved characters escaped), seen by members as typed.
    assert render(replies[0]["text"]) == REPLY, replies[0]["text"]
    assert replies[0]["actor"] == f"urn:li:organization:{DEMO_CO}"
    # Threads are two levels deep: the reply answers the member's top-level comment.
    comment_urn = Message.objects.get(direction=Message.Direction.INBOUND).external_id
    assert replies[0]["in_reply_to"] == comment_urn

"""The inbox's daily tools in the browser, driven by the keyboard as a busy person would: search
without accents, next and previous, assign to me, reply with a saved reply whose variables are
filled in, labels from the conversation, the shortcut list, Done and Undo (from the open
conversation and from the list), and a comment thread showing the caption its audience saw."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox.models import Conversation, Label, SavedReply
from publishing.models import Post, PostTarget
from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory
from tests.inbox_fixtures import inbound_conversation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox_data(workspace):
    editor = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Eddie Editor"
    ).user
    facebook = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id="20000000000009",
        display_name="Acme Page",
        scopes=["pages_messaging", "pages_manage_engagement"],
    )
    x = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="1500000000000000001",
        display_name="Acme on X",
        scopes=["tweet.read", "tweet.write", "users.read"],
    )
    Label.objects.create(workspace=workspace, name="VIP")
    SavedReply.objects.create(
        workspace=workspace,
        title="Thanks",
        text="Thanks {first_name}! We're on it. — {agent_name}",
        created_by=editor,
    )
    post = Post.objects.create(
        workspace=workspace, author=editor, text="Our autumn menu is here, on every network."
    )
    target = PostTarget.objects.create(
        post=post,
        account=x,
        caption="Autumn menu, X edition: pumpkin latte is back #autumn",
        state=PostTarget.State.PUBLISHED,
        platform_post_id="1790000000000000001",
        permalink="https://x.com/acme/status/1790000000000000001",
        published_at=timezone.now() - timedelta(hours=2),
    )
    return {
        "editor": editor,
        "chloe": inbound_conversation(facebook, "Chloé Martin", "Do you ship to Lyon?", 1),
        "bruno": inbound_conversation(facebook, "Bruno Costa", "Is the shop open Sunday?", 5),
        "carla": inbound_conversation(facebook, "Carla Dias", "Bulk order of 40 bags", 9),
        "comment": inbound_conversation(
            x,
            "Dana Reed",
            "Is it vegan?",
            60,
            kind="comment",
            external_post_id=target.platform_post_id,
            post_target=target,
        ),
    }


def _press(page, key: str) -> None:
    page.keyboard.press(key)


def _at(conversation, done=None) -> re.Pattern:
    """The URL of the conversation's page (with the list's query string, empty here)."""
    query = rf"\?done={done.pk}" if done else r"\??"
    return re.compile(rf"/w/acme/inbox/c/{conversation.pk}/{query}$")


def test_keyboard_done_undo_labels_saved_replies_and_search(app, new_page, shot, inbox_data):
    chloe, bruno, carla = inbox_data["chloe"], inbox_data["bruno"], inbox_data["carla"]
    page = new_page()
    log_in(page, app, inbox_data["editor"].email)
    decline_cookies(page)
    page.goto(f"{app}/w/acme/inbox/")
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()

    # Accent-insensitive search.
    page.get_by_label("Search conversations").fill("chloe")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("a.convo")).to_have_count(1)
    expect(page.locator("a.convo")).to_contain_text("Chloé Martin")
    shot(page, "1-search-without-accents")
    page.goto(f"{app}/w/acme/inbox/")

    # j opens the first conversation, j the next, k goes back.
    _press(page, "j")
    expect(page).to_have_url(_at(chloe))
    _press(page, "j")
    expect(page).to_have_url(_at(bruno))
    _press(page, "k")
    expect(page).to_have_url(_at(chloe))
    expect(page.locator("a.convo.is-active")).to_contain_text("Chloé Martin")

    # a assigns it to me.
    _press(page, "a")
    expect(page.get_by_text("Assigned.")).to_be_visible()
    expect(page.get_by_label("Assignee", exact=True)).to_have_value(str(inbox_data["editor"].pk))

    # r goes to the reply box; "/" there opens the saved replies, filled in for Chloé.
    _press(page, "r")
    reply = page.get_by_label("Reply", exact=True)
    expect(reply).to_be_focused()
    _press(page, "/")
    picker = page.get_by_label("Insert a saved reply")
    expect(picker).to_be_focused()
    picker.select_option(label="Thanks")
    expect(reply).to_have_value("Thanks Chloé! We're on it. — Eddie Editor")
    # Shortcuts are off while typing: j is a letter here.
    reply.press("End")
    reply.type(" j")
    expect(reply).to_have_value("Thanks Chloé! We're on it. — Eddie Editor j")
    expect(page).to_have_url(_at(chloe))
    shot(page, "2-saved-reply-inserted")
    reply.fill("")
    reply.evaluate("box => box.blur()")

    # Labels from the conversation: an existing one and a new one, then one removed.
    page.get_by_text("+ Label").click()
    page.get_by_label("VIP").check()
    page.get_by_label("New label").fill("Shipping")
    page.get_by_role("button", name="Save labels").click()
    expect(page.get_by_text("Labels saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove label Shipping")).to_be_visible()
    page.get_by_role("button", name="Remove label VIP").click()
    expect(page.get_by_role("button", name="Remove label VIP")).to_have_count(0)
    assert [label.name for label in Conversation.objects.get(pk=chloe.pk).labels.all()] == [
        "Shipping"
    ]
    shot(page, "3-labels")

    # ? shows the shortcuts.
    page.locator("body").click(position={"x": 5, "y": 400})
    _press(page, "Shift+?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    shot(page, "4-shortcut-help")
    _press(page, "Escape")
    expect(dialog).to_be_hidden()

    # e marks it done and opens the next conversation; Undo puts it back.
    _press(page, "e")
    expect(page).to_have_url(_at(bruno, done=chloe))
    expect(page.get_by_role("status").filter(has_text="Marked done")).to_contain_text(
        "Chloé Martin"
    )
    assert Conversation.objects.get(pk=chloe.pk).status == "resolved"
    expect(page.locator("a.convo", has_text="Chloé Martin")).to_have_count(0)
    shot(page, "5-done-next-and-undo")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: back to open.")).to_be_visible()
    expect(page).to_have_url(_at(chloe))
    assert Conversation.objects.get(pk=chloe.pk).status == "open"

    # The Done button of a row in the list, while another conversation is open.
    page.locator("a.convo", has_text="Carla Dias").hover()
    page.get_by_role("button", name="Mark done: Carla Dias").click()
    expect(page).to_have_url(_at(chloe, done=carla))
    expect(page.locator("a.convo", has_text="Carla Dias")).to_have_count(0)
    assert Conversation.objects.get(pk=carla.pk).status == "resolved"

    # The Done button of the open conversation, in one click.
    page.get_by_role("button", name="Done", exact=True).click()
    expect(page).to_have_url(_at(bruno, done=chloe))


def test_comment_thread_shows_the_caption_that_account_published(app, new_page, shot, inbox_data):
    comment = inbox_data["comment"]
    for width, height, name in ((1280, 860, "desktop"), (390, 844, "phone")):
        page = new_page(width=width, height=height)
        log_in(page, app, inbox_data["editor"].email)
        decline_cookies(page)
        page.goto(f"{app}/w/acme/inbox/c/{comment.pk}/")
        post = page.locator(".thread-post")
        expect(post).to_contain_text("Autumn menu, X edition: pumpkin latte is back")
        expect(post).not_to_contain_text("on every network")
        expect(post.get_by_role("link", name="View on X")).to_have_attribute(
            "href", "https://x.com/acme/status/1790000000000000001"
        )
        shot(page, f"1-comment-on-our-post-{name}")
    page.get_by_role("link", name="← All").click()
    shot(page, "2-phone-list")


def test_saved_reply_variables_are_documented_and_checked(app, new_page, shot, inbox_data):
    page = new_page()
    log_in(page, app, inbox_data["editor"].email)
    decline_cookies(page)
    page.goto(f"{app}/w/acme/inbox/settings/")
    expect(page.get_by_text("{first_name}", exact=True)).to_be_visible()
    expect(page.get_by_text("{agent_name}", exact=True)).to_be_visible()
    page.get_by_label("Title").fill("Greeting")
    page.get_by_label("Text").fill("Hello {firstname}!")
    page.get_by_role("button", name="Add saved reply").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Unknown variable {firstname}: use {first_name} or {agent_name}."
    )
    expect(page.get_by_label("Text")).to_have_value("Hello {firstname}!")
    assert not SavedReply.objects.filter(title="Greeting").exists()
    shot(page, "1-unknown-variable")
    page.get_by_label("Text").fill("Hello {first_name}!")
    page.get_by_role("button", name="Add saved reply").click()
    expect(page.get_by_text("Saved reply “Greeting” added.")).to_be_visible()
    page.get_by_role("link", name="Edit the saved reply Thanks").click()
    expect(page.get_by_role("heading", name="Edit “Thanks”")).to_be_visible()
    page.get_by_label("Text").fill("Thanks {first_name}, {agent_name} here.")
    shot(page, "2-edit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved reply “Thanks” updated.")).to_be_visible()
    assert SavedReply.objects.get(title="Thanks").text == "Thanks {first_name}, {agent_name} here."

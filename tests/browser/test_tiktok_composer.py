"""The composer's TikTok block, as TikTok's content sharing guidelines require it: the
creator's nickname and longest video from creator_info, only the audiences the creator offers
with none chosen in advance, interactions off until turned on and greyed out with a note where
the creator disabled them. The choices survive a draft and come back when it is reopened; a
post without an audience is held back with TikTok's problem and nothing typed is lost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publishing.models import Post
from publishing.timezones import to_local
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD
from tests.publishing_fixtures import SEEDED

pytestmark = pytest.mark.django_db(transaction=True)

OPEN_ID = SEEDED["tiktok"][0]
# A private account: Followers instead of Everyone, Duet and Stitch turned off, 3 minutes.
PRIVATE_CREATOR = {
    "user_id": OPEN_ID,
    "privacy_level_options": ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
    "duet_disabled": True,
    "stitch_disabled": True,
    "max_video_post_duration_sec": 180,
}
TURNED_OFF = "Turned off in this TikTok account's settings"


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    decline_cookies(page)


def open_tiktok_block(page, account) -> object:
    """Tick the TikTok account and open its "Customise for TikTok" block."""
    target = page.locator(
        ".target", has=page.locator(f"input[name=accounts][value='{account.pk}']")
    )
    target.locator(f"input[name=accounts][value='{account.pk}']").check()
    details = target.locator("details.target__more")
    if details.get_attribute("open") is None:
        target.get_by_text("Customise for TikTok").click()
    expect(target.get_by_label("Who can watch")).to_be_visible()
    return target


def test_tiktok_block_shows_the_creator_settings_and_keeps_the_choices(
    app, new_page, shot, accounts, owner, upload, emulator
):
    emulator.control("POST", "tiktok/creator", PRIVATE_CREATOR)
    tiktok = accounts["tiktok"]
    upload("video", name="teaser.mp4", duration=12)

    page = new_page()
    log_in(page, app, owner.user.email)
    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill("Behind the bar at 6am ☕ #coffee")
    block = open_tiktok_block(page, tiktok)

    # What creator_info says, shown before anything is chosen.
    expect(block).to_contain_text("Posting to TikTok as Demo Co")
    expect(block).to_contain_text("Videos up to 3 minutes")
    audience = block.get_by_label("Who can watch")
    expect(audience).to_have_value("")
    expect(audience.locator("option")).to_have_text(["Choose…", "Followers", "Friends", "Only me"])
    expect(audience.locator("option", has_text="Everyone")).to_have_count(0)
    comments = block.get_by_label("Allow comments")
    duet = block.get_by_label("Allow Duet")
    stitch = block.get_by_label("Allow Stitch")
    expect(comments).to_be_enabled()
    expect(comments).not_to_be_checked()
    for disabled in (duet, stitch):
        expect(disabled).to_be_disabled()
        expect(disabled).not_to_be_checked()
        expect(disabled).to_have_accessible_description(TURNED_OFF)
    expect(comments).not_to_have_accessible_description(TURNED_OFF)
    expect(block.get_by_text(TURNED_OFF)).to_have_count(2)
    expect(page.locator("#checks")).to_contain_text("Choose who can see this TikTok.")
    shot(page, "1-tiktok-block")

    # Choose an audience, allow comments, pick the video from the library; keep a draft.
    audience.select_option(label="Followers")
    comments.check()
    page.locator(".media-tile", has_text="teaser.mp4").locator("input").check()
    expect(page.locator("#checks")).not_to_contain_text("Choose who can see this TikTok.")
    expect(page.locator("#checks")).not_to_contain_text("TikTok needs exactly one video.")
    shot(page, "2-tiktok-chosen")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    post = Post.objects.get()
    options = post.targets.get(account=tiktok).options
    assert options["privacy_level"] == "FOLLOWER_OF_CREATOR"
    assert (options["allow_comment"], options["allow_duet"], options["allow_stitch"]) == (
        True,
        False,
        False,
    )
    assert [m.name for m in post.media.all()] == ["teaser.mp4"]

    # Reopened, the block shows the same choices.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/posts/{post.pk}/edit/$"))
    block = open_tiktok_block(page, tiktok)
    expect(block.get_by_label("Who can watch")).to_have_value("FOLLOWER_OF_CREATOR")
    expect(block.get_by_label("Allow comments")).to_be_checked()
    expect(block.get_by_label("Allow Duet")).to_be_disabled()
    expect(block.get_by_label("Allow Stitch")).not_to_be_checked()
    expect(page.locator(".media-tile", has_text="teaser.mp4").locator("input")).to_be_checked()
    expect(page.get_by_label("What do you want to share?")).to_have_value(
        "Behind the bar at 6am ☕ #coffee"
    )
    shot(page, "3-reopened")


def test_scheduling_without_an_audience_shows_the_tiktok_problem(
    app, new_page, shot, accounts, owner, workspace, upload, emulator
):
    emulator.control("POST", "tiktok/creator", PRIVATE_CREATOR)
    tiktok = accounts["tiktok"]
    upload("video", name="teaser.mp4")

    page = new_page()
    log_in(page, app, owner.user.email)
    page.get_by_role("link", name="+ New post").click()
    page.get_by_label("What do you want to share?").fill("Latte art, slowly")
    block = open_tiktok_block(page, tiktok)
    block.get_by_label("Allow comments").check()
    block.get_by_label(re.compile("^Caption")).fill("Latte art for TikTok")
    page.locator(".media-tile", has_text="teaser.mp4").locator("input").check()
    soon = to_local(timezone.now() + timedelta(hours=2), workspace.timezone)
    page.get_by_label("When").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()

    expect(page.locator(".alert--error")).to_contain_text("Choose who can see this TikTok.")
    expect(page.get_by_label("What do you want to share?")).to_have_value("Latte art, slowly")
    expect(page.locator(f"input[name=accounts][value='{tiktok.pk}']")).to_be_checked()
    block = open_tiktok_block(page, tiktok)
    expect(block.get_by_label("Who can watch")).to_have_value("")
    expect(block.get_by_label("Allow comments")).to_be_checked()
    expect(block.get_by_label(re.compile("^Caption"))).to_have_value("Latte art for TikTok")
    expect(page.locator(".media-tile", has_text="teaser.mp4").locator("input")).to_be_checked()
    shot(page, "1-needs-audience")
    assert not Post.objects.filter(targets__state="scheduled").exists()


def test_when_tiktok_cannot_be_asked_the_block_says_so_and_offers_every_audience(
    app, new_page, shot, accounts, owner, emulator
):
    tiktok = accounts["tiktok"]
    emulator.fail_next("tiktok", "tiktok.creator_info", "server", count=5)

    page = new_page()
    log_in(page, app, owner.user.email)
    page.get_by_role("link", name="+ New post").click()
    block = open_tiktok_block(page, tiktok)
    expect(block.get_by_role("alert")).to_contain_text("Could not load the TikTok settings")
    expect(block.get_by_label("Who can watch").locator("option")).to_have_text(
        ["Choose…", "Everyone", "Friends", "Followers", "Only me"]
    )
    for label in ("Allow comments", "Allow Duet", "Allow Stitch"):
        expect(block.get_by_label(label)).to_be_enabled()
        expect(block.get_by_label(label)).not_to_be_checked()
    shot(page, "1-fallback")

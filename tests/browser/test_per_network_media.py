"""One post, different media per network, in the browser: an image shared by X and Instagram,
a video only for YouTube ("Use different media here"). Each preview looks like its network's
post with that account's own text and media; scheduled and published through the emulator,
each network receives its own files, and the post page lists them per account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connections.models import ConnectedAccount
from publishing import publisher
from publishing.models import Post, PostTarget
from publishing.timezones import to_local
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD
from tests.publishing_fixtures import make_due

pytestmark = pytest.mark.django_db(transaction=True)

S = PostTarget.State
PHONE = (390, 844)


def log_in(page, app: str, email: str) -> None:
    page.goto(f"{app}/accounts/login/")
    decline_cookies(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in|Sign in")).click()
    expect(page.locator("main")).to_be_visible()


def target_block(page, account):
    pick = page.locator(f"input[name=accounts][value='{account.pk}']")
    block = page.locator(".target", has=pick)
    pick.check()
    return block


def landed(emulator, platform: str, account) -> dict:
    [found] = [
        p
        for p in emulator.control("GET", f"posts?platform={platform}")
        if p["account_id"] == account.external_id
    ]
    return found


def test_an_image_for_x_and_instagram_and_a_video_for_youtube(
    app, new_page, shot, accounts, owner, workspace, upload, emulator, celery_queue
):
    upload("image", name="menu.jpg")
    upload("video", name="tour.mp4")
    x, ig, yt = accounts["x"], accounts["instagram"], accounts["youtube"]
    caption = (
        "Our spring menu is here: cardamom buns, rhubarb tarts and a new single-origin "
        "espresso from Huila. Come by this weekend and taste all three #coffee #spring"
    )

    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    page.get_by_label("What do you want to share?").fill(caption)
    page.locator(".media-tile", has_text="menu.jpg").locator("input").check()
    for account in (x, ig):
        target_block(page, account)
    youtube = target_block(page, yt)
    if youtube.locator("details.target__more").get_attribute("open") is None:
        youtube.get_by_text("Customise for YouTube").click()
    youtube.get_by_label("Video title").fill("Spring menu tour")
    own = youtube.get_by_label("Use different media here")
    picker = youtube.locator(".target-media__picker")
    expect(picker).to_be_hidden()  # only once ticked
    own.check()
    expect(picker).to_be_visible()
    picker.locator(".own-tile", has_text="tour.mp4").locator("input").check()

    checks = page.locator("#checks")
    on_x = checks.locator(".pv--x")
    on_ig = checks.locator(".pv--instagram")
    on_yt = checks.locator(".pv--youtube")
    expect(on_yt.get_by_role("img", name="Video: tour.mp4")).to_be_visible()
    expect(on_yt).to_contain_text("Spring menu tour")
    expect(on_x.get_by_role("img", name="menu.jpg")).to_be_visible()
    expect(on_x).to_contain_text("@democo")
    expect(on_ig.get_by_role("img", name="menu.jpg")).to_be_visible()
    expect(on_ig.locator(".pv__fold")).to_have_text("… more")  # past Instagram's ~125
    expect(on_x.locator(".pv__fold")).to_have_count(0)
    expect(checks.locator(".check[data-platform=youtube]")).to_contain_text("Ready for YouTube")
    expect(checks.locator(".check[data-platform=youtube]")).to_contain_text(
        "Own media for this account"
    )
    page.locator("#checks-panel").scroll_into_view_if_needed()
    shot(page, "1-composer-desktop")
    page.locator("#checks-panel").screenshot(path=SCREENSHOT_DIR / "per-network-previews.png")

    # On a phone: the same previews, one tap away where the composer folds them into a sheet.
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    toggle = page.get_by_role("button", name="Preview")
    if toggle.count() and toggle.first.is_visible():
        toggle.first.click()
    on_yt.scroll_into_view_if_needed()
    expect(on_yt).to_be_visible()
    page.screenshot(path=SCREENSHOT_DIR / "per-network-phone-youtube.png")
    on_x.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT_DIR / "per-network-phone-x.png")
    on_ig.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT_DIR / "per-network-phone-instagram.png")
    shot(page, "2-composer-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    if page.locator(".checks-panel__close").is_visible():
        page.locator(".checks-panel__close").click()

    soon = to_local(timezone.now() + timedelta(hours=1), workspace.timezone)
    page.get_by_label("When").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("Scheduled.")).to_be_visible()

    post = Post.objects.get()
    media_of = {
        t.account.platform: [a.media.name for a in t.attachments]
        for t in post.targets.select_related("account")
    }
    assert media_of == {"x": ["menu.jpg"], "instagram": ["menu.jpg"], "youtube": ["tour.mp4"]}

    # Time passes; the publisher sends each network its own media.
    make_due(post, timezone.now() - timedelta(seconds=1))
    publisher.dispatch_due()
    done = [publisher.publish_one(t.pk) for t in PostTarget.objects.filter(state=S.QUEUED)]
    assert done == ["published"] * 3
    assert [m["content_type"] for m in landed(emulator, "x", x)["media"]] == ["image/jpeg"]
    assert [m["content_type"] for m in landed(emulator, "meta", ig)["media"]] == ["image/jpeg"]
    assert [m["content_type"] for m in landed(emulator, "google", yt)["media"]] == ["video/mp4"]

    page.reload()
    row = page.locator(".target-row", has_text=yt.display_name)
    expect(row).to_contain_text("own media")
    expect(row.get_by_role("img", name="Video: tour.mp4")).to_be_visible()
    expect(page.get_by_text("Shared media, for the accounts without their own:")).to_be_visible()
    shot(page, "4-post-page")


def test_facebook_linkedin_and_tiktok_previews_fold_and_frame_as_their_feeds_do(
    app, new_page, shot, owner, workspace, upload
):
    upload("image", name="menu.jpg")
    made = [
        ConnectedAccount.objects.create(
            workspace=workspace,
            platform=platform,
            external_id=f"{platform}-1",
            display_name=name,
            handle=handle,
        )
        for platform, name, handle in (
            ("facebook", "Acme Coffee", ""),
            ("linkedin", "Acme Coffee Ltd", "acme-coffee"),
            ("tiktok", "Acme", "@acme"),
        )
    ]
    text = "Fresh today: " + "cardamom buns and rhubarb tarts, baked at six. " * 12

    page = new_page()
    log_in(page, app, owner.user.email)
    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    page.get_by_label("What do you want to share?").fill(text)
    page.locator(".media-tile", has_text="menu.jpg").locator("input").check()
    for account in made:
        target_block(page, account)

    checks = page.locator("#checks")
    expect(checks.locator(".pv--facebook .pv__fold")).to_have_text("… See more")
    expect(checks.locator(".pv--linkedin .pv__fold")).to_have_text("… see more")
    expect(checks.locator(".pv--linkedin .pv__text")).not_to_contain_text("baked at six. " * 4)
    expect(checks.locator(".pv--facebook").get_by_role("img", name="menu.jpg")).to_be_visible()
    tiktok = checks.locator(".check[data-platform=tiktok]")
    expect(tiktok.locator(".pv--tiktok")).to_contain_text("@acme")
    expect(tiktok.locator(".check__problems")).to_be_visible()  # an image is not a TikTok
    page.locator("#checks-panel").screenshot(path=SCREENSHOT_DIR / "per-network-fb-li-tt.png")
    shot(page, "composer")

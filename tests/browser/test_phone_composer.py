"""The composer and the main pages on a 390 px phone: nothing wider than the screen, and the
character counters stay in sight while typing, with the previews one tap away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)
# What sticks out past the right edge, to name the culprit when the page is too wide.
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  return [document.documentElement.scrollWidth, width,
    [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .slice(0, 5).map((el) => el.tagName + "." + el.className)];
}"""


def assert_fits(page, what: str) -> None:
    scroll_width, width, culprits = page.evaluate(WIDER_THAN_SCREEN)
    assert scroll_width <= width, f"{what}: {scroll_width}px in a {width}px screen: {culprits}"


def assert_in_viewport(page, locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= 0, f"{what} starts left of the screen: {box}"
    assert box["y"] >= 0, f"{what} starts above the screen: {box}"
    assert box["x"] + box["width"] <= PHONE[0], f"{what} runs off the right: {box}"
    assert box["y"] + box["height"] <= PHONE[1], f"{what} is below the screen: {box}"


@pytest.fixture
def owner_on_phone(app, new_page):
    workspace = WorkspaceFactory(name="Studio", slug="studio", timezone="Europe/London")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    for platform, name in (
        ("x", "Studio on X"),
        ("instagram", "Studio on Instagram"),
        ("linkedin", "Studio Company Page"),
    ):
        ConnectedAccount.objects.create(
            workspace=workspace,
            platform=platform,
            external_id=platform,
            display_name=name,
            handle="@studio",
        )
    page = new_page(*PHONE)
    page.goto(f"{app}/accounts/login/")
    decline_cookies(page)
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In|Sign in|Log in")).click()
    expect(page.locator("main")).to_be_visible()
    return page, workspace


def test_main_pages_fit_a_phone(owner_on_phone, app, shot):
    page, workspace = owner_on_phone
    w = f"{app}/w/{workspace.slug}"
    for path, name in (
        ("/", "home"),
        ("/posts/new/", "composer"),
        ("/posts/", "posts"),
        ("/calendar/", "calendar"),
        ("/inbox/", "inbox"),
        ("/analytics/", "analytics"),
        ("/media/", "media"),
        ("/settings/", "settings"),
    ):
        page.goto(w + path)
        expect(page.locator("main")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_fits(page, name)
    shot(page, "settings")


def test_counters_stay_in_sight_while_typing_and_previews_open_as_a_sheet(
    owner_on_phone, app, shot
):
    page, workspace = owner_on_phone
    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    page.get_by_label(re.compile("Studio on X")).first.check()
    page.get_by_label(re.compile("Studio Company Page")).first.check()
    text = page.get_by_label("What do you want to share?")
    text.click()
    text.press_sequentially("Autumn menu is here, come by for a pumpkin latte", delay=5)
    meter = page.locator("[data-composer-meter]")
    x_count = meter.locator(".composer-meter__count", has=page.locator(".platform-mark--x"))
    expect(x_count).to_have_text(re.compile(r"48/280"))
    expect(meter.locator(".composer-meter__count")).to_have_count(2)
    # Still typing: the text box has focus, and the counters are on screen with it.
    expect(text).to_be_focused()
    assert_in_viewport(page, x_count, "the X counter")
    assert_in_viewport(page, meter.get_by_role("button", name="Preview"), "the Preview button")
    assert_fits(page, "composer while typing")
    shot(page, "1-typing")

    # Past X's limit the count turns red (and says so to a screen reader through its name).
    text.fill("x" * 290)
    expect(x_count).to_have_text(re.compile(r"290/280"))
    expect(x_count).to_have_class(re.compile("is-over"))
    expect(x_count).to_contain_text("Studio on X:")

    preview = meter.get_by_role("button", name="Preview")
    preview.click()
    sheet = page.locator("#checks-panel")
    expect(preview).to_have_attribute("aria-expanded", "true")
    expect(sheet).to_have_css("position", "fixed")
    expect(sheet.locator(".check", has_text="Studio Company Page")).to_be_visible()
    assert_in_viewport(page, sheet.get_by_role("button", name="Close previews"), "Close")
    shot(page, "2-preview-sheet")
    sheet.get_by_role("button", name="Close previews").click()
    expect(sheet).not_to_have_css("position", "fixed")
    expect(preview).to_be_focused()
    # What was typed is all still there.
    expect(text).to_have_value("x" * 290)


def test_desktop_composer_keeps_the_side_panel_and_shows_counters(owner_on_phone, app, shot):
    page, workspace = owner_on_phone
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    page.get_by_label(re.compile("Studio on Instagram")).first.check()
    page.get_by_label("What do you want to share?").fill("Hello")
    meter = page.locator("[data-composer-meter]")
    expect(meter.locator(".composer-meter__count")).to_have_text(re.compile(r"5/2200"))
    # The previews are beside the text already: no sheet button.
    expect(meter.get_by_role("button", name="Preview")).to_be_hidden()
    expect(page.locator("#checks-panel")).to_be_in_viewport()
    shot(page, "desktop")

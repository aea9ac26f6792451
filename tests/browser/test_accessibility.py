"""axe-core in the browser tests: the check that `new_page` runs on every page it loads does
report a violation, and the pages people reach most (as a workspace owner and as a visitor)
have no serious or critical one, at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_exports import decline_cookies
from tests.browser.test_publish_journey import log_in
from tests.workspace_urls import inbox_objects, publishing_objects

pytestmark = pytest.mark.django_db(transaction=True)

# Grey on white (2.3:1), an image without a text alternative, a field without a label and no
# page language: four serious or critical failures axe knows.
INACCESSIBLE = """<!DOCTYPE html><html><head><title>Bad</title></head><body><main>
<h1>Bad page</h1><p style="color:#aaa">Hard to read</p><img src="data:," id="no-alt">
<input type="text" id="no-label"></main></body></html>"""


def _serve(page, url: str, html: str) -> None:
    page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))


def test_the_check_reports_a_page_with_known_violations(new_page, axe):
    page = new_page()
    _serve(page, "http://bad.test/", INACCESSIBLE)
    page.goto("http://bad.test/")

    with pytest.raises(AssertionError) as failure:
        axe.check()
    report = str(failure.value)
    for rule in ("color-contrast", "image-alt", "label", "html-has-lang"):
        assert f"http://bad.test/: [serious] {rule}:" in report or (
            f"http://bad.test/: [critical] {rule}:" in report
        )
    assert "at #no-alt" in report
    assert "at #no-label" in report
    # Reported once: the next check starts clean.
    axe.check()


def test_a_page_left_before_it_loads_does_not_break_the_check(new_page, axe):
    # An image that never arrives keeps the bad page from ever firing `load`.
    stalled = INACCESSIBLE.replace("</main>", '<img src="/stalled.png" alt=""></main>')
    clean = '<!DOCTYPE html><html lang="en"><head><title>Fine</title></head><body><main>'
    clean += "<h1>Fine</h1><p>Easy to read.</p></main></body></html>"
    page = new_page()
    page.route("http://bad.test/stalled.png", lambda route: None)
    _serve(page, "http://bad.test/", stalled)
    _serve(page, "http://good.test/", clean)

    page.goto("http://bad.test/", wait_until="domcontentloaded")
    page.goto("http://good.test/")
    other = new_page()
    other.route("http://bad.test/stalled.png", lambda route: None)
    _serve(other, "http://bad.test/", stalled)
    other.goto("http://bad.test/", wait_until="domcontentloaded")
    other.close()

    # Only the page that loaded was checked; the two left early neither report nor hang.
    axe.wait()
    assert axe.reports == [{"url": "http://good.test/", "violations": []}]
    axe.check()


def _visit(page, axe, url: str, ready: str = "main h1") -> None:
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible()
    expect(page.locator("h1"), f"one h1 on {url}").to_have_count(1)
    axe.wait()
    assert axe.reports, f"axe did not check {url}"
    assert axe.reports[-1]["url"].startswith(url), f"axe did not check {url}"


def test_key_pages_have_no_serious_violations(
    app, new_page, shot, axe, accounts, workspace, owner, upload
):
    upload("image")
    objects = publishing_objects(workspace, accounts["facebook"])
    conversation = inbox_objects(workspace, accounts["facebook"])["conversation"]
    w = f"{app}/w/{workspace.slug}"

    visitor = new_page()
    visitor.goto(app)
    decline_cookies(visitor)
    public = {
        "landing": "/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "privacy-request": "/privacy/requests/new/",
        "legal": "/legal/",
    }
    for name, path in public.items():
        _visit(visitor, axe, f"{app}{path}", "main")
        shot(visitor, f"visitor-{name}")

    pages = {
        "home": f"{w}/",
        "posts": f"{w}/posts/",
        "calendar": f"{w}/calendar/",
        "calendar-week": f"{w}/calendar/?view=week",
        "composer": f"{w}/posts/new/",
        "post": f"{w}/posts/{objects['post'].pk}/",
        "library": f"{w}/media/",
        "slots": f"{w}/posts/slots/",
        "inbox": f"{w}/inbox/",
        "conversation": f"{w}/inbox/c/{conversation.pk}/",
        "analytics": f"{w}/analytics/",
        "connections": f"{w}/connections/",
        "members": f"{w}/members/",
        "settings": f"{w}/settings/",
        "audit": f"{w}/audit/",
        "billing": f"{w}/billing/",
        "privacy": f"{app}/account/privacy/",
        "exports": f"{app}/privacy/exports/",
        "privacy-requests": f"{app}/privacy/requests/",
        "cookies": f"{app}/privacy/cookies/",
        "profile": f"{app}/account/profile/",
        "notifications": f"{app}/notifications/",
        "support": f"{app}/support/",
    }
    desktop = new_page()
    desktop.goto(f"{app}/accounts/login/")
    decline_cookies(desktop)
    log_in(desktop, app, owner.user.email)
    for name, url in pages.items():
        _visit(desktop, axe, url, "main")
        shot(desktop, f"desktop-{name}")

    phone = new_page(390, 844)
    phone.goto(f"{app}/accounts/login/")
    decline_cookies(phone)
    log_in(phone, app, owner.user.email)
    for name in ("home", "composer", "calendar", "inbox", "post"):
        _visit(phone, axe, pages[name], "main")
        shot(phone, f"phone-{name}")

"""Cookie consent in the browser: the banner on a first visit, "Reject all" (nothing of
analytics loads), "Customise" to allow analytics only, and Global Privacy Control (the
header and navigator.globalPrivacyControl) honored and said so, at desktop and phone sizes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from consent.groups import ensure_cookie_groups
from consent.models import ConsentRecord, UsageEvent
from tests.browser.conftest import AxeReports
from tests.browser.test_publish_journey import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.legal.fixtures import defaults  # noqa: F401 - used by name below

pytestmark = pytest.mark.django_db(transaction=True)

GPC_SCRIPT = "Object.defineProperty(navigator, 'globalPrivacyControl', {value: true});"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def cookie_groups() -> None:
    ensure_cookie_groups(apps)  # live-server tests start from a flushed database


@pytest.fixture
def gpc_page(browser: object, axe: AxeReports) -> Iterator[Callable[..., object]]:
    """gpc_page(header=True, script=True, **viewport) -> a page whose browser sends GPC,
    checked by axe like every other page."""
    contexts = []

    def make(header: bool = True, script: bool = True, width: int = 1280, height: int = 860):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            extra_http_headers={"Sec-GPC": "1"} if header else {},
        )
        context.set_default_timeout(15_000)
        axe.watch(context)
        if script:
            context.add_init_script(GPC_SCRIPT)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def usage_loads(page: object) -> list[str]:
    """Every request for the analytics script this page makes, from now on."""
    seen: list[str] = []
    page.on(
        "request", lambda request: seen.append(request.url) if "usage.js" in request.url else None
    )
    return seen


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def banner(page: object) -> object:
    return page.get_by_role("region", name="Cookies on Mixora")


def test_first_visit_and_reject_all(app, new_page, shot):
    page = new_page()
    loads = usage_loads(page)
    page.goto(f"{app}/")
    expect(banner(page)).to_be_visible()
    reject = banner(page).get_by_role("button", name="Reject all")
    accept = banner(page).get_by_role("button", name="Accept all")
    # Refusing is as easy to see and hit as accepting.
    reject_box, accept_box = reject.bounding_box(), accept.bounding_box()
    assert (reject_box["width"], reject_box["height"]) == (
        accept_box["width"],
        accept_box["height"],
    )
    assert reject.evaluate("e => getComputedStyle(e).backgroundColor") == accept.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    shot(page, "1-banner-desktop")

    reject.focus()
    page.keyboard.press("Enter")
    expect(banner(page)).to_have_count(0)
    expect(page.get_by_text("Your cookie choices are saved.")).to_be_visible()
    record = ConsentRecord.objects.get()
    assert (record.method, record.source) == ("reject_all", "banner")
    assert record.answers() == {"functional": False, "analytics": False, "marketing": False}

    page.goto(f"{app}/support/")
    expect(page.get_by_role("heading", name="Contact support")).to_be_visible()
    expect(banner(page)).to_have_count(0)
    assert page.evaluate("typeof window.mixoraUsage") == "undefined"
    assert loads == []
    assert not UsageEvent.objects.exists()

    phone = new_page(**PHONE)
    phone.goto(f"{app}/accounts/login/")
    expect(banner(phone)).to_be_visible()
    box = banner(phone).get_by_role("button", name="Reject all").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    shot(phone, "2-banner-phone")


def test_customise_allows_analytics_only(app, new_page, shot):
    member = MembershipFactory(user__full_name="Cleo Consent")
    page = new_page()
    log_in(page, app, member.user.email)
    expect(page).to_have_url(f"{app}/w/{member.workspace.slug}/")
    expect(banner(page)).to_be_visible()
    customise = banner(page).get_by_text("Customise")
    customise.focus()
    page.keyboard.press("Enter")  # a native <details>: the keyboard opens it
    analytics = banner(page).get_by_label("Analytics")
    expect(analytics).to_be_visible()
    expect(banner(page).get_by_label("Essential")).to_be_disabled()
    analytics.check()
    shot(page, "1-customise")
    banner(page).get_by_role("button", name="Save my choices").click()
    expect(banner(page)).to_have_count(0)
    record = ConsentRecord.objects.get()
    assert (record.method, record.user) == ("custom", member.user)
    assert record.answers() == {"functional": False, "analytics": True, "marketing": False}

    loads = usage_loads(page)
    page.reload()
    page.wait_for_function("typeof window.mixoraUsage === 'object'")
    assert len(loads) == 1
    assert UsageEvent.objects.filter(kind="page_view", name="workspace_dashboard").count() == 1
    page.evaluate("window.mixoraUsage.feature('consent.browser_test')")
    _wait_for(lambda: UsageEvent.objects.filter(name="consent.browser_test").exists())

    page.get_by_role("link", name="Cookie settings").click()
    expect(page.get_by_role("heading", name="Cookie settings", level=1)).to_be_visible()
    expect(page.get_by_label("Allow Analytics")).to_be_checked()
    expect(page.get_by_label("Allow Functional")).not_to_be_checked()
    expect(page.get_by_label("Allow Marketing")).not_to_be_checked()
    expect(
        page.get_by_text("Mixora runs no marketing or advertising cookies today")
    ).to_be_visible()
    shot(page, "2-settings-desktop")

    # Changing one's mind later is as easy: a refusal on the settings page.
    page.get_by_role("button", name="Reject all").click()
    expect(page.get_by_text("Your cookie choices are saved.")).to_be_visible()
    expect(page.get_by_label("Allow Analytics")).not_to_be_checked()
    assert ConsentRecord.objects.latest("id").method == "reject_all"

    phone = new_page(**PHONE)
    phone.goto(f"{app}/privacy/cookies/")
    expect(phone.get_by_role("heading", name="Cookie settings", level=1)).to_be_visible()
    shot(phone, "3-settings-phone")


def test_global_privacy_control_is_honored_and_said(app, gpc_page, shot):
    page = gpc_page()
    loads = usage_loads(page)
    page.goto(f"{app}/")
    expect(banner(page).get_by_text("Opt-out request honored")).to_be_visible()
    expect(banner(page).get_by_label("Analytics")).to_be_disabled()
    expect(banner(page).get_by_label("Analytics")).not_to_be_checked()
    expect(banner(page).get_by_label("Marketing")).to_be_disabled()
    shot(page, "1-gpc-banner-desktop")
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_have_count(0)
    record = ConsentRecord.objects.get()
    assert record.gpc is True
    assert record.answers() == {"functional": True, "analytics": False, "marketing": False}

    page.goto(f"{app}/privacy/cookies/")
    expect(page.get_by_text("Opt-out request honored")).to_be_visible()
    expect(page.get_by_label("Allow Analytics")).to_be_disabled()
    expect(page.get_by_label("Allow Functional")).to_be_checked()
    shot(page, "2-gpc-settings-desktop")
    assert loads == []
    assert page.evaluate("typeof window.mixoraUsage") == "undefined"
    assert not UsageEvent.objects.exists()

    phone = gpc_page(**PHONE)
    phone.goto(f"{app}/")
    expect(banner(phone).get_by_text("Opt-out request honored")).to_be_visible()
    shot(phone, "3-gpc-banner-phone")


def test_a_signal_only_the_page_sees_is_honored_too(app, gpc_page, shot):
    """An extension may set navigator.globalPrivacyControl without the header."""
    page = gpc_page(header=False)
    page.goto(f"{app}/")
    expect(banner(page).get_by_text("Opt-out request honored")).to_be_visible()
    expect(banner(page).get_by_label("Analytics")).to_be_disabled()
    banner(page).get_by_role("button", name="Accept all").click()
    expect(banner(page)).to_have_count(0)
    record = ConsentRecord.objects.get()
    assert record.gpc is True
    assert (record.functional, record.analytics, record.marketing) == (True, False, False)


def test_staff_read_usage_in_aggregate_in_admin(app, new_page, shot):
    today = timezone.now()
    for name, count, device in (("inbox", 6, "desktop"), ("calendar", 3, "mobile")):
        UsageEvent.objects.bulk_create(
            UsageEvent(kind="page_view", name=name, device=device, created_at=today)
            for _ in range(count)
        )
    UsageEvent.objects.create(kind="feature", name="compose.preview", device="tablet")
    staff = UserFactory(email="insights@mixora.test", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_usageevent"))

    page = new_page()
    page.goto(f"{app}/admin/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Usage events").click()
    page.get_by_role("link", name="Summary by day").click()
    day = page.get_by_role("region", name=re.compile(r"10 events"))
    expect(day.get_by_role("table", name="Top pages")).to_contain_text("inbox")
    expect(day.get_by_role("table", name="Top pages").locator("tr").nth(1)).to_contain_text("6")
    expect(day.get_by_role("table", name="Top features")).to_contain_text("compose.preview")
    expect(day.get_by_role("table", name="Devices")).to_contain_text("Mobile")
    shot(page, "1-usage-summary")


@pytest.mark.usefixtures("defaults")
def test_a_choice_is_recorded_under_the_cookie_policy_the_banner_showed(app, new_page, shot):
    from legal import documents
    from legal.models import DocumentVersion

    page = new_page()
    page.goto(f"{app}/")
    expect(banner(page).get_by_role("link", name="Cookie policy")).to_have_attribute(
        "href", "/legal/cookie-policy/v1/"
    )
    shot(page, "1-banner-shows-version-1")
    # The cookie policy changes while the banner is open.
    documents.publish(
        DocumentVersion.objects.create(
            kind="cookie-policy", title="Cookie policy", body="## A new analytics cookie"
        ),
        by=None,
    )
    banner(page).get_by_role("button", name="Accept all").click()
    # Nothing accepted under a policy no longer in force: asked again under the new one.
    expect(page.get_by_text("The cookie policy changed while this page was open")).to_be_visible()
    expect(page.get_by_role("link", name="cookie policy (version 2)")).to_be_visible()
    assert not ConsentRecord.objects.exists()
    shot(page, "2-asked-again")
    page.get_by_role("button", name="Accept all").click()
    expect(page.get_by_text("Your cookie choices are saved.")).to_be_visible()
    record = ConsentRecord.objects.get()
    assert (record.method, record.policy_version) == ("accept_all", "2")
    expect(page.get_by_role("link", name="version 2 of the cookie policy")).to_be_visible()
    shot(page, "3-saved-under-version-2")

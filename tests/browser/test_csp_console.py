"""Chromium under the Content-Security-Policy: the main pages, from the landing page to the
support admin, load with no violation reported (no blocked script, style, image or form), the
htmx parts still work, and support confirms a child's account deletion on its own page."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from accounts.models import User, Workspace
from accounts.roles import Role
from publishing.sample_media import image_bytes
from tests.browser.test_publish_journey import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory
from tests.workspace_urls import inbox_objects

pytestmark = pytest.mark.django_db(transaction=True)

# Collected in the page before any of its own scripts run (init scripts are not subject to
# the page's policy).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ${e.sample}`);
});
"""


class Watch:
    """A page whose CSP violations, from events and the console, are kept."""

    def __init__(self, new_page) -> None:
        self.page = new_page(1280, 900)
        self.page.context.add_init_script(LISTEN)
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda msg: (
                self.console.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )
        self.seen: list[str] = []

    def visit(self, url: str, ready: str | None = None) -> None:
        self.page.goto(url)
        if ready:
            expect(self.page.locator(ready).first).to_be_visible()
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("window.__csp") + self.console
        assert not violations, f"{url}: {violations}"
        self.seen.append(url)


def _with_avatar(user: User) -> User:
    user.avatar.save("me.png", ContentFile(image_bytes("PNG", (64, 64))), save=True)
    return user


def test_main_pages_report_no_policy_violation(
    app, new_page, shot, accounts, workspace, owner, upload
):
    # Content on every page: a library image, an inbox thread, an avatar from the bucket.
    upload("image")
    inbox_objects(workspace, accounts["facebook"])
    person = _with_avatar(owner.user)
    EmailAddress.objects.create(user=person, email="new-address@acme.test", verified=False)
    admin = UserFactory(is_staff=True, is_superuser=True, email="root@mixora.test")

    watch = Watch(new_page)
    watch.visit(f"{app}/", "main")
    watch.visit(f"{app}/accounts/signup/", "form")
    log_in(watch.page, app, person.email)
    expect(watch.page.get_by_role("link", name="Inbox")).to_be_visible()
    w = f"{app}/w/{workspace.slug}"
    watch.visit(f"{w}/", "main")
    expect(watch.page.locator("img.avatar").first).to_be_visible()  # from the S3 host
    assert watch.page.locator("img.avatar").first.evaluate("i => i.naturalWidth") == 64
    watch.visit(f"{w}/posts/new/", "#checks")
    # htmx asks the server for the composer's checks as soon as the page loads.
    expect(watch.page.locator("#checks")).not_to_be_empty()
    watch.visit(f"{w}/calendar/", "main")
    watch.visit(f"{w}/media/", ".media-card img")
    watch.visit(f"{w}/inbox/", "main")
    watch.page.get_by_text("Walker Customer").first.click()
    expect(watch.page.get_by_text("Walker reply")).to_be_visible()
    watch.visit(watch.page.url, "main")
    watch.visit(f"{w}/connections/", "#account-list")
    watch.visit(f"{app}/account/privacy/", "main")
    watch.visit(f"{app}/privacy/cookies/", "main")
    watch.visit(f"{app}/accounts/email/", "main")  # allauth's hidden pending-change form
    watch.visit(f"{app}/account/profile/", "main")

    admin_page = Watch(new_page)
    admin_page.visit(f"{app}/admin/login/", "form")
    admin_page.page.get_by_label("Email").fill(admin.email)
    admin_page.page.get_by_label("Password").fill(PASSWORD)
    admin_page.page.get_by_role("button", name="Log in").click()
    expect(admin_page.page.get_by_text("Support desk")).to_be_visible()
    admin_page.visit(f"{app}/admin/", "#content")
    # The stylesheet that replaced the inline one still gives the admin Mixora's colours.
    header_bg = admin_page.page.locator("#header").evaluate("h => getComputedStyle(h).background")
    assert "rgb(18, 20, 42)" in header_bg
    admin_page.visit(f"{app}/admin/accounts/user/", "#result_list")
    admin_page.visit(f"{app}/admin/accounts/user/{person.pk}/change/", "#user_form")
    shot(admin_page.page, "admin-user")
    assert len(watch.seen) + len(admin_page.seen) == 17


def test_support_confirms_a_child_deletion_on_its_own_page(app, new_page, shot):
    child = UserFactory(email="kid@example.test", full_name="Kid Example")
    MembershipFactory(
        workspace=WorkspaceFactory(name="Kid space", slug="kid-space"), user=child, role=Role.OWNER
    )
    MembershipFactory(
        workspace=WorkspaceFactory(name="Family team", slug="family"), user=child, role=Role.EDITOR
    )
    admin = UserFactory(is_staff=True, is_superuser=True, email="root@mixora.test")

    watch = Watch(new_page)
    page = watch.page
    page.goto(f"{app}/admin/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    watch.visit(f"{app}/admin/accounts/user/?q=kid%40example.test", "#result_list")
    page.locator("#result_list input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("delete_child_accounts")
    page.get_by_role("button", name="Run").click()

    expect(page.get_by_role("heading", name="kid@example.test")).to_be_visible()
    account = page.locator(".child-deletion__account")
    expect(account).to_contain_text("Kid Example")
    expect(account.locator(".child-deletion__list").first).to_contain_text("Kid space")
    expect(account.locator(".child-deletion__list").last).to_contain_text("Family team")
    assert not page.evaluate("window.__csp")
    shot(page, "confirmation")

    # The browser will not send the form unticked; nothing has happened.
    submit = page.get_by_role("button", name="Delete 1 account now")
    submit.click()
    assert page.locator("#id_confirm").evaluate("box => box.validity.valueMissing")
    assert User.objects.filter(pk=child.pk, is_active=True).exists()

    page.get_by_label("I have checked").check()
    submit.click()
    expect(page.get_by_text("Deleted kid@example.test and everything it held.")).to_be_visible()
    assert not User.objects.filter(pk=child.pk).exists()
    assert not Workspace.objects.filter(slug="kid-space").exists()
    assert Workspace.objects.filter(slug="family").exists()
    assert not page.evaluate("window.__csp")
    assert not watch.console

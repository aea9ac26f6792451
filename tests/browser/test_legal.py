"""Policies and notices in the browser: a legal editor publishes a material change in admin,
a member sees the notice, reads the new version and acknowledges it; anyone reads the
policy and its older versions; product news is opt-in and unsubscribes in one click; owners
and admins decide on AI training while viewers read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from consent.groups import ensure_cookie_groups
from legal import marketing, tasks
from legal.groups import LEGAL_EDITORS_GROUP, ensure_legal_editors_group
from legal.models import AITrainingChoice, DocumentVersion, PolicyAcknowledgement
from tests.browser.test_publish_journey import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory
from tests.legal.fixtures import defaults, notices_on  # noqa: F401 - used by name below

pytestmark = pytest.mark.django_db(transaction=True)


def _reject_cookies(page) -> None:
    """Answer the cookie banner (shown on a browser's first visit) so it covers nothing."""
    reject = page.get_by_role("button", name="Reject all")
    if reject.count():
        reject.click()
        expect(reject).to_have_count(0)


@pytest.fixture
def member(db):
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    return MembershipFactory(
        workspace=workspace,
        role=Role.EDITOR,
        user__full_name="Mia Member",
        user__date_joined=timezone.now() - timedelta(days=30),
    ).user


@pytest.mark.usefixtures("notices_on", "defaults")
def test_material_change_published_in_admin_is_noticed_read_and_acknowledged(
    app, new_page, shot, member
):
    """The proposed version 2 of the company's policy waits as a draft; a legal editor reads
    it in admin and publishes it; members are told."""
    ensure_legal_editors_group(apps)  # live-server tests start from a flushed database
    editor = UserFactory(email="legal@mixora.test", is_staff=True, full_name="Lee Legal")
    editor.groups.add(Group.objects.get(name=LEGAL_EDITORS_GROUP))
    draft = DocumentVersion.objects.get(published_at__isnull=True)
    assert (draft.kind, draft.material) == ("privacy-policy", True)

    admin = new_page()
    admin.goto(f"{app}/admin/login/")
    admin.get_by_label("Email address").fill(editor.email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    _reject_cookies(admin)
    admin.get_by_role("link", name="Legal document versions").click()
    admin.get_by_role("link", name="Privacy policy draft").click()
    expect(admin.get_by_label("Material")).to_be_checked()
    expect(admin.locator(".field-preview")).to_contain_text("6) DATA RETENTION")
    shot(admin, "0-admin-proposed-draft")
    admin.get_by_role("link", name="Legal document versions").last.click()
    admin.locator(f'input[name="_selected_action"][value="{draft.pk}"]').check()
    admin.locator('select[name="action"]').select_option("publish_drafts")
    admin.get_by_role("button", name="Run").click()
    expect(
        admin.get_by_text("Published Privacy policy v2. Everyone will be notified.")
    ).to_be_visible()
    shot(admin, "1-admin-published")
    draft.refresh_from_db()
    assert (draft.version, draft.published_by) == (2, editor)

    # Everyone with an account is emailed once (the worker's task, run here so its mail is
    # visible to the test).
    assert tasks.announce_material_change(draft.pk) == 2
    assert tasks.announce_material_change(draft.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, editor.email])

    phone = new_page(width=390, height=844)
    log_in(phone, app, member.email)
    phone.goto(f"{app}/w/acme/")
    _reject_cookies(phone)
    expect(phone.get_by_text("Privacy policy updated")).to_be_visible()
    shot(phone, "2-phone-notice")

    page = new_page()
    log_in(page, app, member.email)
    page.goto(f"{app}/w/acme/")
    _reject_cookies(page)
    notice = page.get_by_role("region", name="Policy updates")
    expect(notice).to_contain_text("we keep proof of your cookie choices for 24 months")
    shot(page, "3-notice")

    notice.get_by_role("link", name="Read the new version").click()
    expect(page).to_have_url(re.compile(r"/legal/privacy-policy/v2/$"))
    expect(page.get_by_role("heading", name="Privacy policy", level=1)).to_be_visible()
    expect(page.get_by_text("This version takes effect on")).to_be_visible()
    expect(page.locator(".legal-table")).to_be_visible()  # the retention table
    expect(page.get_by_text("We keep each record for 24 months")).to_be_visible()
    shot(page, "4-reading")
    page.get_by_role("button", name="I've read it").click()
    expect(page.get_by_text("Thanks. We noted that you read")).to_be_visible()
    assert PolicyAcknowledgement.objects.filter(user=member, version=draft).exists()

    page.goto(f"{app}/w/acme/")
    expect(page.get_by_role("heading", name="Good to see you, Mia Member")).to_be_visible()
    expect(page.get_by_role("region", name="Policy updates")).to_have_count(0)
    shot(page, "5-notice-gone")
    phone.reload()
    expect(phone.get_by_text("Privacy policy updated")).to_have_count(0)


@pytest.mark.usefixtures("defaults")
def test_public_privacy_policy_its_history_and_an_older_version(app, new_page, shot):
    """The company's policy with its own dates; the proposed version 2 once published is
    announced on it; the other documents, subprocessors without placeholders."""
    ensure_cookie_groups(apps)  # the consent app's categories, gone with the flush
    page = new_page()
    page.goto(f"{app}/")
    _reject_cookies(page)
    page.get_by_role("link", name="Privacy policy").click()
    expect(page).to_have_url(f"{app}/legal/privacy-policy/")
    expect(page.get_by_role("heading", name="1) WHO WE ARE")).to_be_visible()
    expect(page.get_by_role("heading", name="6) DATA RETENTION")).to_be_visible()
    expect(page.locator(".legal-meta")).to_contain_text("16 July 2025")
    expect(page.locator(".legal-meta")).to_contain_text("19 August 2025")
    expect(page.get_by_role("navigation", name="On this page")).to_be_visible()
    shot(page, "1-policy")

    from legal import documents

    proposed = DocumentVersion.objects.get(kind="privacy-policy", published_at__isnull=True)
    documents.publish(proposed, by=None)
    page.reload()
    expect(page.get_by_text("A new version takes effect on")).to_be_visible()
    page.get_by_role("link", name="All versions").click()
    expect(page.locator(".legal-history__item")).to_have_count(2)
    shot(page, "2-versions")
    page.get_by_role("link", name="Version 2").click()
    expect(page.get_by_text("This version takes effect on")).to_be_visible()
    expect(page.locator(".legal-table")).to_be_visible()
    shot(page, "3-upcoming-version")

    tabs = page.get_by_role("navigation", name="Legal documents")
    tabs.get_by_role("link", name="Cookie policy").click()
    expect(page.locator(".legal-table")).to_contain_text("sessionid")  # from the banner's list
    shot(page, "4-cookie-policy")
    tabs.get_by_role("link", name="Subprocessors").click()
    expect(page.get_by_role("heading", name="Subprocessors", level=1)).to_be_visible()
    expect(page.locator(".legal-table")).to_contain_text("S3-compatible object storage")
    expect(
        page.get_by_role("heading", name="Platforms you connect are not subprocessors")
    ).to_be_visible()
    expect(page.locator(".legal-body")).not_to_contain_text("[")
    shot(page, "5-subprocessors")

    page.locator(".site-footer").get_by_role("link", name="Notice at collection").click()
    expect(page).to_have_url(f"{app}/legal/notice-at-collection/")
    expect(page.get_by_role("heading", name="How long we keep it")).to_be_visible()
    expect(page.locator(".legal-table").last).to_contain_text("Usage analytics")
    shot(page, "6-notice-at-collection")

    phone = new_page(width=390, height=844)
    phone.goto(f"{app}/legal/privacy-policy/")
    _reject_cookies(phone)
    expect(phone.get_by_role("heading", name="6) DATA RETENTION")).to_be_visible()
    shot(phone, "7-phone-policy")


@pytest.mark.usefixtures("defaults")
def test_the_notice_at_collection_is_linked_where_data_is_collected(app, new_page, shot):
    page = new_page()
    page.goto(f"{app}/accounts/signup/")
    _reject_cookies(page)
    form = page.locator("form", has=page.get_by_label("Full name"))
    expect(form.get_by_role("link", name="Notice at collection")).to_be_visible()
    shot(page, "1-sign-up")
    form.get_by_role("link", name="Notice at collection").click()
    expect(page).to_have_url(f"{app}/legal/notice-at-collection/")

    page.goto(f"{app}/support/")
    form = page.locator("#contact-form")
    expect(form.get_by_role("link", name="Notice at collection")).to_be_visible()
    shot(page, "2-contact")

    phone = new_page(width=390, height=844)
    phone.goto(f"{app}/privacy/requests/new/")
    _reject_cookies(phone)
    form = phone.locator("#privacy-request-form")
    expect(form.get_by_role("link", name="Notice at collection")).to_be_visible()
    shot(phone, "3-privacy-request-phone")


def test_product_news_is_opt_in_and_unsubscribes_in_one_click(app, new_page, shot, member):
    page = new_page()
    log_in(page, app, member.email)
    page.goto(f"{app}/account/email-preferences/")
    _reject_cookies(page)
    box = page.get_by_label("Send me product news and tips")
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("You'll get product news.")).to_be_visible()
    shot(page, "1-opted-in")

    marketing.send_marketing_email(member, "New: calendar colours", "Colour-code your posts.")
    link = re.search(
        r"<(http[^>]+/unsubscribe/[^>]+)>", mail.outbox[-1].extra_headers["List-Unsubscribe"]
    ).group(1)

    outsider = new_page(width=390, height=844)  # not logged in, as from a mail app
    outsider.goto(link)
    _reject_cookies(outsider)
    expect(outsider.get_by_role("heading", name="Unsubscribe from product news?")).to_be_visible()
    assert marketing.is_opted_in(member)  # opening the link changes nothing
    shot(outsider, "2-confirm")
    outsider.get_by_role("button", name="Unsubscribe").click()
    expect(outsider.get_by_role("heading", name="You're unsubscribed")).to_be_visible()
    shot(outsider, "3-done")
    assert not marketing.is_opted_in(member)

    page.reload()
    expect(page.get_by_label("Send me product news and tips")).not_to_be_checked()
    expect(page.locator(".events")).to_contain_text("Unsubscribe page")
    shot(page, "4-history")


def test_ai_training_choice_by_an_admin_read_by_a_viewer(app, new_page, shot, member):
    workspace = member.workspaces.get()
    admin = MembershipFactory(
        workspace=workspace, role=Role.ADMIN, user__full_name="Ada Admin"
    ).user
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER).user

    page = new_page()
    log_in(page, app, admin.email)
    page.goto(f"{app}/w/acme/settings/ai/")
    _reject_cookies(page)
    expect(page.get_by_text("Not allowed", exact=True)).to_be_visible()
    shot(page, "1-default-off")
    page.get_by_label("Allow Mixora to use our content to train AI models").check()
    page.get_by_role("button", name="Save choice").click()
    expect(page.get_by_text("AI training allowed for this workspace.")).to_be_visible()
    expect(page.locator(".events")).to_contain_text("Ada Admin")
    shot(page, "2-allowed")
    choice = AITrainingChoice.objects.get()
    assert (choice.opted_in, choice.changed_by) == (True, admin)

    phone = new_page(width=390, height=844)
    log_in(phone, app, viewer.email)
    phone.goto(f"{app}/w/acme/settings/ai/")
    _reject_cookies(phone)
    expect(phone.get_by_text("Owners and admins make this choice.")).to_be_visible()
    expect(phone.get_by_role("button", name="Save choice")).to_have_count(0)
    shot(phone, "3-viewer-phone")

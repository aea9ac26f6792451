"""Download my data in the browser: ask for an export, a real Celery worker builds it, the
panel turns to "ready" by itself, and the ZIP downloads and opens."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from accounts.roles import Role
from exports.models import DataExport
from publishing import media
from publishing.models import Post
from publishing.sample_media import image_bytes
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def decline_cookies(page) -> None:
    """Answer the cookie banner, when the page shows one, so it covers nothing."""
    reject = page.get_by_role("button", name="Reject all")
    try:
        reject.wait_for(state="visible", timeout=3000)
    except PlaywrightTimeoutError:  # no banner: the consent app has no optional cookies here
        return
    reject.click()


def test_request_build_and_download_an_export(app, new_page, shot, start_worker, tmp_path):
    workspace = WorkspaceFactory(name="Acme Coffee", slug="acme")
    pat = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Pat Person"
    ).user
    photo = media.ingest(workspace, pat, SimpleUploadedFile("latte art.jpg", image_bytes()))
    Post.objects.create(workspace=workspace, author=pat, text="Autumn blend is back ☕")

    page = new_page()
    log_in(page, app, pat.email)
    page.goto(f"{app}/privacy/exports/")
    decline_cookies(page)
    expect(page.get_by_role("heading", name="Download my data")).to_be_visible()
    expect(page.get_by_text("You haven't asked for an export yet.")).to_be_visible()
    shot(page, "1-nothing-yet")

    page.get_by_role("button", name="Request export").click()
    expect(page.get_by_text("We're preparing your export")).to_be_visible()
    expect(page.get_by_text("Preparing your export…")).to_be_visible()
    expect(page.get_by_text(f"We'll email {pat.email} when it's ready")).to_be_visible()
    shot(page, "2-preparing")

    # A worker picks the task up; the panel refreshes itself until the export is ready.
    start_worker()
    expect(page.get_by_text("Your export is ready")).to_be_visible(timeout=60_000)
    export = DataExport.objects.get(user=pat)
    assert export.status == DataExport.Status.READY
    shot(page, "3-ready")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download ZIP").click()
    download = download_info.value
    assert download.suggested_filename == f"mixora-data-{export.ready_at:%Y-%m-%d}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert "README.txt" in names
        profile = json.loads(archive.read("profile.json"))
        assert profile["account"]["email"] == pat.email
        posts = json.loads(archive.read("posts.json"))["posts"]
        assert [p["text"] for p in posts] == ["Autumn blend is back ☕"]
        assert archive.read(f"media/{photo.pk}-latte_art.jpg") == photo.file.open("rb").read()

    page.reload()
    expect(page.locator(".exports-badge--ready")).to_have_text("Ready")
    expect(page.get_by_role("cell", name="1", exact=True)).to_be_visible()  # one download
    shot(page, "4-downloaded")

    phone = new_page(width=390, height=844)
    log_in(phone, app, pat.email)
    phone.goto(f"{app}/privacy/exports/")
    decline_cookies(phone)
    expect(phone.get_by_text("Your export is ready")).to_be_visible()
    # Nothing wider than the phone: the history table scrolls inside its card.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "5-phone")


def test_an_expired_link_says_what_to_do(app, new_page, shot):
    page = new_page()
    page.goto(f"{app}/privacy/exports/not-a-real-link/")
    decline_cookies(page)
    expect(page.get_by_role("heading", name="This download link is not valid.")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a new export")).to_be_visible()
    shot(page, "link-invalid")

"""Customers' pictures in the browser: a customer writes on Messenger, the worker copies their
picture into our storage, and the inbox shows it from Mixora's own URL; the team's browser
never asks the platform for anything."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from inbox.models import Conversation
from tests.browser.test_inbox import _customer_writes
from tests.browser.test_publish_journey import log_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
# The width once the picture has loaded (visible is not loaded: the request may still run).
LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth));
    img.addEventListener("error", () => done(0));
})"""


def _loaded_width(picture) -> int:
    return picture.evaluate(LOADED_WIDTH)


def test_the_inbox_shows_customers_pictures_only_from_our_storage(
    app, new_page, shot, accounts, workspace, subscribed, emulator, start_worker
):
    editor = MembershipFactory(
        workspace=workspace, role=Role.EDITOR, user__full_name="Eddie Editor"
    ).user
    start_worker()
    page = new_page()
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    log_in(page, app, editor.email)
    page.get_by_role("link", name="Inbox").click()

    _customer_writes(emulator, accounts["facebook"], "Ana Lima", "Hello there!", "900001")

    row = page.locator(".convo", has_text="Hello there!")
    expect(row).to_be_visible(timeout=60_000)
    # The list refreshes itself once the worker has copied the picture.
    picture = row.locator("img.avatar")
    expect(picture).to_be_visible(timeout=60_000)
    conversation = Conversation.objects.get()
    expect(picture).to_have_attribute(
        "src",
        f"/w/acme/inbox/c/{conversation.pk}/avatar/?v={conversation.participant_avatar_version}",
    )
    assert _loaded_width(picture) == 48
    row.click()
    header_picture = page.locator(".thread-head img.avatar")
    expect(header_picture).to_be_visible()
    assert _loaded_width(header_picture) == 48
    shot(page, "1-picture-from-our-storage")

    assert conversation.participant_avatar_url.startswith(emulator.url)
    # Nothing the page loaded came from the platform, or from anywhere but Mixora.
    assert not [url for url in loaded if url.startswith(emulator.url)], loaded
    assert all(url.startswith(app) for url in loaded if url.startswith("http")), loaded

"""The composer's "Suggest a time": an editor picks accounts, asks, and the "When" field takes
the next best window of the workspace's own history; an account with too little history says so."""

from __future__ import annotations

import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory
from tests.insights.rated import Rated, add_rated, noisy

pytestmark = pytest.mark.django_db(transaction=True)

TZ = "Europe/London"
SLOTS = [(1, 13), (3, 15), (0, 9), (2, 11), (4, 17), (5, 10)]


def test_editor_gets_a_suggested_time_in_the_composer(app, new_page, shot):
    workspace = WorkspaceFactory(name="Studio", slug="studio", timezone=TZ)
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    instagram = ConnectedAccount.objects.create(
        workspace=workspace, platform="instagram", external_id="1", display_name="studio.ig"
    )
    ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="2", display_name="Studio on X"
    )
    rng = random.Random(1)
    add_rated(
        instagram,
        [
            Rated(wd, h, noisy(rng, 0.04 * (1.8 if (wd, h) in SLOTS[:2] else 1.0)))
            for wd, h in (SLOTS[i % len(SLOTS)] for i in range(60))
        ],
    )
    errors: list[str] = []

    page = new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{app}/accounts/login/")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{app}/w/studio/posts/new/")
    decline_cookies(page)
    page.get_by_label("What do you want to share?").fill("Fresh prints are in the shop.")

    page.get_by_role("button", name="Suggest a time").click()
    expect(page.locator(".suggest-time__result")).to_contain_text("Choose an account")

    page.get_by_label(re.compile("studio.ig")).first.check()
    page.get_by_label(re.compile("Studio on X")).first.check()
    page.get_by_role("button", name="Suggest a time").click()

    result = page.locator(".suggest-time__result")
    expect(result.locator(".suggest-time__item")).to_have_count(2)
    ig = result.locator(".suggest-time__item", has_text="studio.ig")
    expect(ig).to_contain_text("high confidence")
    expect(ig).to_contain_text("Based on 60 posts of this account.")
    x = result.locator(".suggest-time__item", has_text="Studio on X")
    expect(x).to_contain_text("No posts measured yet; suggestions start at 30.")
    when = page.get_by_label("When")
    expect(when).to_have_value(re.compile(r"\d{4}-\d\d-\d\dT(13|15):00"))
    chosen = datetime.fromisoformat(when.input_value()).replace(tzinfo=ZoneInfo(TZ))
    assert (chosen.weekday(), chosen.hour) in SLOTS[:2]
    assert chosen > timezone.now()
    page.locator(".suggest-time").scroll_into_view_if_needed()
    shot(page, "1-suggested")

    # Asking again suggests the window after the one chosen.
    page.get_by_role("button", name="Suggest a time").click()
    expect(when).not_to_have_value(when.input_value())
    later = datetime.fromisoformat(when.input_value()).replace(tzinfo=ZoneInfo(TZ))
    assert later > chosen
    assert (later.weekday(), later.hour) in SLOTS[:2]
    assert errors == []

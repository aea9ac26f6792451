"""The retention page in the browser: once the proposed privacy policy is published, its Data
retention section lists, from the rules the software runs, what Mixora calls scheduled items
and when each goes, and the admin change log with its period."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from legal import documents
from legal.models import DocumentVersion
from retention.rules import RULES
from tests.legal.fixtures import defaults  # noqa: F401 - a fixture, used by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("defaults")]


def test_the_data_retention_section_states_scheduled_items_and_the_admin_log(
    app, new_page, shot, celery_queue
):
    proposed = DocumentVersion.objects.get(
        kind="privacy-policy", published_at__isnull=True, body__contains="[[retention-table]]"
    )
    number = documents.publish(proposed, by=None)  # as a legal editor does in admin
    page = new_page()

    page.goto(f"{app}/legal/privacy-policy/v{number}/#6-data-retention")
    reject = page.get_by_role("button", name="Reject all")
    if reject.count():
        reject.click()

    table = page.locator(".legal-table table")
    expect(table.get_by_role("columnheader", name="What")).to_be_visible()
    for key in ("scheduled-copies", "scheduled-queue", "scheduled-expired", "admin-log"):
        rule = next(r for r in RULES if r.key == key)
        row = table.get_by_role("row").filter(has_text=rule.name)
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell").nth(1)).to_have_text(rule.period)
        expect(row.get_by_role("cell").nth(2)).to_have_text(rule.ends)
    expired = table.get_by_role("row").filter(has_text="Scheduled items that expired")
    expect(expired).to_contain_text("30 days after it expired (37 days after its scheduled time)")
    admin_log = table.get_by_role("row").filter(has_text="Staff change log")
    expect(admin_log).to_contain_text(f"{settings.AUDIT_LOG_RETENTION_DAYS} days")

    table.scroll_into_view_if_needed()
    shot(page, "retention-table")

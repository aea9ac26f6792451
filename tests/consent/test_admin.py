"""Support staff see usage in aggregate in the admin: a per-day summary of top pages,
features and devices. Staff only, and only with the view permission."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRecord, UsageEvent
from consent.summary import usage_summary
from tests.factories import UserFactory

SUMMARY = "/admin/consent/usageevent/summary/"


def events(day: datetime, kind: str, name: str, count: int, device: str = "desktop") -> None:
    UsageEvent.objects.bulk_create(
        UsageEvent(kind=kind, name=name, device=device, created_at=day) for _ in range(count)
    )


def seed() -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    tuesday = datetime(2026, 11, 24, 18, tzinfo=UTC)
    events(monday, "page_view", "inbox", 5)
    events(monday, "page_view", "calendar", 2, device="mobile")
    events(monday, "feature", "compose.preview", 3, device="tablet")
    events(tuesday, "page_view", "post_list", 4)
    for index in range(7):  # more pages than the summary lists
        events(tuesday, "page_view", f"page_{index}", 1)


def staff(*permissions: str) -> Client:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="consent", codename__in=permissions)
    )
    client = Client()
    client.force_login(user)
    return client


def test_summary_per_day(db):
    seed()
    days = usage_summary(30, now=datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert [d.day.isoformat() for d in days] == ["2026-11-24", "2026-11-23"]
    tuesday, monday = days
    assert monday.total == 10
    assert monday.pages == [("inbox", 5), ("calendar", 2)]
    assert monday.features == [("compose.preview", 3)]
    assert monday.devices == [("Desktop", 5), ("Tablet", 3), ("Mobile", 2)]
    assert tuesday.total == 11
    assert tuesday.pages[0] == ("post_list", 4)
    assert len(tuesday.pages) == 5
    # Days outside the period are left out.
    assert usage_summary(1, now=datetime(2026, 11, 25, 12, tzinfo=UTC)) == []


def test_staff_with_the_view_permission_see_the_summary(db):
    seed()
    client = staff("view_usageevent")
    page = client.get(SUMMARY + "?days=90")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Usage summary" in html
    assert "compose.preview" in html
    assert "inbox" in html
    changelist = client.get(reverse("admin:consent_usageevent_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:consent_usageevent_summary") in changelist.content.decode()


def test_others_cannot(db, member_client):
    assert staff().get(SUMMARY).status_code == 403
    assert staff("view_consentrecord").get(SUMMARY).status_code == 403
    response = member_client.get(SUMMARY)  # not staff: the admin's log-in page
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert Client().get(SUMMARY).status_code == 302


def test_records_and_events_are_read_only_in_admin(db):
    client = staff(
        "view_usageevent",
        "add_usageevent",
        "change_usageevent",
        "delete_usageevent",
        "view_consentrecord",
        "add_consentrecord",
        "delete_consentrecord",
    )
    assert client.get(reverse("admin:consent_consentrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:consent_consentrecord_add")).status_code == 403
    assert client.get(reverse("admin:consent_usageevent_add")).status_code == 403
    record = ConsentRecord.objects.create(
        visitor_id="a" * 32,
        method="reject_all",
        source="banner",
        functional=False,
        analytics=False,
        marketing=False,
        cookie_value="analytics=-1",
        policy_version="2025-08-19",
    )
    delete = reverse("admin:consent_consentrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ConsentRecord.objects.filter(pk=record.pk).exists()

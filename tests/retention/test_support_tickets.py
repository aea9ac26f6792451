"""Support tickets hold the writer's name, address and words: resolved ones go 24 months
after they were resolved; open ones stay, however old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retention import engine
from support.models import SupportTicket

pytestmark = pytest.mark.django_db


def _ticket(status: str, age_days: int) -> SupportTicket:
    ticket = SupportTicket.objects.create(
        name="Ana", email="ana@example.test", subject="Hi", message="Help", status=status
    )
    when = timezone.now() - timedelta(days=age_days)
    SupportTicket.objects.filter(pk=ticket.pk).update(updated_at=when)
    return ticket


def test_resolved_tickets_go_after_24_months_open_ones_stay():
    old_resolved = _ticket(SupportTicket.Status.RESOLVED, 731)
    recent_resolved = _ticket(SupportTicket.Status.RESOLVED, 700)
    old_open = _ticket(SupportTicket.Status.OPEN, 900)

    removed = engine.run()

    assert removed["support-tickets"] == 1
    assert set(SupportTicket.objects.values_list("pk", flat=True)) == {
        recent_resolved.pk,
        old_open.pk,
    }
    assert not SupportTicket.objects.filter(pk=old_resolved.pk).exists()

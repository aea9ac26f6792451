"""The local day, weekday and hour of each post, in the workspace's time zone: set at enrolment,
and set again for every post when the workspace moves to another zone (best times are by the
hours the audience lives in, and the overview's days are the workspace's days)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from accounts.models import Workspace

from . import rollups
from .models import DailyRollup, PostInsight


def relocalize(workspace: Workspace) -> int:
    """Recompute the workspace's posts' local times and its roll-ups; how many posts."""
    zone = ZoneInfo(workspace.timezone)
    insights = PostInsight.objects.filter(workspace=workspace)
    with transaction.atomic():
        changed = insights.update(
            local_day=TruncDate("published_at", tzinfo=zone),
            local_weekday=ExtractIsoWeekDay("published_at", tzinfo=zone) - 1,
            local_hour=ExtractHour("published_at", tzinfo=zone),
        )
        DailyRollup.objects.filter(workspace=workspace).delete()
        rollups.refresh(set(insights.values_list("account_id", "local_day").distinct()))
    return changed

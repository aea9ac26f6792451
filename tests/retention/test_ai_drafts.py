"""AI drafts never used in a post or reply are deleted 30 days after they were made; used
ones stay as long as the post or conversation they went into (its deletion removes them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assistant import provenance
from assistant.models import AIGeneration
from retention import engine
from retention.rules import RULES

pytestmark = pytest.mark.django_db
Status = AIGeneration.Status
RULE = next(rule for rule in RULES if rule.key == "ai-drafts-unused")
POST = "publishing.post:7"


@pytest.fixture
def generation(workspace, owner):
    """generation(days_old, status, subject, used_in) -> an AI draft made that long ago."""

    def make(days_old: float, status: str = Status.DRAFT, subject: str = "", used_in: str = ""):
        return AIGeneration.objects.create(
            workspace=workspace,
            user=owner.user,
            purpose="caption",
            input_text='{"brief": "Summer menu"}',
            output_text="Summer menu. Don't miss it!",
            model="gpt-4.1-mini",
            status=status,
            subject=subject,
            used_in=used_in,
            created_at=timezone.now() - timedelta(days=days_old),
        )

    return make


def test_unused_drafts_go_30_days_after_they_were_made_and_used_ones_stay(generation):
    never_used = generation(31)
    dismissed = generation(31, Status.DISCARDED)
    taken_out_of_a_post = generation(31, Status.DISCARDED, POST, "text")
    unused_reply_suggestion = generation(31, subject="inbox.conversation:3")
    young = generation(29)
    kept = [
        young,
        generation(31, Status.DRAFT, POST, "caption_4"),  # still in the post, as written
        generation(31, Status.ACCEPTED, POST, "text"),
        generation(31, Status.EDITED, "inbox.conversation:3", "reply"),
    ]
    now = timezone.now()

    assert engine.count_due(RULE, now) == 4
    assert engine.apply(RULE, now) == 4

    assert set(AIGeneration.objects.values_list("pk", flat=True)) == {g.pk for g in kept}
    gone = (never_used, dismissed, taken_out_of_a_post, unused_reply_suggestion)
    assert not AIGeneration.objects.filter(pk__in=[g.pk for g in gone]).exists()
    assert engine.count_due(RULE, now) == 0
    assert engine.count_due(RULE, now + timedelta(days=2)) == 1  # the young one, in its turn


def test_used_drafts_go_with_their_post(generation):
    used = generation(400, Status.EDITED, POST, "text")

    assert engine.apply(RULE, timezone.now()) == 0
    assert provenance.forget(POST) == 1
    assert not AIGeneration.objects.filter(pk=used.pk).exists()


def test_it_works_in_batches(generation, settings):
    settings.RETENTION_BATCH = 2
    for _ in range(5):
        generation(40)

    assert engine.count_due(RULE, timezone.now()) == 5
    assert engine.apply(RULE, timezone.now()) == 5
    assert not AIGeneration.objects.exists()


def test_the_rule_is_on_the_public_retention_table():
    assert RULE.daily
    assert "never used in a post or reply" in RULE.name
    assert RULE.period.startswith("30 days after they were made")

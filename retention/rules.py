"""Every retention rule Mixora applies, in one declarative table: what, how old by which
field, for how long, in what scope, and how it ends. The daily job runs these rules and the
privacy policy's "Data retention" section is rendered from the same table, so the page and
the behaviour cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings


@dataclass(frozen=True)
class Rule:
    name: str  # what, as the public page says it
    period: str  # how long, as the public page says it
    ends: str  # how it ends, as the public page says it
    # Rows deleted by age: "app_label.Model" and the field that dates them.
    model: str = ""
    age_field: str = ""
    keep: Callable[[], timedelta] | None = None
    # Extra conditions on the rows (Django lookups), e.g. only finished ones.
    where: tuple[tuple[str, object], ...] = ()
    # Rules the age of a row cannot express run a function instead: (now) -> rows removed.
    runner: str = ""  # dotted path of that function
    # Rules applied at the moment something happens (nothing for the daily job to do).
    on_event: bool = False

    @property
    def daily(self) -> bool:
        return not self.on_event


def _days(setting: str, default: int) -> Callable[[], timedelta]:
    return lambda: timedelta(days=getattr(settings, setting, default))


RULES: tuple[Rule, ...] = (
    Rule(
        name="Security and activity log (log-ins, role changes, connections)",
        period=f"{settings.AUDIT_LOG_RETENTION_DAYS} days",
        ends="Deleted",
        model="privacy.AuditEvent",
        age_field="created_at",
        keep=_days("AUDIT_LOG_RETENTION_DAYS", 180),
    ),
    Rule(
        name="In-app notifications",
        period="90 days",
        ends="Deleted",
        model="notifications.Notification",
        age_field="created_at",
        keep=lambda: timedelta(days=90),
    ),
    Rule(
        name="Sign-in sessions",
        period="Until you log out, or 2 weeks without use",
        ends="Deleted",
        model="sessions.Session",
        age_field="expire_date",
        keep=lambda: timedelta(0),
    ),
    Rule(
        name="Inbox messages and comments",
        period="Kept for conversation history; each workspace can choose 365, 90 or 30 days",
        ends="Deleted with their attachments once past the period (checked every hour)",
        runner="inbox.retention.purge_all",
    ),
    Rule(
        name="Inbox conversations you delete, and those of a disconnected account",
        period="Until you delete the thread or disconnect the account",
        ends="Deleted at once, attachments included",
        on_event=True,
    ),
    Rule(
        name="Markers of deleted inbox messages (a keyed one-way digest of the platform's id)",
        period="30 days",
        ends="Deleted; they only stop a platform's retried or replayed event from restoring "
        "what you deleted",
        model="inbox.DeletedMessageMarker",
        age_field="deleted_at",
        keep=lambda: timedelta(days=30),
    ),
    Rule(
        name="Webhook deliveries from the platforms",
        period="Until processed (failed ones: 7 days)",
        ends="Deleted",
        model="inbox.WebhookDelivery",
        age_field="received_at",
        keep=lambda: timedelta(days=7),
    ),
    Rule(
        name="Media copies made for scheduled posts",
        period="Until the post is published or expires",
        ends="Deleted (your media library keeps the originals)",
        on_event=True,
    ),
    Rule(
        name="Data of a disconnected social account (tokens, inbox, its scheduled posts)",
        period="Until you disconnect it",
        ends="Tokens revoked at the platform; everything else deleted at once",
        on_event=True,
    ),
    Rule(
        name="Usage analytics (only with your consent)",
        period="13 months",
        ends="Deleted",
        model="consent.UsageEvent",
        age_field="created_at",
        keep=lambda: timedelta(days=396),
    ),
    Rule(
        name="Records of your cookie choices (proof of consent)",
        period="24 months after a newer choice replaces them",
        ends="Deleted",
        model="consent.ConsentRecord",
        age_field="superseded_at",
        keep=lambda: timedelta(days=730),
    ),
    Rule(
        name="Records of cookie choices never replaced",
        period="24 months after the choice expired (it is asked again after 6 months)",
        ends="Deleted",
        model="consent.ConsentRecord",
        age_field="created_at",
        keep=lambda: timedelta(seconds=settings.COOKIE_CONSENT_MAX_AGE) + timedelta(days=730),
        where=(("superseded_at__isnull", True),),
    ),
    Rule(
        name="Cookie consent log of the consent library",
        period="24 months",
        ends="Deleted",
        model="cookie_consent.LogItem",
        age_field="created",
        keep=lambda: timedelta(days=730),
    ),
    Rule(
        name="Privacy requests and their history",
        period="24 months after they are closed",
        ends="Deleted",
        model="privacy.PrivacyRequest",
        age_field="closed_at",
        keep=lambda: timedelta(days=730),
    ),
    Rule(
        name="Personal data exports",
        period="7 days after they are ready",
        ends="The file is deleted; the download link stops working",
        runner="exports.services.delete_expired",
    ),
    Rule(
        name="Deleted accounts",
        period=(
            f"{settings.DELETION_GRACE_DAYS} days after deletion (personal details erased at once)"
        ),
        ends="Purged, backups included",
        runner="accounts.deletion.purge_due_accounts",
    ),
    Rule(
        name="Deleted workspaces",
        period=f"{settings.DELETION_GRACE_DAYS} days after deletion (access ends at once)",
        ends="Purged with everything they held, backups included",
        runner="accounts.deletion.purge_due_workspaces",
    ),
)


def public_rows() -> list[tuple[str, str, str]]:
    """(what, how long, how it ends) for the privacy policy's Data retention section."""
    return [(rule.name, rule.period, rule.ends) for rule in RULES]


def cutoff(rule: Rule, now: datetime) -> datetime:
    assert rule.keep is not None
    return now - rule.keep()

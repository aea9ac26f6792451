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
    key: str  # short name for operators (`manage.py run_retention --rule KEY`)
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
    # ...and what it would remove, without removing it (the dry run): (now) -> rows.
    counter: str = ""
    # Rules applied at the moment something happens (nothing for the daily job to do).
    on_event: bool = False

    @property
    def daily(self) -> bool:
        return not self.on_event


def _days(setting: str, default: int) -> Callable[[], timedelta]:
    return lambda: timedelta(days=getattr(settings, setting, default))


# A scheduled post not out this many days after its time expires (publishing.publisher's
# EXPIRY_GRACE, which the hourly expiry job applies); the expired post is kept this many
# days more, so the team sees what did not go out, then deleted.
EXPIRY_GRACE_DAYS = 7
EXPIRED_KEEP_DAYS = 30


RULES: tuple[Rule, ...] = (
    Rule(
        key="audit-log",
        name="Security and activity log (log-ins, role changes, connections)",
        period=f"{settings.AUDIT_LOG_RETENTION_DAYS} days",
        ends="Deleted",
        model="audit.AuditEvent",
        age_field="created_at",
        keep=_days("AUDIT_LOG_RETENTION_DAYS", 180),
    ),
    # Django admin's change log names the record changed (object_repr, change_message), which
    # can be a person's name or email: kept as long as the security log it complements.
    Rule(
        key="admin-log",
        name="Staff change log of our admin site (what support staff changed; it can name the "
        "person or record changed)",
        period=f"{settings.AUDIT_LOG_RETENTION_DAYS} days",
        ends="Deleted",
        model="admin.LogEntry",
        age_field="action_time",
        keep=_days("AUDIT_LOG_RETENTION_DAYS", 180),
    ),
    Rule(
        key="notifications",
        name="In-app notifications",
        period="90 days",
        ends="Deleted",
        model="notifications.Notification",
        age_field="created_at",
        keep=lambda: timedelta(days=90),
    ),
    Rule(
        key="sessions",
        name="Sign-in sessions",
        period="Until you log out, or 2 weeks without use",
        ends="Deleted",
        model="sessions.Session",
        age_field="expire_date",
        keep=lambda: timedelta(0),
    ),
    Rule(
        key="inbox-messages",
        name="Inbox messages and comments",
        period="Kept for conversation history; each workspace can choose 365, 90 or 30 days",
        ends="Deleted with their attachments once past the period (checked every hour); the "
        "conversation list then previews the newest message left, or nothing",
        runner="inbox.retention.purge_all",
        counter="inbox.retention.count_due",
    ),
    Rule(
        key="inbox-deleted-threads",
        name="Inbox conversations you delete, and those of a disconnected account",
        period="Until you delete the thread or disconnect the account",
        ends="Deleted at once, attachments included",
        on_event=True,
    ),
    Rule(
        key="inbox-deleted-markers",
        name="Markers of deleted inbox messages (a keyed one-way digest of the platform's id)",
        period="30 days",
        ends="Deleted; they only stop a platform's retried or replayed event from restoring "
        "what you deleted",
        model="inbox.DeletedMessageMarker",
        age_field="deleted_at",
        keep=lambda: timedelta(days=30),
    ),
    Rule(
        key="webhook-deliveries",
        name="Webhook deliveries from the platforms",
        period="Until processed (failed ones: 7 days)",
        ends="Deleted",
        model="inbox.WebhookDelivery",
        age_field="received_at",
        keep=lambda: timedelta(days=7),
    ),
    Rule(
        key="posts-and-media",
        name="Your posts (drafts, in review, scheduled, published) and your media library",
        period="Until you delete them, or the workspace is deleted",
        ends="Deleted",
        on_event=True,
    ),
    # "Scheduled items are deleted after posting or expiration" (the policy's words). In
    # Mixora a scheduled item is what exists only to carry out a schedule: the media copies
    # made for publishing, each account's place in the publishing queue, and a scheduled post
    # that never went out. A published post is your content, not a scheduled item.
    Rule(
        key="scheduled-copies",
        name="Scheduled items: the copies of your media made when a post is scheduled",
        period="Until the post is published on every account it was scheduled for, expires, "
        "or is taken off the schedule",
        ends="Deleted at once (a daily check deletes any left behind); your media library "
        "keeps the originals",
        runner="retention.scheduled.delete_spent_copies",
        counter="retention.scheduled.count_spent_copies",
    ),
    Rule(
        key="scheduled-queue",
        name="Scheduled items: a post's place in the publishing queue of each account (due "
        "time, attempts, the platform's upload progress, last error)",
        period="Until it is published on that account, then at most a day",
        ends="Cleared; the published post, its link and when it went out stay until you "
        "delete the post",
        runner="retention.scheduled.clear_posted_queue",
        counter="retention.scheduled.count_posted_queue",
    ),
    Rule(
        key="scheduled-expired",
        name="Scheduled items that expired: a scheduled post not published within "
        f"{EXPIRY_GRACE_DAYS} days of its time (checked every hour)",
        period=f"{EXPIRED_KEEP_DAYS} days after it expired "
        f"({EXPIRY_GRACE_DAYS + EXPIRED_KEEP_DAYS} days after its scheduled time)",
        ends="Deleted with its captions, comments and review history; where the post went out "
        "on other accounts, only the accounts it never reached are removed from it",
        runner="retention.scheduled.delete_expired",
        counter="retention.scheduled.count_expired",
    ),
    Rule(
        key="post-metrics",
        name="Public metrics of your published posts (read over their first 30 days) and your "
        "accounts' daily follower counts",
        period="Until you delete the post or disconnect the account",
        ends="Deleted",
        on_event=True,
    ),
    Rule(
        key="ai-drafts-unused",
        name="AI drafts never used in a post or reply (your brief or draft, or the "
        "conversation answered, and what the AI wrote)",
        period="30 days after they were made (those used stay with their post or "
        "conversation until it is deleted)",
        ends="Deleted",
        runner="assistant.retention.delete_unused_due",
        counter="assistant.retention.count_unused_due",
    ),
    Rule(
        key="disconnected-accounts",
        name="Data of a disconnected social account (tokens, inbox, its scheduled posts)",
        period="Until you disconnect it",
        ends="Tokens revoked at the platform; everything else deleted at once",
        on_event=True,
    ),
    Rule(
        key="usage-analytics",
        name="Usage analytics (only with your consent)",
        period="13 months",
        ends="Deleted",
        model="consent.UsageEvent",
        age_field="created_at",
        keep=lambda: timedelta(days=396),
    ),
    Rule(
        key="consent-replaced",
        name="Records of your cookie choices (proof of consent)",
        period="24 months after a newer choice replaces them",
        ends="Deleted",
        model="consent.ConsentRecord",
        age_field="superseded_at",
        keep=lambda: timedelta(days=730),
    ),
    Rule(
        key="consent-current",
        name="Records of cookie choices never replaced",
        period="24 months after the choice expired (it is asked again after 6 months)",
        ends="Deleted",
        model="consent.ConsentRecord",
        age_field="created_at",
        keep=lambda: timedelta(seconds=settings.COOKIE_CONSENT_MAX_AGE) + timedelta(days=730),
        where=(("superseded_at__isnull", True),),
    ),
    Rule(
        key="consent-library-log",
        name="Cookie consent log of the consent library",
        period="24 months",
        ends="Deleted",
        model="cookie_consent.LogItem",
        age_field="created",
        keep=lambda: timedelta(days=730),
    ),
    Rule(
        key="privacy-requests",
        name="Privacy requests and their history",
        period="24 months after they are closed",
        ends="Deleted",
        model="privacy.PrivacyRequest",
        age_field="closed_at",
        keep=lambda: timedelta(days=730),
    ),
    # A ticket holds the writer's name, address and words; with no rule it was kept forever.
    Rule(
        key="support-tickets",
        name="Messages to our support team, and their notes",
        period="24 months after the ticket is resolved (at once when you delete your account)",
        ends="Deleted",
        model="support.SupportTicket",
        age_field="updated_at",
        keep=lambda: timedelta(days=730),
        where=(("status", "resolved"),),
    ),
    # Accounting law asks for invoices to be kept for years (up to 10, depending on the country):
    # we keep our copy for the longest; Stripe, our payment processor, holds the invoices too.
    Rule(
        key="invoices",
        name="Invoices and billing records (plan, payment status, invoices; never card details)",
        period="10 years after the invoice (accounting law)",
        ends="Deleted; the invoices themselves stay with our payment processor, Stripe, for "
        "the same period, also when the workspace is deleted",
        model="billing.Invoice",
        age_field="created",
        keep=lambda: timedelta(days=3653),
    ),
    Rule(
        key="stripe-events",
        name="Payment notifications from Stripe (as received; they can name the billing contact)",
        period="90 days after they are processed",
        ends="Deleted",
        model="billing.StripeEvent",
        age_field="processed_at",
        keep=lambda: timedelta(days=90),
    ),
    Rule(
        key="exports",
        name="Personal data exports",
        period="7 days after they are ready",
        ends="The file is deleted; the download link stops working",
        runner="exports.services.delete_expired",
        counter="retention.counters.exports_due",
    ),
    Rule(
        key="deleted-accounts",
        name="Deleted accounts",
        period=(
            f"{settings.DELETION_GRACE_DAYS} days after deletion (personal details erased at once)"
        ),
        ends="Purged, backups included",
        runner="accounts.deletion.purge_due_accounts",
        counter="retention.counters.accounts_due",
    ),
    Rule(
        key="deleted-workspaces",
        name="Deleted workspaces",
        period=f"{settings.DELETION_GRACE_DAYS} days after deletion (access ends at once)",
        ends="Purged with everything they held, backups included",
        runner="accounts.deletion.purge_due_workspaces",
        counter="retention.counters.workspaces_due",
    ),
)


def public_rows() -> list[tuple[str, str, str]]:
    """(what, how long, how it ends) for the privacy policy's Data retention section."""
    return [(rule.name, rule.period, rule.ends) for rule in RULES]


def cutoff(rule: Rule, now: datetime) -> datetime:
    assert rule.keep is not None
    return now - rule.keep()

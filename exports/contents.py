"""What an export holds: one JSON document per kind of data Mixora keeps about a person.

Known models are read field by field (an explicit list, so a secret added to one of them
later never leaks by default). Models other apps may add (privacy requests, consent records,
usage events, marketing preferences) are looked up at run time and read generically, minus
encrypted fields and anything named like a secret."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.fields.files import FieldFile

from accounts.models import Invitation, Membership, User
from connections.fields import EncryptedTextField
from connections.models import ConnectedAccount
from inbox.models import Conversation, Message, ReadMark, SavedReply
from notifications.models import Notification
from privacy.models import AuditAction, AuditEvent
from publishing.models import Media, Post, PostComment, PostTarget, ReviewDecision
from support.models import SupportTicket

ROWS_PER_QUERY = 2000  # rows fetched per round trip while streaming a file
# Fields whose name contains one of these words are never exported from a generic model.
SECRET_WORDS = frozenset({"password", "token", "secret", "hash", "key"})


@dataclass(frozen=True)
class Section:
    filename: str
    about: str  # plain language: the file's first key and its paragraph in README.txt
    document: dict[str, Any]


# --- Generic rows -------------------------------------------------------------------------


def exportable(field: models.Field) -> bool:
    if isinstance(field, EncryptedTextField | models.BinaryField):
        return False
    return not SECRET_WORDS & set(field.name.lower().split("_"))


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def row_fields(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: _plain(f.value_from_object(obj))
        for f in obj._meta.concrete_fields
        if exportable(f)
    }


def person_rows(model: type[models.Model], user: User) -> Iterator[dict[str, Any]] | None:
    """Rows of `model` linked to `user` (a foreign key to them, or their email address), or
    None when nothing in the model can point at a person."""
    conditions = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is User:
            conditions.append(Q(**{field.name: user}))
        elif isinstance(field, models.EmailField) and exportable(field):
            conditions.append(Q(**{f"{field.name}__iexact": user.email}))
    if not conditions:
        return None
    rows = model._default_manager.filter(reduce(operator.or_, conditions)).order_by("pk")
    return (row_fields(row) for row in rows.iterator(chunk_size=ROWS_PER_QUERY))


def optional_model(label: str) -> type[models.Model] | None:
    """A model another app may not have yet ("app_label.ModelName")."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# The models other apps add, when they exist: file name, model, what the file says.
OPTIONAL = [
    (
        "privacy_requests.json",
        "privacy.PrivacyRequest",
        "Privacy requests you filed (to see, copy, correct or delete your data, or to "
        "object), with their status and dates.",
    ),
    (
        "consent_records.json",
        "consent.ConsentRecord",
        "The cookie choices you made (which kinds of cookies you accepted or declined, "
        "when, and whether your browser sent Global Privacy Control).",
    ),
    (
        "usage_events.json",
        "consent.UsageEvent",
        "Product usage events we recorded about you, only ever with your consent to analytics.",
    ),
    (
        "marketing_preferences.json",
        "legal.MarketingPreference",
        "Whether you agreed to receive marketing emails from us, and when you changed it.",
    ),
    (
        "marketing_history.json",
        "legal.MarketingConsentEvent",
        "Every time you agreed to or stopped marketing emails, and how (a form, an "
        "unsubscribe link...).",
    ),
    (
        "policy_acknowledgements.json",
        "legal.PolicyAcknowledgement",
        "The versions of our privacy policy and terms you acknowledged, and when.",
    ),
    (
        "policy_notices.json",
        "legal.PolicyAnnouncement",
        "The emails we sent you about changes to our policies.",
    ),
    (
        "ai_training_choices.json",
        "legal.AITrainingChoice",
        "Choices you made for a workspace about letting its content train AI models.",
    ),
]

# Models that point at a person and are deliberately not exported, and why. A test fails
# when a model pointing at a person is neither exported nor listed here.
LEFT_OUT = {
    "admin.LogEntry": "what support staff changed in the support desk: staff activity",
    "legal.DocumentVersion": "policy texts staff wrote and published: not about the person",
    "privacy.PrivacyRequestEvent": "steps staff took on requests; the requests themselves "
    "are in privacy_requests.json",
    "exports.DataExport": "the exports themselves, listed on the Download my data page",
}


def _values(queryset: models.QuerySet, *fields: str, **expressions: Any) -> Iterator[dict]:
    return queryset.values(*fields, **expressions).iterator(chunk_size=ROWS_PER_QUERY)


# --- The sections ------------------------------------------------------------------------


def profile(user: User, avatar_in_archive: str | None) -> Section:
    account = row_fields(user)
    account["avatar"] = avatar_in_archive
    return Section(
        "profile.json",
        "Your account: email address, name, company, job title, country, when you joined "
        "and last logged in, your avatar (the picture itself is in the avatar folder), your "
        "email addresses and which two-factor methods you set up.",
        {
            "account": account,
            "email_addresses": _values(
                EmailAddress.objects.filter(user=user).order_by("pk"),
                "email",
                "verified",
                "primary",
            ),
            "two_factor_methods": _values(
                Authenticator.objects.filter(user=user).order_by("pk"),
                "type",
                "created_at",
                "last_used_at",
            ),
            "not_included": {
                "password": "Stored only as a one-way hash, which cannot be turned back "
                "into your password; the hash is not included.",
                "two_factor_secrets": "The secrets behind your authenticator app and "
                "recovery codes are not included: they would let anyone log in as you.",
                "age": "At sign-up we ask your age range to check you may use Mixora, and "
                "do not store the answer.",
            },
        },
    )


def workspaces(user: User) -> Section:
    return Section(
        "workspaces.json",
        "The workspaces you belong to and your role in each, the invitations you received, "
        "and the invitations you sent to others.",
        {
            "memberships": _values(
                Membership.objects.filter(user=user).order_by("created_at", "pk"),
                "role",
                workspace_name=F("workspace__name"),
                workspace_address=F("workspace__slug"),
                member_since=F("created_at"),
            ),
            "invitations_received": _values(
                Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))
                .order_by("sent_at", "pk")
                .distinct(),
                "email",
                "role",
                "sent_at",
                "accepted_at",
                workspace_name=F("workspace__name"),
            ),
            "invitations_sent": _values(
                Invitation.objects.filter(invited_by=user).order_by("sent_at", "pk"),
                "email",
                "role",
                "sent_at",
                "accepted_at",
                workspace_name=F("workspace__name"),
            ),
        },
    )


def _post(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "workspace_name": post.workspace.name,
        "text": post.text,
        "stage": post.stage,
        "scheduled_at": post.scheduled_at,
        "approved_at": post.approved_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "media_ids": [attachment.media_id for attachment in post.attachments.all()],
        "accounts": [
            {
                "platform": target.account.platform,
                "account_name": target.account.display_name,
                "caption": target.caption,
                "state": target.state,
                "published_at": target.published_at,
                "permalink": target.permalink,
            }
            for target in post.targets.all()
        ],
    }


def posts(user: User) -> Section:
    authored = (
        Post.objects.filter(author=user)
        .select_related("workspace")
        .prefetch_related(
            "attachments", Prefetch("targets", PostTarget.objects.select_related("account"))
        )
        .order_by("created_at", "pk")
    )
    return Section(
        "posts.json",
        "Posts you wrote: their text, stage (draft, in review, scheduled, published...), "
        "schedule, the accounts they were for with each caption, and links to them once "
        "published. media_ids point at media.json.",
        {"posts": (_post(p) for p in authored.iterator(chunk_size=500))},
    )


def post_comments(user: User) -> Section:
    return Section(
        "post_comments.json",
        "Comments you left on posts for your teammates.",
        {
            "comments": _values(
                PostComment.objects.filter(author=user).order_by("created_at", "pk"),
                "post_id",
                "body",
                "created_at",
                workspace_name=F("post__workspace__name"),
            )
        },
    )


def reviews(user: User) -> Section:
    return Section(
        "reviews.json",
        "Your part in reviewing posts: each time you submitted a post for review, approved "
        "it or asked for changes (with your comment), and the posts you approved.",
        {
            "decisions": _values(
                ReviewDecision.objects.filter(actor=user).order_by("created_at", "pk"),
                "post_id",
                "kind",
                "comment",
                "created_at",
                workspace_name=F("post__workspace__name"),
            ),
            "posts_approved": _values(
                Post.objects.filter(approved_by=user).order_by("approved_at", "pk"),
                "approved_at",
                post_id=F("id"),
                workspace_name=F("workspace__name"),
            ),
        },
    )


def media(user: User, files: dict[int, str | None]) -> Section:
    def items() -> Iterator[dict[str, Any]]:
        rows = _values(
            Media.objects.filter(uploaded_by=user).order_by("created_at", "pk"),
            "id",
            "name",
            "kind",
            "content_type",
            "size",
            "width",
            "height",
            "duration",
            "created_at",
            workspace_name=F("workspace__name"),
        )
        for row in rows:
            yield {**row, "file_in_export": files.get(row["id"])}

    return Section(
        "media.json",
        "Images and videos you uploaded to media libraries. The files themselves are in "
        "the media folder (file_in_export says where); a file that could not be read from "
        "storage is listed with file_in_export empty.",
        {"media": items()},
    )


def inbox_messages(user: User) -> Section:
    return Section(
        "inbox_messages.json",
        "Replies you sent to customers from the inbox (direction outbound) and internal "
        "notes you wrote for your team (direction note), with the platform, the account and "
        "whether the reply was delivered.",
        {
            "messages": _values(
                Message.objects.filter(author=user).order_by("sent_at", "pk"),
                "conversation_id",
                "direction",
                "text",
                "sent_at",
                "status",
                "error",
                platform=F("account__platform"),
                account_name=F("account__display_name"),
                workspace_name=F("conversation__workspace__name"),
            )
        },
    )


def inbox_activity(user: User) -> Section:
    return Section(
        "inbox_activity.json",
        "Your other inbox data: saved replies you created, conversations assigned to you and "
        "when you last read each conversation.",
        {
            "saved_replies": _values(
                SavedReply.objects.filter(created_by=user).order_by("pk"),
                "title",
                "text",
                workspace_name=F("workspace__name"),
            ),
            "assigned_conversations": _values(
                Conversation.objects.filter(assignee=user).order_by("pk"),
                "kind",
                "status",
                conversation_id=F("id"),
                platform=F("account__platform"),
                account_name=F("account__display_name"),
                workspace_name=F("workspace__name"),
            ),
            "read_marks": _values(
                ReadMark.objects.filter(user=user).order_by("pk"), "conversation_id", "read_at"
            ),
        },
    )


def connected_accounts(user: User) -> Section:
    return Section(
        "connected_accounts.json",
        "Social accounts you connected to a workspace: platform, name, handle, when, the "
        "permissions granted and their health. The access keys the platforms gave us are "
        "not included: they are secrets that would let anyone post as the account.",
        {
            "accounts": _values(
                ConnectedAccount.objects.filter(connected_by=user).order_by("pk"),
                "platform",
                "display_name",
                "handle",
                "connected_at",
                "scopes",
                "status",
                "status_reason",
                "last_success_at",
                platform_account_id=F("external_id"),
                workspace_name=F("workspace__name"),
            )
        },
    )


def notifications(user: User) -> Section:
    return Section(
        "notifications.json",
        "The notifications Mixora showed you in the app, and when you read them.",
        {
            "notifications": _values(
                Notification.objects.filter(user=user).order_by("created_at", "pk"),
                "message",
                "url",
                "created_at",
                "read_at",
                workspace_name=F("workspace__name"),
            )
        },
    )


def support_tickets(user: User) -> Section:
    def items() -> Iterator[dict[str, Any]]:
        tickets = SupportTicket.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        for row in _values(
            tickets.order_by("created_at", "pk"),
            "id",
            "name",
            "email",
            "topic",
            "subject",
            "message",
            "status",
            "staff_notes",
            "created_at",
            "updated_at",
        ):
            yield {"reference": f"MX-{row.pop('id'):06d}", **row}

    return Section(
        "support_tickets.json",
        "Messages you sent to Mixora support, their status, and the notes our support team "
        "wrote while handling them.",
        {"tickets": items()},
    )


def audit_events(user: User) -> Section:
    labels = dict(AuditAction.choices)

    def items() -> Iterator[dict[str, Any]]:
        events = AuditEvent.objects.filter(Q(actor=user) | Q(subject_user=user))
        for row in _values(
            events.order_by("created_at", "pk"),
            "action",
            "ip_address",
            "user_agent",
            "details",
            "created_at",
            "actor_id",
            "subject_user_id",
            workspace_name=F("workspace__name"),
        ):
            actor, subject = row.pop("actor_id"), row.pop("subject_user_id")
            yield {
                "event": labels.get(row["action"], row["action"]),
                **row,
                "done_by_you": actor == user.pk,
                "about_you": subject == user.pk,
            }

    return Section(
        "security_log.json",
        "Our security and activity log about you: log-ins (and failed attempts), password "
        "and email changes, two-factor changes, and workspace events you took part in, with "
        "the IP address and browser recorded at the time.",
        {"events": items()},
    )


def optional_sections(user: User) -> Iterator[Section]:
    for filename, label, about in OPTIONAL:
        model = optional_model(label)
        rows = person_rows(model, user) if model is not None else None
        if rows is not None:
            yield Section(filename, about, {"records": rows})


def billing() -> Section:
    return Section(
        "billing.json",
        "Billing records. Mixora does not hold any about you: no plan, invoice or payment "
        "records are kept in Mixora yet, and card details are never stored by Mixora.",
        {"records": []},
    )

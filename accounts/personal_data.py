"""What accounts keeps about a person (profile, sign-in addresses, memberships, invitations),
how it is exported, and what deletion does to it."""

from __future__ import annotations

import posixpath
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.dispatch import receiver

from mixora.personal_data import (
    FileSink,
    Section,
    export_section,
    handles,
    keeps,
    not_exported,
    person_deleted,
    row_fields,
    values,
)

from .models import Invitation, Membership, User

DELETED_NAME = "Deleted user"


@export_section(
    10,
    models=("accounts.User", "account.EmailAddress", "mfa.Authenticator"),
    folders={"avatar/": "Your profile picture, as you uploaded it."},
)
def profile(user: User, files: FileSink) -> Section:
    account = row_fields(user)
    account["avatar"] = None
    if user.avatar:
        extension = posixpath.splitext(user.avatar.name)[1].lower()
        account["avatar"] = files.copy(f"avatar/avatar{extension}", user.avatar.name)
    return Section(
        "profile.json",
        "Your account: email address, name, company, job title, country, when you joined "
        "and last logged in, your avatar (the picture itself is in the avatar folder), your "
        "email addresses and which two-factor methods you set up.",
        {
            "account": account,
            "email_addresses": values(
                EmailAddress.objects.filter(user=user).order_by("pk"),
                "email",
                "verified",
                "primary",
            ),
            "two_factor_methods": values(
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


@export_section(20, models=("accounts.Membership", "accounts.Invitation"))
def workspaces(user: User, files: FileSink) -> Section:
    return Section(
        "workspaces.json",
        "The workspaces you belong to and your role in each, the invitations you received, "
        "and the invitations you sent to others.",
        {
            "memberships": values(
                Membership.objects.filter(user=user).order_by("created_at", "pk"),
                "role",
                workspace_name=F("workspace__name"),
                workspace_address=F("workspace__slug"),
                member_since=F("created_at"),
            ),
            "invitations_received": values(
                Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))
                .order_by("sent_at", "pk")
                .distinct(),
                "email",
                "role",
                "sent_at",
                "accepted_at",
                workspace_name=F("workspace__name"),
            ),
            "invitations_sent": values(
                Invitation.objects.filter(invited_by=user).order_by("sent_at", "pk"),
                "email",
                "role",
                "sent_at",
                "accepted_at",
                workspace_name=F("workspace__name"),
            ),
        },
    )


not_exported("admin.LogEntry", "what support staff changed in the support desk: staff activity")

# --- Deletion -----------------------------------------------------------------------------

handles(
    "accounts.User",
    ("email", "full_name", "avatar", "company", "job_title", "country"),
    "erased at once (name 'Deleted user', an address that cannot receive mail); the row "
    "goes at the purge",
)
handles("account.EmailAddress", ("user", "email"), "deleted at once")
handles("mfa.Authenticator", ("user", "data"), "deleted at once")
keeps(
    "sessions.Session",
    ("session_data",),
    reason="a session holds only the account's id, and every session of a deleted account "
    "is signed out at once (its password hash changes)",
    period="until the session expires (2 weeks), then the retention table deletes it",
)
handles("accounts.Membership", ("user",), "deleted at once")
handles(
    "accounts.Invitation",
    ("email", "accepted_by"),
    "invitations sent to the person (pending or accepted) are deleted at once",
)
keeps(
    "accounts.Invitation",
    ("invited_by",),
    reason="invitations the person sent belong to the workspace; the sender shows as "
    "'Deleted user', then empty after the purge",
    period="until the invitation is accepted, expires or its workspace is deleted",
)
handles(
    "admin.LogEntry",
    ("object_repr",),
    "support's change-log lines about the person or naming their address are rewritten "
    "to 'Deleted user' at once",
)
keeps(
    "admin.LogEntry",
    ("user", "change_message"),
    reason="what a staff member changed in the support desk (accountability); it names the "
    "fields changed, never their values",
    period="the admin change log's retention period; a staff member's own lines go with "
    "their account at its purge",
)


@receiver(person_deleted, dispatch_uid="accounts.person_deleted")
def erase_account_traces(
    sender: Any, user: User, email: str, name: str, now: datetime, **kwargs: Any
) -> None:
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=email)).delete()
    about_them = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    LogEntry.objects.filter(about_them | Q(object_repr__icontains=email)).update(
        object_repr=DELETED_NAME
    )

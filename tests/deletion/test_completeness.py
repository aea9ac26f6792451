"""Deleting an account leaves nothing of the person behind: every field that can hold a
person's data is handled by deletion or kept on purpose (with why and how long), and a
person with something everywhere leaves no name, address or IP in any table at once, and
no row pointing at them after the purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import RequestFactory
from django.utils import timezone

from accounts.deletion import start_account_deletion
from accounts.models import Invitation, Membership, User
from accounts.roles import Role
from audit.models import AuditAction
from audit.trail import record
from consent.models import ConsentRecord, UsageEvent
from inbox.models import Message
from mixora import personal_data
from privacy.models import PrivacyRequest
from support.models import SupportTicket
from tests.exports.conftest import person  # noqa: F401  (the fixture)
from tests.factories import UserFactory

# Words in a field's name that say it may hold a person's name, address, picture, IP or words.
PERSONAL_WORDS = frozenset(
    {"name", "email", "avatar", "ip", "handle", "sender", "participant", "message", "body"}
    | {"text", "note", "comment", "details", "repr", "company", "country", "data"}
)
PERSONAL_PHRASES = ("user_agent", "job_title", "email", "avatar")
# Models whose matching fields name no person, and why.
NOT_ABOUT_PEOPLE = {
    "auth.Permission": "permission names",
    "auth.Group": "staff group names",
    "contenttypes.ContentType": "model names",
    "cookie_consent.CookieGroup": "cookie categories",
    "cookie_consent.Cookie": "cookie names",
    "accounts.Workspace": "the workspace (a team or business), not a person",
    "inbox.Label": "labels a workspace defines",
}


def _may_hold_personal_data(field: models.Field) -> bool:
    if field.is_relation:
        return field.related_model is User
    if isinstance(
        field,
        models.EmailField | models.GenericIPAddressField | models.FileField | models.JSONField,
    ):
        return True
    if not isinstance(field, models.CharField | models.TextField):
        return False
    words = set(field.name.split("_"))
    return bool(words & PERSONAL_WORDS) or any(p in field.name for p in PERSONAL_PHRASES)


def test_every_field_that_can_hold_a_persons_data_is_declared():
    declared = set(personal_data.handled_fields()) | set(personal_data.kept_fields())
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.label not in NOT_ABOUT_PEOPLE
        for field in model._meta.concrete_fields
        if _may_hold_personal_data(field) and f"{model._meta.label}.{field.name}" not in declared
    ]
    assert not missing, (
        "Say what account deletion does to these fields, in their app's personal_data.py "
        f"(handles(...) or keeps(..., reason=, period=)): {missing}"
    )


def test_what_is_kept_says_why_and_until_when():
    for label, kept in personal_data.kept_fields().items():
        assert kept.reason.strip(), label
        assert kept.period.strip(), label


def _rows_containing(needles: list[str]) -> list[str]:
    """Every (model.field) whose stored value contains one of `needles`, in any table."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(
                field,
                models.CharField
                | models.TextField
                | models.JSONField
                | models.GenericIPAddressField,
            ):
                continue
            for needle in needles:
                if isinstance(field, models.GenericIPAddressField):
                    if needle.count(".") != 3:
                        continue
                    rows = model._default_manager.filter(**{field.name: needle})
                elif isinstance(field, models.JSONField):
                    rows = model._default_manager.alias(_t=Cast(field.name, TextField())).filter(
                        _t__icontains=needle
                    )
                else:
                    rows = model._default_manager.filter(**{f"{field.name}__icontains": needle})
                if rows.exists():
                    found.append(f"{model._meta.label}.{field.name} holds {needle!r}")
    return found


def _rows_pointing_at(user_pk: int) -> list[str]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            points = field.is_relation and field.related_model is User
            if points and model._default_manager.filter(**{field.attname: user_pk}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.fixture
def everywhere(person):  # noqa: F811
    """The export's person, plus the traces a deletion used to leave behind."""
    user, workspace = person.user, person.workspace
    Membership.objects.filter(workspace=workspace, user=person.teammate).update(role=Role.OWNER)
    Message.objects.filter(author=user).update(sender_name="Pat Person")
    SupportTicket.objects.create(
        name="Pat Person", email="PAT@acme.test", subject="Before signing up", message="Hi"
    )
    Invitation.objects.create(
        workspace=workspace,
        email=user.email,
        invited_by=person.teammate,
        accepted_by=user,
        accepted_at=timezone.now(),
    )
    LogEntry.objects.log_actions(
        user_id=UserFactory(is_staff=True).pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message="Changed job title.",
    )
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="PatPhone")
    request.user = AnonymousUser()
    record(AuditAction.LOGIN_SUCCEEDED, request=request, actor=user)
    record(AuditAction.LOGIN_FAILED, request=request, attempted_email=user.email)
    record(
        AuditAction.INVITATION_SENT,
        actor=person.teammate,
        workspace=workspace,
        invited_email=user.email,
    )
    ConsentRecord.objects.create(
        visitor_id="v-pat",
        user=user,
        method="banner",
        source="banner",
        functional=True,
        analytics=True,
        marketing=False,
        cookie_value="x",
        policy_version="1",
        ip_prefix="203.0.113.0",
    )
    UsageEvent.objects.create(
        kind="page", name="/w/acme/", device="desktop", ip_prefix="203.0.113.0", user=user
    )
    PrivacyRequest.objects.create(
        reference="PR-PAT",
        request_type="access",
        jurisdiction="eea",
        email=user.email,
        name="Pat Person",
        details="Please send me my data, Pat Person",
        user=user,
        source="app",
    )
    return person


def test_a_deleted_person_leaves_no_name_address_or_ip_anywhere(everywhere):
    user = everywhere.user
    needles = ["pat@acme.test", "Pat Person", "203.0.113.77", "203.0.113.0", "PatPhone"]
    assert len(_rows_containing(needles)) > 10  # the scan sees them before the deletion

    start_account_deletion(user)

    assert _rows_containing(needles) == []
    user.refresh_from_db()
    assert (user.is_active, user.full_name) == (False, "Deleted user")
    # Shared content stays with its workspace, shown as written by a deleted user.
    assert set(Message.objects.filter(author=user).values_list("sender_name", flat=True)) == {
        "Deleted user"
    }
    assert not SupportTicket.objects.filter(name__icontains="Pat").exists()
    assert (
        LogEntry.objects.get(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).object_repr
        == "Deleted user"
    )


def test_after_the_purge_nothing_points_at_the_person(everywhere):
    user = everywhere.user
    start_account_deletion(user)
    assert _rows_pointing_at(user.pk) != []  # until the purge, content points at the row

    when = timezone.now() + timedelta(days=31)
    call_command("run_retention", "--as-of", f"{when:%Y-%m-%d}", verbosity=0)

    assert not User.objects.filter(pk=user.pk).exists()
    assert _rows_pointing_at(user.pk) == []

"""The retention table: each daily rule deletes exactly what is past its period, in short
batches; the public Data retention rows come from the same table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import deletion
from accounts.models import User
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from inbox.models import Conversation, Message, WebhookDelivery
from notifications.models import Notification
from retention import engine
from retention.rules import RULES, public_rows
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _aged(model, rows, field: str, age: timedelta) -> None:
    model.objects.filter(pk__in=[r.pk for r in rows]).update(**{field: timezone.now() - age})


def test_audit_events_older_than_the_configured_days_go(settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 30
    old = [AuditEvent.objects.create(action=AuditAction.LOGIN_SUCCEEDED) for _ in range(3)]
    recent = AuditEvent.objects.create(action=AuditAction.LOGIN_SUCCEEDED)
    _aged(AuditEvent, old, "created_at", timedelta(days=31))
    _aged(AuditEvent, [recent], "created_at", timedelta(days=29))
    removed = engine.run()
    assert removed["audit-log"] == 3
    assert list(AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED)) == [recent]


def test_rows_are_deleted_in_batches_of_the_configured_size(settings):
    settings.RETENTION_BATCH = 2
    user = UserFactory()
    rows = [Notification.objects.create(user=user, message=f"n{i}") for i in range(5)]
    _aged(Notification, rows, "created_at", timedelta(days=91))
    rule = next(r for r in RULES if r.model == "notifications.Notification")
    with CaptureQueriesContext(connection) as queries:
        assert engine.delete_in_batches(rule, timezone.now()) == 5
    deletes = [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1
    assert not Notification.objects.exists()


def test_expired_sessions_and_stale_webhook_deliveries_go():
    Session.objects.create(
        session_key="old", session_data="x", expire_date=timezone.now() - timedelta(minutes=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=timezone.now() + timedelta(days=1)
    )
    failed = WebhookDelivery.objects.create(platform="meta", body=b"{}", error="boom")
    fresh = WebhookDelivery.objects.create(platform="meta", body=b"{}")
    _aged(WebhookDelivery, [failed], "received_at", timedelta(days=8))
    engine.run()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(WebhookDelivery.objects.all()) == [fresh]


def test_inbox_retention_runs_from_the_table(workspace, owner):
    from connections.models import ConnectedAccount

    workspace.inbox_retention_days = 30
    workspace.save()
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="X"
    )
    conversation = Conversation.objects.create(
        workspace=workspace, account=account, kind="message", thread_key="a", participant_id="a"
    )
    old = Message.objects.create(
        conversation=conversation,
        account=account,
        direction="inbound",
        text="old",
        sent_at=timezone.now() - timedelta(days=40),
    )
    new = Message.objects.create(
        conversation=conversation, account=account, direction="inbound", text="new"
    )
    engine.run()
    assert list(Message.objects.all()) == [new]
    assert not Message.objects.filter(pk=old.pk).exists()


def test_deleted_accounts_and_workspaces_are_purged_after_the_grace(workspace, owner):
    leaver = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    deletion.start_account_deletion(leaver)
    engine.run(now=timezone.now() + timedelta(days=29))
    assert User.objects.filter(pk=leaver.pk).exists()
    engine.run(now=timezone.now() + timedelta(days=31))
    assert not User.objects.filter(pk=leaver.pk).exists()


def test_every_rule_is_public_and_every_daily_rule_can_run():
    rows = public_rows()
    assert len(rows) == len(RULES)
    assert all(what and period and ends for what, period, ends in rows)
    for rule in RULES:
        assert rule.on_event or rule.runner or (rule.model and rule.age_field and rule.keep)


def test_every_table_rule_names_a_real_model_date_field_or_function():
    from django.apps import apps
    from django.utils.module_loading import import_string

    for rule in RULES:
        if rule.model:
            field = apps.get_model(rule.model)._meta.get_field(rule.age_field)
            assert field.get_internal_type() == "DateTimeField", rule.name
        if rule.runner:
            assert callable(import_string(rule.runner)), rule.name


def _run_rule_of(model_label: str, now):
    rules = [r for r in RULES if r.model == model_label]
    return sum(engine.delete_in_batches(rule, now) for rule in rules)


def test_usage_events_are_kept_13_months():
    from consent.models import UsageEvent

    old = UsageEvent.objects.create(kind="page", name="inbox", device="desktop")
    new = UsageEvent.objects.create(kind="page", name="inbox", device="desktop")
    _aged(UsageEvent, [old], "created_at", timedelta(days=397))
    _aged(UsageEvent, [new], "created_at", timedelta(days=395))
    assert _run_rule_of("consent.UsageEvent", timezone.now()) == 1
    assert list(UsageEvent.objects.all()) == [new]


def test_consent_records_are_kept_24_months_after_a_newer_choice(settings):
    from consent.models import ConsentRecord

    def record(**fields):
        return ConsentRecord.objects.create(
            visitor_id="v",
            method="reject_all",
            source="banner",
            functional=False,
            analytics=False,
            marketing=False,
            policy_version="1",
            **fields,
        )

    now = timezone.now()
    replaced_long_ago = record(superseded_at=now - timedelta(days=731))
    replaced_lately = record(superseded_at=now - timedelta(days=700))
    never_replaced_expired = record()
    never_replaced_current = record()
    max_age = timedelta(seconds=settings.COOKIE_CONSENT_MAX_AGE)
    _aged(ConsentRecord, [never_replaced_expired], "created_at", max_age + timedelta(days=731))
    _aged(ConsentRecord, [never_replaced_current], "created_at", max_age + timedelta(days=700))
    assert _run_rule_of("consent.ConsentRecord", now) == 2
    assert set(ConsentRecord.objects.all()) == {replaced_lately, never_replaced_current}
    assert replaced_long_ago.pk not in ConsentRecord.objects.values_list("pk", flat=True)


def test_privacy_requests_are_kept_24_months_after_they_close_and_open_ones_stay():
    from privacy.models import PrivacyRequest

    def request(reference: str, closed_days_ago: int | None) -> PrivacyRequest:
        closed = timezone.now() - timedelta(days=closed_days_ago) if closed_days_ago else None
        return PrivacyRequest.objects.create(
            reference=reference,
            request_type="access",
            jurisdiction="eea",
            email=f"{reference}@example.test",
            source="web",
            closed_at=closed,
        )

    old, recent, open_one = request("PR-OLD", 731), request("PR-NEW", 700), request("PR-OPEN", None)
    assert _run_rule_of("privacy.PrivacyRequest", timezone.now()) == 1
    assert set(PrivacyRequest.objects.all()) == {recent, open_one}
    assert not PrivacyRequest.objects.filter(pk=old.pk).exists()


def test_exports_past_their_seven_days_lose_their_file(workspace, owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from exports.models import DataExport

    export = DataExport.objects.create(
        user=owner.user,
        status="ready",
        ready_at=timezone.now() - timedelta(days=8),
        expires_at=timezone.now() - timedelta(days=1),
    )
    export.file.save("exports/bench-test.zip", ContentFile(b"zip"), save=True)
    name = export.file.name
    engine.run()
    export.refresh_from_db()
    assert export.status == "expired"
    assert not default_storage.exists(name)


def test_the_admin_change_log_is_kept_as_long_as_the_security_log(settings, owner):
    """Django admin's LogEntry names what staff changed (object_repr, change_message), which
    can be a person's name or email."""
    from django.contrib.admin.models import CHANGE, LogEntry

    settings.AUDIT_LOG_RETENTION_DAYS = 90

    def logged(age: timedelta) -> LogEntry:
        entry = LogEntry.objects.log_actions(
            user_id=owner.user.pk,
            queryset=User.objects.filter(pk=owner.user.pk),
            action_flag=CHANGE,
            change_message=f"Changed email to {owner.user.email}.",
            single_object=True,
        )
        _aged(LogEntry, [entry], "action_time", age)
        return entry

    old, recent = logged(timedelta(days=91)), logged(timedelta(days=89))
    assert old.object_repr == str(owner.user)

    assert engine.run(keys=["admin-log"]) == {"admin-log": 1}
    assert list(LogEntry.objects.all()) == [recent]

"""`manage.py run_retention`: the retention table as of any moment, for operators and tests.
A dry run counts what each rule would remove and changes nothing; the real run removes exactly
that and says so per rule; deleted accounts are purged once their grace is over."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import deletion
from accounts.models import User
from accounts.roles import Role
from assistant.models import AIGeneration
from audit.models import AuditAction, AuditEvent
from connections.models import ConnectedAccount
from inbox.models import Conversation, Message
from notifications.models import Notification
from publishing import composer, publisher, workflow
from publishing.models import Post, PostTarget
from publishing.payloads import settle
from publishing.states import move
from retention import engine
from tests.factories import MembershipFactory
from tests.publishing_fixtures import make_due

pytestmark = pytest.mark.django_db
S = PostTarget.State
LINE = re.compile(r"^\s+(\S+)\s+([\d,]+) (would go|removed)\s", re.MULTILINE)


def _aged(row, field: str, age: timedelta) -> None:
    type(row).objects.filter(pk=row.pk).update(**{field: timezone.now() - age})


def _database() -> dict[str, list[dict]]:
    """Every row of every table, to prove a dry run changed nothing."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _counts(output: str) -> dict[str, int]:
    return {key: int(n.replace(",", "")) for key, n, _ in LINE.findall(output)}


def _command(*args: str) -> str:
    out = StringIO()
    call_command("run_retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _as_of(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


@pytest.fixture
def due_everywhere(workspace, owner, x_account, upload, django_capture_on_commit_callbacks):
    """Something due under most daily rules 31 days from now, each made by the product's own
    code where it has a way to make it."""
    made = {}
    made["audit"] = AuditEvent.objects.create(action=AuditAction.LOGIN_SUCCEEDED)
    _aged(made["audit"], "created_at", timedelta(days=200))
    made["admin_log"] = LogEntry.objects.log_actions(
        user_id=owner.user.pk,
        queryset=User.objects.filter(pk=owner.user.pk),
        action_flag=CHANGE,
        change_message="Changed email to o@acme.test.",
        single_object=True,
    )
    _aged(made["admin_log"], "action_time", timedelta(days=200))
    made["notification"] = Notification.objects.create(user=owner.user, message="Old news")
    _aged(made["notification"], "created_at", timedelta(days=100))
    Session.objects.create(
        session_key="gone", session_data="x", expire_date=timezone.now() - timedelta(minutes=1)
    )

    workspace.inbox_retention_days = 30
    workspace.save()
    convo = Conversation.objects.create(
        workspace=workspace,
        account=x_account,
        kind="message",
        thread_key="ana",
        participant_id="ana",
        preview="Ten days ago",
    )
    Message.objects.create(
        conversation=convo,
        account=x_account,
        direction="inbound",
        text="Ten days ago",
        sent_at=timezone.now() - timedelta(days=10),
    )

    made["leaver"] = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    deletion.start_account_deletion(made["leaver"])

    def post(text: str, when) -> Post:
        data = composer.PostInput(
            text=text,
            media_ids=[upload("image").pk],
            targets=[composer.TargetInput(x_account.pk)],
            scheduled_at=timezone.now() + timedelta(hours=1),
        )
        # Scheduled ahead, then time passes until it was due `when`.
        return make_due(
            workflow.schedule(composer.save(workspace, owner.user, data)[0], owner), when
        )

    with django_capture_on_commit_callbacks(execute=True):
        # Missed its time 40 days ago: the hourly job expires it.
        made["expired"] = post("Missed", timezone.now() - timedelta(days=40))
        publisher.expire_missed()
        # Published; the publisher's queue data stays on the target.
        made["published"] = post("Out", timezone.now() - timedelta(minutes=5))
        target = made["published"].targets.get()
        assert publisher.dispatch_due() == 1
        assert move(target.pk, S.PUBLISHING, only_from=[S.QUEUED])
        # As the publisher finishes: the post settles and its copy goes at once.
        assert move(target.pk, S.PUBLISHED, only_from=[S.PUBLISHING], platform_post_id="1")
        settle(made["published"].pk)
        # Unscheduled while a target was being published: its copy is left behind.
        made["leftover"] = post("Left over", timezone.now() + timedelta(days=1))
        leftover = made["leftover"].targets.get()
        Post.objects.filter(pk=made["leftover"].pk).update(scheduled_at=timezone.now())
        PostTarget.objects.filter(pk=leftover.pk).update(due_at=timezone.now())
        assert publisher.dispatch_due() == 1
        assert move(leftover.pk, S.PUBLISHING, only_from=[S.QUEUED])
        workflow.unschedule(made["leftover"])
        assert move(leftover.pk, S.PUBLISHED, only_from=[S.PUBLISHING], platform_post_id="2")
    made["leftover_copy"] = made["leftover"].attachments.get().payload.name
    assert made["leftover_copy"]
    # An AI draft nobody used (goes after 30 days) and one used in a post (stays with it).
    for status, subject in (
        ("discarded", ""),
        ("accepted", f"publishing.post:{made['published'].pk}"),
    ):
        AIGeneration.objects.create(
            workspace=workspace,
            user=owner.user,
            purpose="caption",
            input_text="{}",
            output_text="Out",
            model="m",
            status=status,
            subject=subject,
            used_in="text" if subject else "",
        )
    assert default_storage.exists(made["leftover_copy"])
    return made


EXPECTED = {
    "audit-log": 1,
    "admin-log": 1,
    "notifications": 1,
    "sessions": 1,
    "inbox-messages": 1,
    "scheduled-copies": 1,
    "scheduled-queue": 2,  # both published targets
    "scheduled-expired": 1,
    "deleted-accounts": 1,
    "ai-drafts-unused": 1,
}


def test_a_dry_run_counts_per_rule_and_changes_nothing(due_everywhere):
    before = _database()

    output = _command("--dry-run", "--as-of", _as_of(31))

    assert "Dry run as of" in output
    assert "nothing is changed" in output
    counts = _counts(output)
    assert set(counts) == {rule.key for rule in engine.select()}
    assert {key: n for key, n in counts.items() if n} == EXPECTED
    assert _database() == before
    assert default_storage.exists(due_everywhere["leftover_copy"])


def test_the_real_run_removes_exactly_what_the_dry_run_counted(
    due_everywhere, django_capture_on_commit_callbacks
):
    predicted = _counts(_command("--dry-run", "--as-of", _as_of(31)))

    with django_capture_on_commit_callbacks(execute=True):
        output = _command("--as-of", _as_of(31))

    assert _counts(output) == predicted
    assert f"In all {sum(EXPECTED.values())} removed." in output
    assert not AuditEvent.objects.filter(pk=due_everywhere["audit"].pk).exists()
    assert not LogEntry.objects.filter(pk=due_everywhere["admin_log"].pk).exists()
    assert not User.objects.filter(pk=due_everywhere["leaver"].pk).exists()
    assert not Post.objects.filter(pk=due_everywhere["expired"].pk).exists()
    assert not default_storage.exists(due_everywhere["leftover_copy"])
    assert list(AIGeneration.objects.values_list("status", flat=True)) == ["accepted"]
    # A second run as of the same moment finds nothing left.
    assert not any(_counts(_command("--dry-run", "--as-of", _as_of(31))).values())


def test_a_deleted_account_is_purged_only_once_31_days_have_passed(workspace, owner):
    leaver = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    deletion.start_account_deletion(leaver)

    output = _command("--as-of", _as_of(29), "--rule", "deleted-accounts")
    assert _counts(output) == {"deleted-accounts": 0}
    assert User.objects.filter(pk=leaver.pk, is_active=False).exists()

    output = _command("--as-of", f"{_as_of(31)}T09:30", "--rule", "deleted-accounts")
    assert _counts(output) == {"deleted-accounts": 1}
    assert not User.objects.filter(pk=leaver.pk).exists()


def test_the_rule_option_runs_only_the_named_rules(owner):
    notice = Notification.objects.create(user=owner.user, message="Old news")
    _aged(notice, "created_at", timedelta(days=100))
    event = AuditEvent.objects.create(action=AuditAction.LOGIN_SUCCEEDED)
    _aged(event, "created_at", timedelta(days=200))

    output = _command("--rule", "notifications", "--rule", "sessions")

    assert _counts(output) == {"notifications": 1, "sessions": 0}
    assert not Notification.objects.filter(pk=notice.pk).exists()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_without_as_of_it_runs_as_of_now(owner):
    notice = Notification.objects.create(user=owner.user, message="Old news")
    _aged(notice, "created_at", timedelta(days=89))

    assert _counts(_command())["notifications"] == 0
    assert _counts(_command("--as-of", _as_of(2)))["notifications"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "31/12/2030"), "--as-of takes a date like"),
        (("--as-of", "2030-02-30"), "--as-of takes a date like"),
        (("--rule", "everything"), "No daily retention rule called 'everything'"),
        # A rule applied when something happens has nothing for a run to do.
        (("--rule", "posts-and-media"), "No daily retention rule called 'posts-and-media'"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(owner, args, message):
    notice = Notification.objects.create(user=owner.user, message="Old news")
    _aged(notice, "created_at", timedelta(days=100))
    before = _database()

    with pytest.raises(CommandError, match=re.escape(message)) as refused:
        _command(*args)

    assert "Nothing was changed." in str(refused.value)
    assert _database() == before


def test_a_failing_rule_is_reported_and_the_others_still_run(owner, monkeypatch):
    from django.core.files.base import ContentFile

    from exports.models import DataExport

    notice = Notification.objects.create(user=owner.user, message="Old news")
    _aged(notice, "created_at", timedelta(days=100))
    export = DataExport.objects.create(
        user=owner.user, status="ready", expires_at=timezone.now() - timedelta(days=1)
    )
    export.file.save("exports/failing.zip", ContentFile(b"zip"), save=True)

    def storage_down(name: str) -> None:
        raise OSError("storage unavailable")

    # The file storage (an outside service) fails; everything else is the real run.
    monkeypatch.setattr(default_storage, "delete", storage_down)
    err = StringIO()

    with pytest.raises(CommandError, match="A retention rule failed .*storage unavailable"):
        call_command("run_retention", stdout=StringIO(), stderr=err)

    assert re.search(r"exports\s+FAILED: storage unavailable", err.getvalue())
    assert not Notification.objects.filter(pk=notice.pk).exists()
    export.refresh_from_db()
    assert export.status == "ready"


def test_every_runner_rule_can_be_counted_and_keys_are_unique():
    from django.utils.module_loading import import_string

    from retention.rules import RULES

    keys = [rule.key for rule in RULES]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", key) for key in keys)
    for rule in RULES:
        if rule.runner:
            assert callable(import_string(rule.counter)), rule.key

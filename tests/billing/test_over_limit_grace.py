"""After a downgrade nothing is deleted: the owners are told what to remove, and after
OVER_LIMIT_GRACE_DAYS the extra social accounts pause (newest first) until the workspace is
back within its plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing import grace
from billing.models import BillingAccount, SubscriptionStatus
from connections import services
from connections.models import ConnectedAccount
from connections.platforms.base import Grant, Profile, TokenSet
from inbox.windows import reply_rule
from notifications.models import Notification
from publishing import publisher
from publishing.models import Post, PostTarget

from .plan_states import put_on

S = ConnectedAccount.Status
PAUSE_REASON = (
    "Your Free plan includes 2 connected social accounts: disconnect another account or "
    "upgrade to publish here again."
)


@pytest.fixture
def downgraded(workspace, owner):
    """Four accounts connected on Pro, then the subscription ended (Free: 2 accounts)."""
    put_on(workspace, "pro")
    for n in range(1, 5):
        ConnectedAccount.objects.create(
            workspace=workspace, platform="youtube", external_id=str(n), display_name=f"TV {n}"
        )
    put_on(workspace, "free", status=SubscriptionStatus.CANCELED)
    return workspace


def _statuses(workspace) -> list[str]:
    return list(workspace.connected_accounts.order_by("pk").values_list("status", flat=True))


def _later(days: float):
    return timezone.now() + timedelta(days=days)


def test_going_over_starts_the_grace_tells_the_owners_and_pauses_nothing(
    downgraded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grace.settle(downgraded)

    account = BillingAccount.objects.get(workspace=downgraded)
    assert account.over_limit_since is not None
    assert _statuses(downgraded) == [S.ACTIVE] * 4
    (email,) = mail.outbox
    assert "4 connected social accounts over your Free plan's 2: disconnect 2" in email.body
    grace.settle(downgraded)
    assert len(mail.outbox) == 1  # once


def test_after_the_grace_the_newest_extra_accounts_pause_and_say_why(
    downgraded, owner, django_capture_on_commit_callbacks
):
    grace.settle(downgraded)
    assert not grace.settle(downgraded, _later(settings.OVER_LIMIT_GRACE_DAYS - 1)).paused

    with django_capture_on_commit_callbacks(execute=True):
        done = grace.settle(downgraded, _later(settings.OVER_LIMIT_GRACE_DAYS + 0.1))

    assert [a.display_name for a in done.paused] == ["TV 3", "TV 4"]
    assert _statuses(downgraded) == [S.ACTIVE, S.ACTIVE, S.PAUSED, S.PAUSED]
    paused = ConnectedAccount.objects.get(display_name="TV 4")
    assert paused.status_reason == PAUSE_REASON
    assert ConnectedAccount.objects.count() == 4  # nothing deleted
    assert Notification.objects.filter(
        user=owner.user, message=f"YouTube: TV 4 is paused. {PAUSE_REASON}"
    ).exists()


def test_a_paused_account_publishes_nothing_and_says_why(client, downgraded, owner, celery_queue):
    grace.settle(downgraded)
    grace.settle(downgraded, _later(settings.OVER_LIMIT_GRACE_DAYS + 0.1))
    active, paused = (ConnectedAccount.objects.get(display_name=n) for n in ("TV 1", "TV 4"))
    due = timezone.now() - timedelta(seconds=1)
    post = Post.objects.create(
        workspace=downgraded, text="Hi", stage=Post.Stage.SCHEDULED, scheduled_at=due
    )
    waiting = PostTarget.objects.create(post=post, account=paused, state="scheduled", due_at=due)
    PostTarget.objects.create(post=post, account=active, state="scheduled", due_at=due)

    assert publisher.dispatch_due() == 1  # only the active account's target

    waiting.refresh_from_db()
    assert waiting.state == "scheduled"
    client.force_login(owner.user)
    page = client.get(reverse("post_detail", args=["acme", post.pk])).content.decode()
    assert f"Publishing to this account is paused. {PAUSE_REASON}" in page
    connections = client.get(reverse("connections", args=["acme"])).content.decode()
    assert '<span class="pill pill--paused">Paused</span>' in connections
    conversation = downgraded.conversations.create(
        account=paused, kind="message", thread_key="t", participant_id="p"
    )
    assert reply_rule(conversation).reason == f"TV 4 is paused. {PAUSE_REASON}"


def test_reconnecting_a_paused_account_does_not_lift_the_pause(downgraded, owner):
    grace.settle(downgraded)
    grace.settle(downgraded, _later(settings.OVER_LIMIT_GRACE_DAYS + 0.1))
    grant = Grant(TokenSet(access_token="fresh"), (Profile("youtube", "4", "TV 4"),))

    (account,) = services.save_grant(downgraded, owner.user, grant, grant.profiles)

    assert account.status == S.PAUSED
    assert account.access_token == "fresh"


def test_an_upgrade_resumes_every_paused_account(downgraded):
    grace.settle(downgraded)
    grace.settle(downgraded, _later(settings.OVER_LIMIT_GRACE_DAYS + 0.1))

    put_on(downgraded, "pro")
    done = grace.settle(downgraded)

    assert [a.display_name for a in done.resumed] == ["TV 3", "TV 4"]
    assert _statuses(downgraded) == [S.ACTIVE] * 4
    assert ConnectedAccount.objects.get(display_name="TV 4").status_reason == ""
    assert BillingAccount.objects.get(workspace=downgraded).over_limit_since is None


def test_disconnecting_back_within_the_plan_resumes_at_once(
    client, downgraded, owner, emulator, django_capture_on_commit_callbacks
):
    grace.settle(downgraded)
    grace.settle(downgraded, _later(settings.OVER_LIMIT_GRACE_DAYS + 0.1))
    client.force_login(owner.user)

    for name in ("TV 1", "TV 2"):
        account = ConnectedAccount.objects.get(display_name=name)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("connections_disconnect", args=["acme", account.pk]))

    assert _statuses(downgraded) == [S.ACTIVE, S.ACTIVE]
    assert BillingAccount.objects.get(workspace=downgraded).over_limit_since is None


def test_the_daily_task_settles_every_workspace_concerned(downgraded):
    grace.settle(downgraded)
    BillingAccount.objects.filter(workspace=downgraded).update(
        over_limit_since=timezone.now() - timedelta(days=settings.OVER_LIMIT_GRACE_DAYS + 1)
    )

    assert grace.settle_over_limit_workspaces() == 1

    assert _statuses(downgraded) == [S.ACTIVE, S.ACTIVE, S.PAUSED, S.PAUSED]

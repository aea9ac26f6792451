"""Over-limit grace: after a downgrade nothing is deleted. The workspace is told what to remove
(billing.usage.over_limit_lines, B3's notice) and gets OVER_LIMIT_GRACE_DAYS; after that its
extra social accounts pause, the newest first (the oldest ones, up to the plan's limit, keep
publishing). A paused account keeps its data and its token (refreshed as usual), publishes
nothing and says why; it works again as soon as the workspace is back within its plan (an
account disconnected, or an upgrade).

`settle(workspace)` does all of that for one workspace and is safe to run any time: daily
for every workspace concerned (`settle_over_limit_workspaces`), after a disconnect, and after a
subscription sync."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace
from accounts.roles import Capability, role_can
from connections.models import ConnectedAccount
from connections.signals import account_disconnecting
from mixora import limits
from notifications.models import Notification

from . import notices
from .models import BillingAccount
from .usage import over_limit_lines

log = logging.getLogger(__name__)
PAUSED = ConnectedAccount.Status.PAUSED


@dataclass
class Settled:
    paused: list[ConnectedAccount] = field(default_factory=list)
    resumed: list[ConnectedAccount] = field(default_factory=list)


def settle(workspace: Workspace, now: datetime | None = None) -> Settled:
    """Bring one workspace's over-limit state up to date: start or end its grace period, pause
    the extra accounts once the grace is over, resume what fits the plan again."""
    now = now or timezone.now()
    with transaction.atomic():
        # The lock every creation takes (mixora.limits.require callers): no account is
        # connected while this decides which ones publish.
        workspace = (
            Workspace.objects.select_for_update()
            .filter(pk=workspace.pk, deleted_at__isnull=True)
            .first()
        )
        if workspace is None:  # deleted meanwhile: its accounts go with it
            return Settled()
        account = BillingAccount.objects.select_for_update().filter(workspace=workspace).first()
        since = _track(account, workspace, now) if account is not None else None
        granted = limits.entitlements(workspace)
        limit = granted.limit(limits.SOCIAL_ACCOUNTS)
        held = list(
            ConnectedAccount.objects.filter(workspace=workspace)
            .exclude(status=ConnectedAccount.Status.REVOKED)
            .order_by("pk")  # creation order: a reconnect does not make an account newer
        )
        grace_over = since is not None and now >= since + _grace()
        if limit is None or len(held) <= limit or not grace_over:
            keep, extra = held, []
        else:
            keep, extra = held[:limit], held[limit:]
        done = Settled(
            paused=[a for a in extra if a.status != PAUSED],
            resumed=[a for a in keep if a.status == PAUSED],
        )
        reason = _reason(granted.plan_name, limit)
        for paused in done.paused:
            _set_status(paused, PAUSED, reason)
        for resumed in done.resumed:
            # Back to work; if its grant died meanwhile, the next call marks it for reconnect.
            _set_status(resumed, ConnectedAccount.Status.ACTIVE, "")
        if done.paused or done.resumed:
            transaction.on_commit(partial(_tell, workspace, done))
    return done


def _grace() -> timedelta:
    return timedelta(days=settings.OVER_LIMIT_GRACE_DAYS)


def _track(account: BillingAccount, workspace: Workspace, now: datetime) -> datetime | None:
    """Start the grace when the workspace goes over its plan (and tell the owners, once), end
    it when it is back within. Returns when the current grace began."""
    lines = over_limit_lines(workspace)
    if lines and account.over_limit_since is None:
        account.over_limit_since = now
        account.save(update_fields=["over_limit_since"])
        account.workspace = workspace
        notices.over_limit(account, lines)
    elif not lines and account.over_limit_since is not None:
        account.over_limit_since = None
        account.save(update_fields=["over_limit_since"])
    return account.over_limit_since


def _reason(plan_name: str, limit: int | None) -> str:
    return (
        f"Your {plan_name} plan includes {limit} connected social "
        f"account{'' if limit == 1 else 's'}: disconnect another account or upgrade to "
        "publish here again."
    )


def _set_status(account: ConnectedAccount, status: str, reason: str) -> None:
    account.status = status
    account.status_reason = reason[:300]
    account.save(update_fields=["status", "status_reason"])


def _tell(workspace: Workspace, done: Settled) -> None:
    """An in-app note to the people who manage connections (the over-limit email said when)."""
    lines = [f"{a} is paused. {a.status_reason}" for a in done.paused]
    lines += [f"{a} publishes again." for a in done.resumed]
    url = reverse("connections", args=[workspace.slug])
    managers = [
        m.user
        for m in workspace.memberships.select_related("user")
        if role_can(m.role, Capability.MANAGE_CONNECTIONS) and m.user.is_active
    ]
    Notification.objects.bulk_create(
        Notification(user=user, workspace=workspace, message=line[:300], url=url)
        for user in managers
        for line in lines
    )
    log.info(
        "workspace %s: paused %d, resumed %d accounts",
        workspace.pk,
        len(done.paused),
        len(done.resumed),
    )


@shared_task(name="billing.grace.settle_over_limit_workspaces", time_limit=600, soft_time_limit=540)
def settle_over_limit_workspaces() -> int:
    """Daily: every workspace in an over-limit grace, or with paused accounts."""
    ids = set(
        BillingAccount.objects.filter(over_limit_since__isnull=False).values_list(
            "workspace_id", flat=True
        )
    )
    ids |= set(
        ConnectedAccount.objects.filter(status=PAUSED).values_list("workspace_id", flat=True)
    )
    for workspace in Workspace.objects.filter(pk__in=ids):
        settle(workspace)
    return len(ids)


@receiver(account_disconnecting)
def _after_disconnect(sender: object, account: ConnectedAccount, **kwargs: object) -> None:
    """A disconnect may bring the workspace back within its plan: resume at once."""
    workspace = account.workspace
    transaction.on_commit(lambda: settle(workspace))

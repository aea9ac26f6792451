"""Connected accounts: save what a consent granted, keep tokens fresh, disconnect."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models.deletion import Collector
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, Workspace
from accounts.roles import Capability
from audit.models import AuditAction
from audit.trail import record
from mixora import limits
from notifications.services import notify_workspace

from .errors import AuthExpired, PlatformError
from .limits import accounts_in_use
from .models import ConnectedAccount
from .platforms.base import Grant, Profile, TokenSet
from .platforms.network import EventsStatus
from .platforms.registry import connector_for, network_for
from .signals import account_disconnecting, account_reconnected

log = logging.getLogger(__name__)


@transaction.atomic
def save_grant(
    workspace: Workspace,
    user: User,
    grant: Grant,
    profiles: Iterable[Profile],
    request: HttpRequest | None = None,
) -> list[ConnectedAccount]:
    """Create or renew one account per profile. Reconnecting an account the workspace already
    has (same platform and id) renews its tokens and keeps its history.

    New accounts count against the plan (mixora.limits.SOCIAL_ACCOUNTS): the workspace row is
    locked first, so two connections finishing at once cannot both take the last place, and a
    refusal (PlanLimitExceeded) saves none of them. A reconnect is not a new account; a revoked
    one coming back is."""
    profiles = list(profiles)
    Workspace.objects.select_for_update().get(pk=workspace.pk)
    held = set(
        ConnectedAccount.objects.filter(workspace=workspace)
        .exclude(status=ConnectedAccount.Status.REVOKED)
        .values_list("platform", "external_id")
    )
    adding = len({(p.platform, p.external_id) for p in profiles} - held)
    if adding:
        limits.require(
            workspace, limits.SOCIAL_ACCOUNTS, in_use=accounts_in_use(workspace), adding=adding
        )
    saved = []
    for profile in profiles:
        tokens = grant.tokens
        account, created = ConnectedAccount.objects.select_for_update().get_or_create(
            workspace=workspace,
            platform=profile.platform,
            external_id=profile.external_id,
            defaults={"display_name": profile.display_name, "connected_by": user},
        )
        account.display_name = profile.display_name
        account.handle = profile.handle
        account.avatar_url = profile.avatar_url
        account.details = profile.details
        account.scopes = list(tokens.scopes)
        account.access_token = grant.account_tokens.get(profile.external_id, tokens.access_token)
        account.refresh_token = tokens.refresh_token
        account.provider_user_token = tokens.provider_user_token
        account.provider_user_id = tokens.provider_user_id
        # A Page token derived from a long-lived user token has no expiry of its own.
        per_account = profile.external_id in grant.account_tokens
        account.token_expires_at = None if per_account else tokens.expires_at()
        account.refresh_expires_at = tokens.refresh_expires_at()
        if account.status != ConnectedAccount.Status.PAUSED:  # only the plan lifts a pause
            account.status = ConnectedAccount.Status.ACTIVE
            account.status_reason = ""
        account.last_error = ""
        account.last_success_at = timezone.now()
        if not created:
            account.connected_at = timezone.now()
        account.save()
        if not created:
            transaction.on_commit(
                lambda account=account: account_reconnected.send(ConnectedAccount, account=account)
            )
        transaction.on_commit(lambda account=account: start_events(account))
        record(
            AuditAction.ACCOUNT_CONNECTED if created else AuditAction.ACCOUNT_RECONNECTED,
            request=request,
            actor=user,
            workspace=workspace,
            platform=account.platform,
            account=account.display_name,
        )
        saved.append(account)
    return saved


def start_events(account: ConnectedAccount) -> EventsStatus | None:
    """Ask the platform to send this account's events to Mixora (on connect and reconnect),
    and keep the outcome for the Connections page."""
    try:
        status = network_for(account).on_connected(account)
    except PlatformError as exc:
        log.warning("events for %s account %s: %s", account.platform, account.pk, exc.message)
        status = EventsStatus(False, exc.message)
    except Exception:  # runs after the account is saved: a bug here must not undo the connect
        log.exception("events for %s account %s", account.platform, account.pk)
        status = EventsStatus(False, "Mixora could not ask the platform; reconnect to try again.")
    if status is None:
        return None
    with transaction.atomic():  # only the "events" key changes, whatever else was written
        current = ConnectedAccount.objects.select_for_update().filter(pk=account.pk).first()
        if current is None:  # disconnected meanwhile
            return status
        details = dict(current.details or {})
        details["events"] = {"receiving": status.receiving, "detail": status.detail[:300]}
        ConnectedAccount.objects.filter(pk=account.pk).update(details=details)
    account.details = details
    return status


def apply_tokens(account: ConnectedAccount, tokens: TokenSet) -> None:
    account.access_token = tokens.access_token
    if tokens.refresh_token:
        account.refresh_token = tokens.refresh_token
    account.token_expires_at = tokens.expires_at()
    if tokens.refresh_expires_in:
        account.refresh_expires_at = tokens.refresh_expires_at()
    account.last_success_at = timezone.now()
    account.last_error = ""
    account.save(
        update_fields=[
            "access_token",
            "refresh_token",
            "token_expires_at",
            "refresh_expires_at",
            "last_success_at",
            "last_error",
        ]
    )


def refresh(account: ConnectedAccount) -> bool:
    """Renew the access token. On a dead grant the account needs reconnecting; other
    failures (timeouts, throttling) leave it as it is for the next attempt.

    The row is locked for the exchange: X and TikTok rotate refresh tokens, so two
    concurrent refreshes with the same token would make the loser look like a dead grant."""
    with transaction.atomic():
        current = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
        if current.refresh_token != account.refresh_token:  # someone refreshed meanwhile
            account.access_token = current.access_token
            account.refresh_token = current.refresh_token
            account.token_expires_at = current.token_expires_at
            return current.status == ConnectedAccount.Status.ACTIVE
        try:
            tokens = connector_for(current).refresh(current)
        except PlatformError as exc:
            failure = exc
        else:
            apply_tokens(current, tokens)
            account.access_token = current.access_token
            account.refresh_token = current.refresh_token
            account.token_expires_at = current.token_expires_at
            return True
    if isinstance(failure, AuthExpired):
        mark_needs_reconnect(account, failure.message)
    else:
        account.last_error = failure.message[:300]
        account.save(update_fields=["last_error"])
    return False


def call_with_refresh[T](account: ConnectedAccount, call: Callable[[], T]) -> T:
    """Run a platform call; on an auth error refresh the token once and try again."""
    try:
        return call()
    except AuthExpired:
        if account.refresh_token and refresh(account):
            return call()
        raise


def check(account: ConnectedAccount) -> bool:
    """Fetch the profile (name and picture change) and record whether the account works."""
    client = connector_for(account)
    try:
        profile = call_with_refresh(account, lambda: client.profile(account))
    except AuthExpired as exc:
        mark_needs_reconnect(account, exc.message)
        return False
    except PlatformError as exc:
        account.last_error = exc.message[:300]
        account.save(update_fields=["last_error"])
        return False
    account.display_name = profile.display_name
    account.handle = profile.handle
    account.avatar_url = profile.avatar_url
    account.last_success_at = timezone.now()
    account.last_error = ""
    account.save(
        update_fields=["display_name", "handle", "avatar_url", "last_success_at", "last_error"]
    )
    return True


# A burst of posts of one account records its success once a minute, not once a post.
SUCCESS_RESOLUTION = timedelta(minutes=1)


def record_success(account: ConnectedAccount) -> None:
    """The account worked just now (as loaded: a recent success with no error is left as is)."""
    now = timezone.now()
    recent = account.last_success_at and now - account.last_success_at < SUCCESS_RESOLUTION
    if recent and not account.last_error:
        return
    ConnectedAccount.objects.filter(pk=account.pk).update(last_success_at=now, last_error="")
    account.last_success_at, account.last_error = now, ""


def mark_needs_reconnect(account: ConnectedAccount, reason: str) -> None:
    """Hold the account and tell the workspace's owners and admins, once."""
    already = account.status == ConnectedAccount.Status.NEEDS_RECONNECT
    account.status = ConnectedAccount.Status.NEEDS_RECONNECT
    account.status_reason = reason[:300]
    account.last_error = reason[:300]
    account.save(update_fields=["status", "status_reason", "last_error"])
    if already:
        return
    url = reverse("connections", args=[account.workspace.slug])
    notify_workspace(
        account.workspace,
        Capability.MANAGE_CONNECTIONS,
        message=f"{account.get_platform_display()} {account.display_name} needs reconnecting.",
        url=url,
        email_template="account_needs_reconnect",
        context={"account": account, "reason": reason},
    )


@dataclass(frozen=True)
class Disconnected:
    account_name: str
    revoked_at_platform: bool
    revoke_error: str = ""
    # The platform did not confirm it stopped sending the account's events.
    events_error: str = ""


def deletion_summary(account: ConnectedAccount) -> list[tuple[str, int]]:
    """What disconnecting deletes, counted by kind: everything that hangs off the account."""
    collector = Collector(using="default")
    collector.collect([account])
    counts = [
        (str(model._meta.verbose_name_plural), len(instances))
        for model, instances in collector.data.items()
        if model is not ConnectedAccount
    ]
    fast = ((str(qs.model._meta.verbose_name_plural), qs.count()) for qs in collector.fast_deletes)
    counts.extend(item for item in fast if item[1])
    return sorted(counts)


def disconnect(account: ConnectedAccount, request: HttpRequest) -> Disconnected:
    """Revoke at the platform where it can, then delete the tokens and every piece of this
    account's platform data we hold (privacy policy §6: content is kept until you
    disconnect the platform)."""
    revoked, error, events_error = False, "", ""
    try:
        network_for(account).on_disconnecting(account)
    except PlatformError as exc:
        # Whatever still arrives is dropped on receipt (no connected account matches it); the
        # person is told, so they can remove Mixora at the platform too.
        events_error = exc.message
        log.warning(
            "stopping events of %s account %s failed: %s", account.platform, account.pk, exc.message
        )
    client = connector_for(account)
    if not client.shares_grant(account):
        try:
            client.revoke(account)
            revoked = True
        except AuthExpired:
            revoked = True  # already dead at the platform
        except PlatformError as exc:
            error = exc.message
            log.warning(
                "revoking %s account %s failed: %s", account.platform, account.pk, exc.message
            )
    name = str(account)
    with transaction.atomic():
        record(
            AuditAction.ACCOUNT_DISCONNECTED,
            request=request,
            workspace=account.workspace,
            platform=account.platform,
            account=account.display_name,
            revoked_at_platform=revoked,
        )
        account_disconnecting.send(sender=ConnectedAccount, account=account)
        account.delete()
    return Disconnected(name, revoked, error, events_error)


def revoke_grants(accounts: Iterable[ConnectedAccount], reason: str) -> None:
    """Revoke at the platform and keep the rows (their workspace's history) without tokens:
    the workspace sees why and can reconnect."""
    for account in accounts:
        try:
            connector_for(account).revoke(account)
        except PlatformError as exc:  # already dead there, or the platform is down
            log.info("revoking account %s: %s", account.pk, exc.message)
        account.access_token = account.refresh_token = account.provider_user_token = ""
        account.status = ConnectedAccount.Status.REVOKED
        account.status_reason = reason[:300]
        account.save(
            update_fields=[
                "access_token",
                "refresh_token",
                "provider_user_token",
                "status",
                "status_reason",
            ]
        )

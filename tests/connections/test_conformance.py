"""The same contract, for every platform: the real connector against the emulator over HTTP.
Refresh, expiry, revocation, and each error class."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from connections import services
from connections.errors import AuthExpired, Permanent, RateLimited, Retryable
from connections.models import ConnectedAccount
from connections.platforms.registry import connector_for
from notifications.models import Notification

PLATFORM_OF = {"x": "x", "tiktok": "tiktok", "google": "youtube", "meta": "facebook"}
PROFILE_ENDPOINT = {
    "x": "x.users_me",
    "tiktok": "tiktok.user_info",
    "google": "youtube.channels",
    "meta": "meta.node",
}
USER_ID = {
    "x": "1500000000000000001",
    "tiktok": "tt-open-000001",
    "google": "g-000001",
    "meta": "10000000000001",
}
REFRESHABLE = ["x", "tiktok", "google"]
ALL = ["x", "tiktok", "google", "meta"]


@pytest.fixture
def connected(connect, workspace):
    def make(provider: str) -> ConnectedAccount:
        connect(provider)
        return workspace.connected_accounts.filter(platform=PLATFORM_OF[provider]).first()

    return make


@pytest.mark.parametrize("provider", ALL)
def test_profile_reads_the_account(connected, provider):
    account = connected(provider)
    profile = connector_for(account).profile(account)
    assert profile.external_id == account.external_id
    assert profile.display_name == account.display_name


@pytest.mark.parametrize("provider", REFRESHABLE)
def test_refresh_renews_the_token(connected, provider, emulator):
    account = connected(provider)
    old_access, old_refresh = account.access_token, account.refresh_token

    assert services.refresh(account) is True

    account.refresh_from_db()
    assert account.access_token != old_access
    assert account.token_expires_at > timezone.now()
    assert connector_for(account).profile(account).external_id == account.external_id
    if provider in ("x", "tiktok"):  # rotating refresh tokens: the old one is now dead
        assert account.refresh_token != old_refresh
        stale = ConnectedAccount(platform=account.platform, refresh_token=old_refresh)
        with pytest.raises(AuthExpired):
            connector_for(account).refresh(stale)
    else:  # Google keeps the refresh token
        assert account.refresh_token == old_refresh


def test_meta_cannot_refresh_and_asks_for_a_reconnect(connected):
    account = connected("meta")
    with pytest.raises(AuthExpired, match="reconnect"):
        connector_for(account).refresh(account)


@pytest.mark.parametrize("provider", REFRESHABLE)
def test_an_expired_token_is_refreshed_on_the_auth_error(connected, provider, emulator):
    account = connected(provider)
    emulator.control("POST", "tokens/expire", {"platform": provider, "token": account.access_token})

    assert services.check(account) is True

    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.ACTIVE
    assert emulator.requests(provider, PROFILE_ENDPOINT[provider])  # tried, failed, retried


@pytest.mark.parametrize("provider", ALL)
def test_a_revoked_grant_marks_the_account_and_tells_the_admins(
    connected, provider, emulator, django_capture_on_commit_callbacks
):
    account = connected(provider)
    mail.outbox.clear()
    emulator.control("POST", "tokens/revoke", {"platform": provider, "user_id": USER_ID[provider]})

    with django_capture_on_commit_callbacks(execute=True):
        assert services.check(account) is False

    account.refresh_from_db()
    assert account.status == ConnectedAccount.Status.NEEDS_RECONNECT
    assert account.status_reason
    note = Notification.objects.get(workspace=account.workspace)
    assert "needs reconnecting" in note.message
    assert [m.to for m in mail.outbox] == [["o@acme.test"]]
    # Telling once is enough: a second failed check sends nothing new.
    services.check(account)
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("provider", REFRESHABLE)
def test_tokens_near_expiry_are_refreshed_by_the_periodic_task(connected, provider, celery_queue):
    from connections.tasks import refresh_account_token, refresh_expiring_tokens

    account = connected(provider)
    ConnectedAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert refresh_expiring_tokens.apply().get() == 1
    assert celery_queue() == [("connections.tasks.refresh_account_token", [account.pk])]
    assert refresh_account_token.apply(args=[account.pk]).get() is True
    account.refresh_from_db()
    assert account.token_expires_at > timezone.now() + timedelta(minutes=30)


@pytest.mark.parametrize("provider", ALL)
@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("rate_limit", RateLimited),
        ("auth", AuthExpired),
        ("validation", Permanent),
        ("server", Retryable),
    ],
)
def test_each_error_class_is_recognised(connected, emulator, provider, kind, error):
    account = connected(provider)
    emulator.fail_next(provider, PROFILE_ENDPOINT[provider], kind, reset_after=120)
    with pytest.raises(error) as raised:
        connector_for(account).profile(account)
    assert raised.value.message
    if kind == "rate_limit":
        assert raised.value.retry_at > timezone.now()
    # The fault was one call only: the next call works again.
    assert connector_for(account).profile(account).external_id == account.external_id


def test_x_rate_limit_waits_until_the_platforms_reset(connected, emulator):
    account = connected("x")
    emulator.fail_next("x", "x.users_me", "rate_limit", reset_after=600)
    with pytest.raises(RateLimited) as raised:
        connector_for(account).profile(account)
    wait = raised.value.retry_at - timezone.now()
    assert timedelta(minutes=9) < wait <= timedelta(minutes=10, seconds=5)


@pytest.mark.parametrize("provider", ALL)
def test_a_slow_platform_times_out_as_retryable(connected, emulator, settings, provider):
    account = connected(provider)
    settings.PLATFORM_HTTP_TIMEOUT = (2, 0.5)
    emulator.fail_next(provider, PROFILE_ENDPOINT[provider], "slow", delay=1.5)
    with pytest.raises(Retryable, match="did not answer in time"):
        connector_for(account).profile(account)


@pytest.mark.parametrize("provider", ALL)
def test_disconnect_revokes_at_the_platform_and_deletes_everything(
    connected, emulator, provider, rf, owner
):
    account = connected(provider)
    request = rf.post("/")
    request.user = owner
    for other in account.workspace.connected_accounts.exclude(pk=account.pk):
        other.delete()  # Meta: no other Page shares the grant, so it is revoked

    result = services.disconnect(account, request)

    assert result.revoked_at_platform is True
    assert not ConnectedAccount.objects.filter(pk=account.pk).exists()
    revoke_endpoint = {
        "x": "x.revoke",
        "tiktok": "tiktok.revoke",
        "google": "google.revoke",
        "meta": "meta.revoke",
    }[provider]
    assert emulator.requests(provider, revoke_endpoint)
    # The grant is dead at the platform too.
    with pytest.raises(AuthExpired):
        connector_for(account).profile(account)


def test_disconnecting_one_page_keeps_the_shared_facebook_grant(
    connect, workspace, emulator, rf, owner
):
    connect("meta")
    page, *others = workspace.connected_accounts.order_by("pk")
    request = rf.post("/")
    request.user = owner

    result = services.disconnect(page, request)

    assert result.revoked_at_platform is False
    assert not emulator.requests("meta", "meta.revoke")
    remaining = others[0]
    assert connector_for(remaining).profile(remaining).external_id == remaining.external_id

"""What each connected account can do in the inbox, decided by its platform, the scopes it
granted and (for X) the API plan this deployment pays for."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from connections.models import ConnectedAccount
from connections.platforms import Platform

X_TIERS = ("free", "basic", "pro", "enterprise")
TIKTOK_UNAVAILABLE = (
    "TikTok conversations are not available: TikTok offers no API to read or answer comments "
    "and messages of accounts connected with TikTok Login."
)


@dataclass(frozen=True)
class Feature:
    kind: str  # "message" or "comment"
    label: str
    receive: bool
    reply: bool
    detail: str


def _x_tier_at_least(tier: str) -> bool:
    current = settings.X_API_TIER if settings.X_API_TIER in X_TIERS else "free"
    return X_TIERS.index(current) >= X_TIERS.index(tier)


def _missing(account: ConnectedAccount, *scopes: str) -> list[str]:
    granted = set(account.scopes or [])
    return [scope for scope in scopes if scope not in granted]


def _scoped(account: ConnectedAccount, kind: str, label: str, *scopes: str) -> Feature:
    missing = _missing(account, *scopes)
    if missing:
        detail = f"Reconnect and allow {', '.join(missing)} to answer here."
        return Feature(kind, label, receive=True, reply=False, detail=detail)
    return Feature(kind, label, receive=True, reply=True, detail="Arrives in real time.")


def features(account: ConnectedAccount) -> list[Feature]:
    if account.platform == Platform.FACEBOOK:
        return [
            _scoped(account, "message", "Messenger", "pages_messaging"),
            _scoped(account, "comment", "Page comments", "pages_manage_engagement"),
        ]
    if account.platform == Platform.INSTAGRAM:
        return [
            _scoped(account, "message", "Direct messages", "instagram_manage_messages"),
            _scoped(account, "comment", "Comments", "instagram_manage_comments"),
        ]
    if account.platform == Platform.X:
        return _x_features(account)
    if account.platform == Platform.YOUTUBE:
        minutes = max(1, round(settings.INBOX_POLL_SECONDS / 60))
        polled = f"Checked for new comments every {minutes} min (YouTube has no webhooks)."
        missing = _missing(account, "https://www.googleapis.com/auth/youtube.force-ssl")
        detail = "Reconnect and allow managing comments to answer here." if missing else polled
        return [Feature("comment", "Video comments", True, not missing, detail)]
    return [Feature("comment", "Comments and messages", False, False, TIKTOK_UNAVAILABLE)]


def _x_features(account: ConnectedAccount) -> list[Feature]:
    plan = settings.X_API_TIER
    if not _x_tier_at_least("pro"):
        detail = (
            f"Mixora's X API plan ({plan}) has no Account Activity access: direct messages "
            "and mentions need the Pro plan or higher."
        )
        return [
            Feature("message", "Direct messages", False, False, detail),
            Feature("comment", "Replies and mentions", False, False, detail),
        ]
    dm_missing = _missing(account, "dm.read", "dm.write")
    dm_detail = (
        f"Reconnect and allow {', '.join(dm_missing)} to read and answer direct messages."
        if dm_missing
        else "Arrives in real time."
    )
    return [
        Feature("message", "Direct messages", not dm_missing, not dm_missing, dm_detail),
        _scoped(account, "comment", "Replies and mentions", "tweet.write"),
    ]


def feature_for(account: ConnectedAccount, kind: str) -> Feature | None:
    return next((f for f in features(account) if f.kind == kind), None)

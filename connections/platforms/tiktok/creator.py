"""The creator's posting settings from creator_info/query: who may watch, which interactions
the creator allows, the longest video.

TikTok requires querying it before every post and showing it on the upload page
(developers.tiktok.com/doc/content-posting-api-reference-query-creator-info,
developers.tiktok.com/doc/content-sharing-guidelines "Required UX Implementation")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from ...errors import PlatformError

if TYPE_CHECKING:
    from ...models import ConnectedAccount

# The composer shows what the creator allows now; a short cache spares TikTok's 20 calls a
# minute per token while someone edits, and is short enough to stay "the latest".
CACHE_SECONDS = 120
INTERACTIONS = ("comment", "duet", "stitch")


@dataclass(frozen=True)
class CreatorInfo:
    nickname: str
    privacy_options: tuple[str, ...]
    disabled: frozenset[str]  # interactions the creator turned off (private accounts: duet, stitch)
    max_duration: int | None  # seconds

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CreatorInfo:
        duration = data.get("max_video_post_duration_sec")
        return cls(
            nickname=str(data.get("creator_nickname") or data.get("creator_username") or ""),
            privacy_options=tuple(data.get("privacy_level_options") or ()),
            disabled=frozenset(i for i in INTERACTIONS if data.get(f"{i}_disabled")),
            max_duration=duration if isinstance(duration, int) and duration > 0 else None,
        )

    def limits(self) -> dict[str, Any]:
        """What the composer stores with the target, for checking it later."""
        limits: dict[str, Any] = {"privacy_options": list(self.privacy_options)}
        if self.max_duration:
            limits["max_duration"] = self.max_duration
        return limits


def query(account: ConnectedAccount) -> CreatorInfo:
    """Ask TikTok now (refreshing the token once if needed). Raises a PlatformError."""
    from ... import services
    from .. import registry

    connector = registry.connector_for(account)
    data = services.call_with_refresh(account, lambda: connector.creator_info(account))
    info = CreatorInfo.from_data(data)
    cache.set(_key(account.pk), info, CACHE_SECONDS)
    return info


def recent(account: ConnectedAccount) -> CreatorInfo:
    """What the composer shows: asked within the last two minutes, else asked now."""
    return cache.get(_key(account.pk)) or query(account)


def recent_or_none(account: ConnectedAccount) -> tuple[CreatorInfo | None, str]:
    """(info, "") or (None, why TikTok could not be asked)."""
    try:
        return recent(account), ""
    except PlatformError as exc:
        return None, exc.message


def _key(account_pk: int) -> str:
    return f"tiktok:creator_info:{account_pk}"

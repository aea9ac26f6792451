"""What TikTok accepts (developers.tiktok.com/doc/content-posting-api-reference-direct-post:
one video, a 2,200-character caption counted in UTF-16 units, a privacy level the creator
allows, a duration within the creator's maximum), and the composer's TikTok block, laid out
as developers.tiktok.com/doc/content-sharing-guidelines requires: the creator's nickname, only
the audiences the creator offers and none chosen in advance, interactions off until turned
on and greyed out where the creator disabled them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import Platform
from ..network import Check, MediaFacts, media_counts
from .creator import INTERACTIONS, CreatorInfo

if TYPE_CHECKING:
    from ...models import ConnectedAccount

PRIVACY = {
    "PUBLIC_TO_EVERYONE": "Everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Friends",
    "FOLLOWER_OF_CREATOR": "Followers",
    "SELF_ONLY": "Only me",
}
INTERACTION_LABELS = {"comment": "Allow comments", "duet": "Allow Duet", "stitch": "Allow Stitch"}
API_MAX_DURATION = 600  # the API's ceiling for any creator (media transfer guide)


def check_tiktok(text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
    check = Check(Platform.TIKTOK, used=len(text.encode("utf-16-le")) // 2, limit=2200)
    images, videos = media_counts(media)
    if videos != 1 or images:
        check.problems.append("TikTok needs exactly one video.")
    if check.used > check.limit:
        check.problems.append(f"TikTok captions allow 2,200 characters: this is {check.used}.")
    allowed = options.get("privacy_options") or tuple(PRIVACY)
    if options.get("privacy_level") not in allowed:
        check.problems.append("Choose who can see this TikTok.")
    max_duration = options.get("max_duration") or API_MAX_DURATION
    if any(m.duration and m.duration > max_duration for m in media):
        check.problems.append(f"This TikTok account posts videos up to {max_duration} seconds.")
    return check


def options_from(data: Any, key: int, info: CreatorInfo | None) -> dict[str, Any]:
    """The target's options from the form. With the creator's settings at hand, only what
    they allow is kept, and they are stored for `check_tiktok`."""
    level = data.get(f"privacy_{key}", "")
    allowed = info.privacy_options if info else tuple(PRIVACY)
    options: dict[str, Any] = {"privacy_level": level if level in allowed else ""}
    for name in INTERACTIONS:
        disabled = info is not None and name in info.disabled
        options[f"allow_{name}"] = not disabled and bool(data.get(f"allow_{name}_{key}"))
    if info:
        options.update(info.limits())
    return options


def context(info: CreatorInfo | None, problem: str) -> dict[str, Any]:
    """What tiktok_options.html shows."""
    privacy = info.privacy_options if info else tuple(PRIVACY)
    return {
        "creator": info,
        "creator_problem": problem,
        "privacy_choices": {level: PRIVACY.get(level, level) for level in privacy},
        "interactions": [
            {
                "name": name,
                "label": INTERACTION_LABELS[name],
                "disabled": info is not None and name in info.disabled,
            }
            for name in INTERACTIONS
        ],
        "max_duration": (info.max_duration if info else None),
    }


def fallback_message(account: ConnectedAccount, problem: str) -> str:
    return (
        f"Could not load the TikTok settings of {account.display_name}: {problem.rstrip('.')}. "
        "The choices below may "
        "include some this account does not offer; Mixora asks TikTok again before posting."
    )

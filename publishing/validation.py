"""What each network accepts, checked before anything is scheduled and shown live in the
composer. The rules live in each network's package (`connections/platforms/<network>/`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connections.platforms.network import Check, MediaFacts
from connections.platforms.registry import network

__all__ = ["Check", "MediaFacts", "check_target"]


def check_target(
    platform: str, text: str, media: list[MediaFacts], options: Mapping[str, Any]
) -> Check:
    return network(platform).check(text, media, options)

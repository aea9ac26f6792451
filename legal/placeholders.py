"""Template leftovers that must never reach a published legal text: "[Company]", "TBD",
"[country or region]", "example.com", an unreplaced {{variable}}…"""

from __future__ import annotations

import re

from .render import COOKIE_MARKER, RETENTION_MARKER

_PATTERNS = (
    # Bracketed text that is not a link's label ("[text](target)") nor one of our markers.
    re.compile(r"(?<!\[)\[(?!\[)[^\]\n]+\](?!\(|\])"),
    re.compile(r"\{\{[^}]*\}\}"),
    re.compile(r"<[a-z][^<>\n]*(?:name|here|company|address|date)[^<>\n]*>", re.IGNORECASE),
    re.compile(r"\b(?:TBD|TBC|TODO|FIXME|XXX+)\b"),
    re.compile(r"\blorem ipsum\b", re.IGNORECASE),
    re.compile(r"\bexample\.(?:com|org|net|test)\b", re.IGNORECASE),
    re.compile(
        r"\b(?:example|acme|insert)[ -](?:company|inc|ltd|llc|corp|provider|name|address)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bcompany name\b", re.IGNORECASE),
)


def find(text: str) -> list[str]:
    """Every placeholder in `text`, in order of appearance."""
    text = text.replace(RETENTION_MARKER, "").replace(COOKIE_MARKER, "")
    hits = sorted(
        (match.start(), match.group(0)) for pattern in _PATTERNS for match in pattern.finditer(text)
    )
    return [hit for _, hit in hits]

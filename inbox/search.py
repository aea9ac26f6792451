"""Accent- and case-insensitive matching: "chloe" finds "Chloé".

Messages and conversations keep a normalised copy of what is searched (`Message.search_text`,
`Conversation.search_name`), written on save, and a query is normalised the same way. Chosen
over PostgreSQL's `unaccent` because it behaves identically on PostgreSQL and on the SQLite
local mode, keeps the full-text GIN index usable (`unaccent()` is not IMMUTABLE, so it cannot
sit in an index expression without a wrapper) and needs no database extension."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """Compatibility-decomposed, without combining marks, case-folded: "Chloé" -> "chloe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def participant_key(name: str, handle: str) -> str:
    """What a conversation is found by besides its messages: the person's name and handle."""
    return normalise(f"{name} {handle}".strip())

"""Accent- and case-insensitive matching: "chloe" finds "Chloé".

Messages and conversations keep a normalised copy of what is searched (`Message.search_text`,
`Conversation.search_name`), written on save, and a query is normalised the same way. Chosen
over PostgreSQL's `unaccent` because it behaves identically on PostgreSQL and on the SQLite
local mode, can sit in an index (`unaccent()` is not IMMUTABLE) and needs no extension.

On PostgreSQL a search matches conversations, not messages (issue 15): each conversation has a
`search_document`, the distinct words of its `search_name` and of its messages' `search_text`,
kept by triggers (migration 0007) whatever writes the messages (ingest, replies, notes, bulk
loads) or deletes them (retention, a deleted thread, a disconnected account): a deleted
message's words leave the document in the same statement. It is GIN-indexed with the workspace
and deliberately not a model field, so a stale in-memory conversation saved by the ORM can
never overwrite it. The local SQLite mode compares substrings instead."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """Compatibility-decomposed, without combining marks, case-folded: "Chloé" -> "chloe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def participant_key(name: str, handle: str) -> str:
    """What a conversation is found by besides its messages: the person's name and handle."""
    return normalise(f"{name} {handle}".strip())

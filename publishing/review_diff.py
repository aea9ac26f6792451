"""What changed between two review snapshots (see `publishing.review.snapshot`).

Plain data in, plain data out: the review box renders it. A snapshot is
`{"scheduled_at": iso or None, "accounts": [{"account", "name", "network", "platform",
"text", "own_caption", "options": [[label, value], ...], "own_media", "media": [{"id",
"name"}]}], "media": [{"id", "name"}]}`: top-level "media" is the shared set, each account's
"media" what it receives (snapshots from before per-account media lack both account keys:
the account received the shared set)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any, Literal

SegmentKind = Literal["same", "added", "removed"]
Segment = tuple[SegmentKind, str]

# Words, punctuation and the whitespace between them (kept, so line breaks stay where they
# were): "here," becoming "here, now" marks only ", now", not the whole word.
_TOKENS = re.compile(r"\w+|[^\w\s]+|\s+")


def word_diff(old: str, new: str) -> list[Segment]:
    """`new` against `old`, word by word: runs of unchanged, removed and added text.

    The unchanged and added runs together are exactly `new`. Whitespace between two changed
    words joins them into one run ("[-two old-][+three new words+]" rather than a
    word-by-word alternation), and only words are marked, never the spaces around them."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    segments: list[Segment] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        old_run, new_run = "".join(removed), "".join(added)
        if old_run.strip():  # a removed line break alone is not worth marking
            segments.append(("removed", old_run))
        words = new_run.strip()
        if words:
            _append(segments, "same", new_run[: new_run.index(words)])
            segments.append(("added", words))
            _append(segments, "same", new_run[new_run.index(words) + len(words) :])
        else:  # spacing only (a new line break, say): part of the new text, not marked
            _append(segments, "same", new_run)
        removed.clear()
        added.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(after[j1:j2])
            if text.isspace() and (removed or added) and index + 1 < len(opcodes):
                removed.append(text)
                added.append(text)
                continue
            flush()
            _append(segments, "same", text)
        else:
            removed.extend(before[i1:i2])
            added.extend(after[j1:j2])
    flush()
    return segments


def _append(segments: list[Segment], kind: SegmentKind, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == kind:
        segments[-1] = (kind, segments[-1][1] + text)
    else:
        segments.append((kind, text))


@dataclass(frozen=True)
class AccountRef:
    name: str
    network: str
    platform: str


@dataclass(frozen=True)
class OptionChange:
    label: str
    old: str | None  # None: not set before
    new: str | None  # None: no longer set


@dataclass(frozen=True)
class CaptionChange:
    """A caption change, shown once for every account it reaches (a new shared text)."""

    accounts: tuple[AccountRef, ...]
    segments: tuple[Segment, ...]
    spacing_only: bool  # the words are the same: only spaces or line breaks moved


@dataclass(frozen=True)
class OptionsChange:
    account: AccountRef
    options: tuple[OptionChange, ...]


@dataclass(frozen=True)
class AccountMediaChange:
    """What one account receives changed through its own media (set, changed or dropped)."""

    account: AccountRef
    added: list[str]
    removed: list[str]
    reordered: bool
    own: bool  # it now has its own media (False: back to the shared media)


@dataclass(frozen=True)
class Changes:
    scheduled: tuple[datetime | None, datetime | None] | None  # (old, new) when it moved
    media_added: list[str]
    media_removed: list[str]
    media_reordered: bool
    accounts_added: list[AccountRef]
    accounts_removed: list[AccountRef]
    captions: list[CaptionChange]
    options: list[OptionsChange]
    account_media: list[AccountMediaChange] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(
            self.scheduled
            or self.media_added
            or self.media_removed
            or self.media_reordered
            or self.accounts_added
            or self.accounts_removed
            or self.captions
            or self.options
            or self.account_media
        )


def _ref(account: dict[str, Any]) -> AccountRef:
    return AccountRef(account["name"], account["network"], account["platform"])


def option_changes(old: list[list[str]], new: list[list[str]]) -> tuple[OptionChange, ...]:
    """Options compared by their label, in the new order, then those no longer set."""
    before, after = dict(map(tuple, old)), dict(map(tuple, new))
    labels = list(after) + [label for label in before if label not in after]
    return tuple(
        OptionChange(label, before.get(label), after.get(label))
        for label in labels
        if before.get(label) != after.get(label)
    )


def _received(account: dict[str, Any], snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return account["media"] if account.get("own_media") else snapshot["media"]


def _media_names(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> tuple[list[str], list[str], bool]:
    """(added, removed, reordered) from one media list to another."""
    old_ids, new_ids = [m["id"] for m in old], [m["id"] for m in new]
    names = {m["id"]: m["name"] for m in old + new}
    return (
        [names[i] for i in new_ids if i not in old_ids],
        [names[i] for i in old_ids if i not in new_ids],
        set(old_ids) == set(new_ids) and old_ids != new_ids and len(old_ids) > 1,
    )


def _account_media(
    old: dict[str, Any], new: dict[str, Any], then: dict[str, Any], now: dict[str, Any]
) -> AccountMediaChange | None:
    """The account's media change where its own media are involved (a change of the shared
    set alone is reported once, for everyone on it)."""
    if not (then.get("own_media") or now.get("own_media")):
        return None
    was, will = _received(then, old), _received(now, new)
    if [m["id"] for m in was] == [m["id"] for m in will]:
        return None
    added, removed, reordered = _media_names(was, will)
    return AccountMediaChange(_ref(now), added, removed, reordered, bool(now.get("own_media")))


def _when(value: str | None) -> datetime | None:
    # To the minute: the precision people choose a time in and see it at.
    return datetime.fromisoformat(value).replace(second=0, microsecond=0) if value else None


def compare(old: dict[str, Any], new: dict[str, Any]) -> Changes:
    """What changed from snapshot `old` to snapshot `new`."""
    before = {a["account"]: a for a in old["accounts"]}
    after = {a["account"]: a for a in new["accounts"]}

    captions: dict[tuple[str, str], list[AccountRef]] = {}
    options = []
    account_media = []
    for account_id, now in after.items():
        then = before.get(account_id)
        if then is None:
            continue
        if then["text"] != now["text"]:
            captions.setdefault((then["text"], now["text"]), []).append(_ref(now))
        if changed := option_changes(then["options"], now["options"]):
            options.append(OptionsChange(_ref(now), changed))
        if media := _account_media(old, new, then, now):
            account_media.append(media)

    media_added, media_removed, media_reordered = _media_names(old["media"], new["media"])
    old_time, new_time = _when(old["scheduled_at"]), _when(new["scheduled_at"])
    return Changes(
        scheduled=(old_time, new_time) if old_time != new_time else None,
        media_added=media_added,
        media_removed=media_removed,
        media_reordered=media_reordered,
        accounts_added=[_ref(a) for i, a in after.items() if i not in before],
        accounts_removed=[_ref(a) for i, a in before.items() if i not in after],
        captions=[
            CaptionChange(tuple(accounts), tuple(word_diff(was, now)), was.split() == now.split())
            for (was, now), accounts in captions.items()
        ],
        options=options,
        account_media=account_media,
    )

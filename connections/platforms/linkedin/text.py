"""LinkedIn's "little" text: post commentary and comments reserve | { } @ [ ] ( ) < > # \\ * _ ~,
and "All reserved characters need to be escaped with a backslash, even if those characters are
not used in one of the supported elements" (learn.microsoft.com/en-us/linkedin/marketing/
community-management/shares/little-text-format). Mixora escapes them rather than refusing
them, and keeps hashtags as hashtags with the documented {hashtag|\\#|tag} element."""

from __future__ import annotations

import re

RESERVED = set("|{}@[]()<>#\\*_~")
# A hashtag: # then a word with at least one letter ("#4" is a number, not a tag).
_HASHTAG = re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])(\w+)")


def _escape_plain(text: str) -> str:
    return "".join(f"\\{c}" if c in RESERVED else c for c in text)


def escape(text: str) -> str:
    """The commentary LinkedIn should show as `text`."""
    parts, last = [], 0
    for match in _HASHTAG.finditer(text):
        parts.append(_escape_plain(text[last : match.start()]))
        parts.append("{hashtag|\\#|" + _escape_plain(match.group(1)) + "}")
        last = match.end()
    parts.append(_escape_plain(text[last:]))
    return "".join(parts)


def escaped_length(text: str) -> int:
    """How long the commentary is once escaped: the length LinkedIn's limit applies to."""
    return len(escape(text))

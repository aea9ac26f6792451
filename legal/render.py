"""A tiny, safe renderer for legal texts.

The body is plain text with a few line-level marks (headings, lists, tables) and two inline
ones (bold, links). Every piece of text is escaped before any markup is added, so nothing
typed into a document can become HTML; links only go to http(s), mailto, this site, or a
named URL of this site. Two marker lines pull live tables in: the retention periods the
software applies, and the cookies the consent banner manages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

RETENTION_MARKER = "[[retention-table]]"
COOKIE_MARKER = "[[cookie-table]]"

_HEADING = re.compile(r"^(#{1,3})\s+(.+)$")
_BULLET = re.compile(r"^[-*]\s+(.+)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+(.+)$")
_SEPARATOR_ROW = re.compile(r"^\|?[\s:|-]+\|?$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_SAFE_TARGET = re.compile(r"^(https?://|mailto:|/(?!/)|#)\S*$")

Rows = Sequence[tuple[str, ...]]


@dataclass
class Rendered:
    html: SafeString
    # (anchor id, heading text) of every level-2 heading, for a table of contents.
    headings: list[tuple[str, str]] = field(default_factory=list)


def retention_rows() -> Rows:
    """The retention engine's public table: (what, how long, how it ends) rows."""
    from retention.rules import public_rows

    return public_rows()


def cookie_rows() -> Rows:
    """(cookie, category, purpose) for every cookie the consent banner knows about; a
    category that sets no cookie says so."""
    from cookie_consent.models import CookieGroup

    rows = []
    for group in CookieGroup.objects.prefetch_related("cookie_set").order_by("ordering", "pk"):
        category = group.name + (" (always on)" if group.is_required else " (with your consent)")
        cookies = list(group.cookie_set.all())
        rows += [(c.name, category, c.description or group.description) for c in cookies]
        if not cookies:
            rows.append(("No cookie", category, group.description))
    return rows


def _link(match: re.Match[str]) -> str:
    label, target = match.group(1), match.group(2)
    if target.startswith("url:"):
        try:
            target = escape(reverse(target[4:]))
        except NoReverseMatch:
            return label  # a page that does not exist (yet) is named, not linked
    if not _SAFE_TARGET.match(target):
        return label
    return f'<a href="{target}">{label}</a>'


def inline(text: str) -> str:
    """Escaped text with **bold** and [links](target) turned into markup."""
    html = escape(text)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _LINK.sub(_link, html)


def table(header: Iterable[str], rows: Rows) -> str:
    """A table; every cell goes through inline(), which escapes."""
    if not rows:
        return ""
    head = "".join(f'<th scope="col">{inline(cell)}</th>' for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<div class="legal-table"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


class _Builder:
    def __init__(self, markers: dict[str, Callable[[], str]]) -> None:
        self.out: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.markers = markers
        self.kind: str | None = None  # the open block: "p", "ul", "ol" or "table"
        self.items: list[str] = []
        self.used_ids: set[str] = set()

    def flush(self) -> None:
        if self.kind == "p":
            self.out.append(f"<p>{inline(' '.join(self.items))}</p>")
        elif self.kind in ("ul", "ol"):
            items = "".join(f"<li>{inline(item)}</li>" for item in self.items)
            self.out.append(f"<{self.kind}>{items}</{self.kind}>")
        elif self.kind == "table":
            cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in self.items]
            self.out.append(table(cells[0], [tuple(r) for r in cells[1:]]))
        self.kind, self.items = None, []

    def add(self, kind: str, text: str) -> None:
        if self.kind != kind:
            self.flush()
            self.kind = kind
        self.items.append(text)

    def heading(self, level: int, text: str) -> None:
        self.flush()
        base = slugify(text) or "section"
        anchor, n = base, 2
        while anchor in self.used_ids:
            anchor, n = f"{base}-{n}", n + 1
        self.used_ids.add(anchor)
        tag = "h2" if level <= 2 else "h3"
        if tag == "h2":
            self.headings.append((anchor, text))
        self.out.append(f'<{tag} id="{anchor}">{inline(text)}</{tag}>')

    def line(self, raw: str) -> None:
        text = raw.strip()
        if not text:
            self.flush()
        elif text in self.markers:
            self.flush()
            self.out.append(self.markers[text]())
        elif match := _HEADING.match(text):
            self.heading(len(match.group(1)), match.group(2).strip())
        elif text.startswith("|"):
            if not (self.kind == "table" and _SEPARATOR_ROW.match(text)):
                self.add("table", text)
        elif match := _BULLET.match(text):
            self.add("ul", match.group(1))
        elif match := _NUMBERED.match(text):
            self.add("ol", match.group(1))
        elif self.kind in ("ul", "ol") and raw[:1].isspace():
            self.items[-1] += " " + text  # an indented line continues the list item
        else:
            self.add("p", text)


def snapshot(body: str) -> dict[str, list[list[str]]]:
    """The live tables `body` shows, as they are now, to keep with a published version."""
    tables: dict[str, list[list[str]]] = {}
    if RETENTION_MARKER in body:
        tables["retention"] = [list(row) for row in retention_rows()]
    if COOKIE_MARKER in body:
        tables["cookies"] = [list(row) for row in cookie_rows()]
    return tables


def render_frozen(body: str, tables: dict[str, list[list[str]]]) -> Rendered:
    """`body` with the tables it had on publication (live ones where none were kept)."""
    frozen_retention, frozen_cookies = tables.get("retention"), tables.get("cookies")
    return render(
        body,
        retention=retention_rows if frozen_retention is None else lambda: frozen_retention,
        cookies=cookie_rows if frozen_cookies is None else lambda: frozen_cookies,
    )


def render(
    body: str,
    *,
    retention: Callable[[], Rows] = retention_rows,
    cookies: Callable[[], Rows] = cookie_rows,
) -> Rendered:
    builder = _Builder(
        {
            RETENTION_MARKER: lambda: table(("What", "How long", "How it ends"), retention()),
            COOKIE_MARKER: lambda: table(("Cookie", "Category", "Purpose"), cookies()),
        }
    )
    for raw in body.replace("\r\n", "\n").split("\n"):
        builder.line(raw)
    builder.flush()
    return Rendered(
        html=mark_safe("\n".join(builder.out)),  # noqa: S308 - built only from escaped pieces
        headings=builder.headings,
    )

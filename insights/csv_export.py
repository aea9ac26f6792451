"""The period's posts as CSV, one row per post and account, written as the rows are read."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from connections.platforms import Platform
from connections.platforms.network import METRIC_FIELDS

from .models import PostInsight

HEADER = (
    "published",
    "network",
    "account",
    "format",
    "caption",
    *METRIC_FIELDS,
    "engagement rate (%)",
    "permalink",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = dict(PostInsight.Format.choices)
NETWORKS = dict(Platform.choices)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def defused(value: str) -> str:
    """Text that a spreadsheet shows instead of evaluating."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(rows: Iterable[tuple], tz_name: str, excerpt_length: int) -> Iterator[str]:
    """The header, then a line per `queries.export_rows` row."""
    writer = csv.writer(_Echo())
    zone = ZoneInfo(tz_name)
    yield "\ufeff" + writer.writerow(HEADER)  # the BOM makes Excel read UTF-8
    for published_at, platform, account, post_format, excerpt, *numbers, permalink in rows:
        *metrics, rate = numbers
        yield writer.writerow(
            [
                _local(published_at, zone),
                NETWORKS.get(platform, platform),
                defused(account),
                FORMATS.get(post_format, post_format),
                defused(_excerpt(excerpt or "", excerpt_length)),
                *("" if value is None else value for value in metrics),
                "" if rate is None else f"{rate * 100:.2f}",
                defused(permalink),
            ]
        )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _excerpt(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"

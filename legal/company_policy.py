"""The company's own privacy policy (texts/company-privacy-policy.txt, a byte-for-byte copy of
the document Ainara Innovations LLC wrote), read into what a DocumentVersion needs.

The company's file is plain text laid out for reading: a title line, the two dates, numbered
section lines ("1) WHO WE ARE"), lettered sub-sections ("A. …"), "•" bullets. Publishing it
changes no word: the title and dates go to the version's own fields (the page shows them at
the top), and each line gets the mark the legal renderer reads, so sections become headings
and bullets become lists.
"""

from __future__ import annotations

import re
from calendar import month_name
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "texts" / "company-privacy-policy.txt"

# The company's file prints its dates in brackets: "Effective date: [July 16, 2025]".
_DATE_LINE = re.compile(r"^(Effective date|Last updated):\s*\[?([^\]]+?)\]?\s*$")
_SECTION = re.compile(r"^\d+\)\s+\S")
_SUBSECTION = re.compile(r"^[A-Z]\.\s+\S")
_BULLET = re.compile(r"^\s*•\s*(.+)$")
_CONTINUATION = re.compile(r"^\s{2,}\S")
# A short line standing on its own, with no closing punctuation, is a sub-heading
# ("AI disclosures").
_STANDALONE_HEADING_MAX = 40


@dataclass(frozen=True)
class CompanyPolicy:
    effective_date: date
    last_updated: date
    body: str


def read(path: Path = SOURCE) -> CompanyPolicy:
    return parse(path.read_text(encoding="utf-8"))


def parse(text: str) -> CompanyPolicy:
    lines = text.replace("\r\n", "\n").split("\n")
    title_index = next(index for index, line in enumerate(lines) if line.strip())
    dates: dict[str, date] = {}
    body_lines: list[str] = []
    for index, line in enumerate(lines):
        if index == title_index:
            continue  # "PRIVACY POLICY": the version's title
        if match := _DATE_LINE.match(line.strip()):
            dates[match.group(1)] = _day(match.group(2))
            continue
        body_lines.append(_marked(line, _stands_alone(lines, index)))
    missing = {"Effective date", "Last updated"} - set(dates)
    if missing:
        raise ValueError(f"The company's policy does not print its {', '.join(sorted(missing))}.")
    # The file spaces its bullets out; the renderer ends a list at a blank line.
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(body_lines)).strip()
    body = re.sub(r"(?m)^(- .*|[ ]{2,}\S.*)\n\n(?=- )", r"\1\n", body) + "\n"
    return CompanyPolicy(
        effective_date=dates["Effective date"],
        last_updated=dates["Last updated"],
        body=body,
    )


def _day(text: str) -> date:
    """A calendar day written like "July 16, 2025" (no time zone comes into it)."""
    month, day, year = text.replace(",", " ").split()
    return date(int(year), list(month_name).index(month), int(day))


def _stands_alone(lines: list[str], index: int) -> bool:
    before = lines[index - 1].strip() if index else ""
    after = lines[index + 1].strip() if index + 1 < len(lines) else ""
    return not before and not after


def _marked(line: str, alone: bool) -> str:
    text = line.strip()
    if not text:
        return ""
    if match := _BULLET.match(line):
        return f"- {match.group(1).strip()}"
    if _CONTINUATION.match(line):
        return line.rstrip()  # an indented line: the renderer adds it to the bullet above
    if _SECTION.match(text) or (text.isupper() and alone):
        return f"## {text}"
    if _SUBSECTION.match(text) or (
        alone and len(text) <= _STANDALONE_HEADING_MAX and text[-1].isalnum()
    ):
        return f"### {text}"
    # Lines that follow each other in the file (an address block) stay on their own lines.
    return f"{text}\n"

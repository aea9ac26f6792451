"""Assembling one person's export: their files copied from storage, one JSON file per kind of
data (each app's personal_data.py) and a README.txt that explains each file and lists them all."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage

from accounts.models import User
from mixora.personal_data import Section, export_sections

from .archive import Archive

log = logging.getLogger(__name__)


class ArchiveFiles:
    """Stored files copied into the archive for the sections that list them."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def copy(self, target: str, source: str) -> str | None:
        try:
            self.archive.add_from_storage(target, default_storage, source)
        except FileNotFoundError:
            log.warning("export: stored file %s is missing", source)
            return None
        return target


def _sections(user: User, archive: Archive) -> Iterator[Section]:
    """Every app's sections (their personal_data.py), in their registered order."""
    files = ArchiveFiles(archive)
    for section in export_sections():
        built = section.build(user, files)
        if built is not None:
            yield built


def _folders() -> dict[str, str]:
    return {name: about for s in export_sections() for name, about in s.folders.items()}


def readme(user: User, when: datetime, sections: list[Section], names: list[str]) -> str:
    lines = [
        "YOUR MIXORA DATA",
        "================",
        "",
        f"This archive holds a copy of the personal data Mixora keeps about {user.email},",
        f"made on {when:%d %B %Y at %H:%M} UTC.",
        "",
        "The .json files can be opened with any text editor, and read by other programs",
        "(JSON is a common format for moving data between services). Each starts with an",
        '"about" line saying what it holds. Times are in UTC, written like',
        "2026-01-31T09:30:00Z. Content you wrote in a workspace belongs to that workspace too:",
        "its members keep seeing it there.",
        "",
        "WHAT EACH FILE HOLDS",
        "--------------------",
    ]
    for section in sections:
        lines += ["", section.filename, *_wrap(section.about)]
    for folder, about in _folders().items():
        if any(name.startswith(folder) for name in names):
            lines += ["", folder, *_wrap(about)]
    lines += [
        "",
        "QUESTIONS",
        "---------",
        "",
        *_wrap(
            "To correct or delete any of this, use Privacy & data in your account, or "
            f"write to {settings.SUPPORT_EMAIL}."
        ),
        "",
        "EVERY FILE IN THIS ARCHIVE",
        "--------------------------",
        "",
        *names,
        "README.txt",
        "",
    ]
    return "\n".join(lines)


def _wrap(text: str, width: int = 88) -> list[str]:
    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")


def build_archive(user: User, fileobj: IO[bytes], when: datetime) -> None:
    """Write the whole export of `user` into `fileobj` as a ZIP."""
    with Archive(fileobj, when) as archive:
        written = []
        for section in _sections(user, archive):
            archive.add_json(section.filename, {"about": section.about, **section.document})
            written.append(section)
        archive.add_text("README.txt", readme(user, when, written, archive.names()))

"""Assembling one person's export: their files copied from storage, one JSON file per kind of
data (exports/contents.py) and a README.txt that explains each file and lists them all."""

from __future__ import annotations

import logging
import posixpath
import textwrap
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from accounts.models import User
from publishing.models import Media

from . import contents
from .archive import Archive
from .contents import Section

log = logging.getLogger(__name__)

FOLDERS = {
    "avatar/": "Your profile picture, as you uploaded it.",
    "media/": "The images and videos you uploaded; media.json describes each one.",
}


def _copy(archive: Archive, target: str, source: str) -> str | None:
    """Copy one stored file in; None when storage no longer has it."""
    try:
        archive.add_from_storage(target, default_storage, source)
    except FileNotFoundError:
        log.warning("export: stored file %s is missing", source)
        return None
    return target


def _media_name(media_id: int, name: str, stored: str) -> str:
    extension = posixpath.splitext(stored)[1].lower()
    base = get_valid_filename(posixpath.splitext(name)[0]) if name else ""
    return f"media/{media_id}-{base or 'file'}{extension}"


def _copy_media(archive: Archive, user: User) -> dict[int, str | None]:
    copied: dict[int, str | None] = {}
    uploads = Media.objects.filter(uploaded_by=user).order_by("created_at", "pk")
    for media_id, name, stored in uploads.values_list("pk", "name", "file").iterator(
        chunk_size=contents.ROWS_PER_QUERY
    ):
        copied[media_id] = _copy(archive, _media_name(media_id, name, stored), stored)
    return copied


def _sections(user: User, archive: Archive) -> Iterator[Section]:
    avatar = None
    if user.avatar:
        extension = posixpath.splitext(user.avatar.name)[1].lower()
        avatar = _copy(archive, f"avatar/avatar{extension}", user.avatar.name)
    yield contents.profile(user, avatar)
    yield contents.workspaces(user)
    yield contents.posts(user)
    yield contents.post_comments(user)
    yield contents.reviews(user)
    yield contents.media(user, _copy_media(archive, user))
    yield contents.inbox_messages(user)
    yield contents.inbox_activity(user)
    yield contents.connected_accounts(user)
    yield contents.notifications(user)
    yield contents.support_tickets(user)
    yield contents.audit_events(user)
    yield from contents.optional_sections(user)
    yield contents.billing()


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
    for folder, about in FOLDERS.items():
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

"""Email in the local mode: printed in the terminal as a person reads it, and kept under
`LOCAL_MAIL_DIR` (one JSON file per email) for the /_dev/mail/ page, since the web server
and the worker that send them are different processes."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.console import EmailBackend

# Enough to look back over a day of trying things; older ones are deleted as new ones arrive.
KEEP = 300
KEY = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{8}$")
HREF = re.compile(r"""href=["']([^"']+)["']""")
TEXT_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class SentMail:
    key: str
    sent_at: datetime
    from_email: str
    to: list[str]
    subject: str
    body: str
    html: str

    @property
    def links(self) -> list[str]:
        """Every link in the email, text and HTML parts, in order and once each."""
        found = TEXT_LINK.findall(self.body) + HREF.findall(self.html)
        return list(dict.fromkeys(link.rstrip(".,);") for link in found))


def mail_dir() -> Path | None:
    """Where emails are kept: only the local settings set it."""
    directory = getattr(settings, "LOCAL_MAIL_DIR", None)
    return Path(directory) if directory else None


def keep(message: EmailMessage, directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    # Sortable by name: the newest is last.
    key = f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((str(c) for c, kind in message.alternatives if kind == "text/html"), "")
    record = {
        "sent_at": now.isoformat(),
        "from": message.from_email,
        "to": list(message.to),
        "subject": message.subject,
        "body": message.body,
        "html": html,
    }
    path = directory / f"{key}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    for old in sorted(directory.glob("*.json"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return key


def _load(path: Path) -> SentMail:
    data = json.loads(path.read_text(encoding="utf-8"))
    return SentMail(
        key=path.stem,
        sent_at=datetime.fromisoformat(data["sent_at"]),
        from_email=data["from"],
        to=data["to"],
        subject=data["subject"],
        body=data["body"],
        html=data.get("html", ""),
    )


def sent_mail(directory: Path) -> list[SentMail]:
    """The kept emails, newest first."""
    return [_load(path) for path in sorted(directory.glob("*.json"), reverse=True)]


def find(directory: Path, key: str) -> SentMail | None:
    if not KEY.match(key):  # a file name we wrote, never a path
        return None
    path = directory / f"{key}.json"
    return _load(path) if path.is_file() else None


class ReadableConsoleBackend(EmailBackend):
    """The headers that matter and the plain-text body as text, so a verification or invitation
    link can be copied whole (the raw message wraps long lines in quoted-printable `=` breaks and
    encodes accents)."""

    def write_message(self, message: EmailMessage) -> None:
        recipients = ", ".join(message.to)
        directory = mail_dir()
        where = ""
        if directory is not None:
            key = keep(message, directory)
            where = f"Also at {settings.SITE_URL}/_dev/mail/{key}/\n"
        self.stream.write(
            f"From: {message.from_email}\nTo: {recipients}\nSubject: {message.subject}\n\n"
            f"{message.body}\n{where}{'-' * 79}\n"
        )

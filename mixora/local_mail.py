"""Email in the local mode: printed in the terminal as a person reads it."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    """The headers that matter and the plain-text body as text, so a verification or invitation
    link can be copied whole (the raw message wraps long lines in quoted-printable `=` breaks and
    encodes accents)."""

    def write_message(self, message: EmailMessage) -> None:
        recipients = ", ".join(message.to)
        self.stream.write(
            f"From: {message.from_email}\nTo: {recipients}\nSubject: {message.subject}\n\n"
            f"{message.body}\n{'-' * 79}\n"
        )

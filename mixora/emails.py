"""Transactional email: every message is a subject/text/html triplet under templates/emails/."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.loader import render_to_string


def render_plain(template_name: str, context: dict[str, Any]) -> str:
    """A subject or plain-text part: not HTML, so nothing is escaped (a name like
    "Tom's café & bar" arrives as written, not as `Tom&#x27;s café &amp; bar`)."""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_subject(template_name: str, context: dict[str, Any]) -> str:
    # One line, whatever the context holds: a newline in a header is refused by the mailer.
    return " ".join(render_plain(template_name, context).split())


def send_templated(name: str, to: str, context: dict[str, Any]) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_subject(f"emails/{name}_subject.txt", context)
    text = render_plain(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()

"""Emailing every active user, once, about a material change.

Each person is claimed with a unique `PolicyAnnouncement` row in the same transaction as
their email: a failed send rolls the claim back (they are tried again next run), and a
second run, or a second worker, finds the claim and skips them.
"""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from mixora.emails import render_plain, render_subject

from .models import DocumentVersion, PolicyAnnouncement

BATCH_SIZE = 500


def recipients(version: DocumentVersion) -> QuerySet[User]:
    """Active people who had an account when `version` was published and were not emailed."""
    return (
        User.objects.filter(is_active=True, date_joined__lt=version.published_at)
        .exclude(policy_announcements__version=version)
        .order_by("pk")
    )


def message(version: DocumentVersion, user: User) -> EmailMultiAlternatives:
    context = {
        "user": user,
        "version": version,
        "url": settings.SITE_URL + version.get_absolute_url(),
        "versions_url": settings.SITE_URL + reverse("legal_versions", args=[version.kind]),
        "site_url": settings.SITE_URL,
    }
    subject = render_subject("emails/legal_change_subject.txt", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_plain("emails/legal_change.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    email.attach_alternative(render_to_string("emails/legal_change.html", context), "text/html")
    return email


def announce_batch(version: DocumentVersion, batch_size: int = BATCH_SIZE) -> tuple[int, bool]:
    """Email up to `batch_size` people; returns (emails sent, whether anyone is left)."""
    if not version.material or version.published_at is None:
        return 0, False  # only published material changes are announced
    batch = list(recipients(version)[:batch_size])
    sent = 0
    with mail.mailers.default as connection:
        for user in batch:
            try:
                with transaction.atomic():
                    PolicyAnnouncement.objects.create(user=user, version=version)
                    connection.send_messages([message(version, user)])
            except IntegrityError:
                continue  # another run claimed this person first
            sent += 1
    return sent, len(batch) == batch_size and recipients(version).exists()

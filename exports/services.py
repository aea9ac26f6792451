"""A person's data export, from request to expiry: request it (one at a time), build it (the
task), tell them, let them download it with a signed link, and delete it after 7 days."""

from __future__ import annotations

import logging
import secrets
import tempfile
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mixora.emails import send_templated
from mixora.errors import UserFacingError
from notifications.models import Notification

from .archive import save_file
from .builder import build_archive
from .models import DataExport
from .signals import export_ready

log = logging.getLogger(__name__)

LIFETIME = timedelta(days=7)  # how long a ready export (and its link) can be downloaded
DAILY_LIMIT = 3  # exports a person may ask for in 24 hours
# An export still queued or building after this was lost (its task never ran, or its worker
# died): longer than the build task's hard time limit, so it cannot still be running.
STALE_AFTER = timedelta(hours=1)
_SALT = "mixora.exports.download"
Status = DataExport.Status


class LinkInvalid(UserFacingError):
    """A download link that was never valid (tampered with, or for no export)."""


class LinkExpired(UserFacingError):
    """A download link past its 7 days, or for an export that is no longer kept."""


# --- Requesting --------------------------------------------------------------------------


def latest_export(user: User) -> DataExport | None:
    return DataExport.objects.filter(user=user).first()


def in_progress(user: User) -> DataExport | None:
    return DataExport.objects.filter(user=user, status__in=DataExport.IN_PROGRESS).first()


def check_daily_limit(user: User, now: datetime | None = None) -> None:
    """UserFacingError when the person already asked for DAILY_LIMIT exports in 24 hours
    (exports made to answer a privacy request do not count)."""
    now = now or timezone.now()
    recent = DataExport.objects.filter(
        user=user, requested_at__gt=now - timedelta(days=1), privacy_request_id__isnull=True
    ).order_by("requested_at")
    if recent.count() >= DAILY_LIMIT:
        again = (recent.first().requested_at + timedelta(days=1)).astimezone(UTC)
        raise UserFacingError(
            f"You can ask for {DAILY_LIMIT} exports a day. You can ask again after "
            f"{again:%H:%M} UTC on {again:%d %B}."
        )


def _fail_stale(user: User, now: datetime) -> None:
    cutoff = now - STALE_AFTER
    DataExport.objects.filter(user=user).filter(
        Q(status=Status.QUEUED, requested_at__lt=cutoff)
        | Q(status=Status.BUILDING, started_at__lt=cutoff)
    ).update(status=Status.FAILED, error="Did not finish in time.")


def request_export(
    user: User, *, privacy_request: Model | None = None, now: datetime | None = None
) -> DataExport:
    """Queue an export of everything Mixora holds about `user`, or return the one already
    being prepared. The build task is enqueued once this transaction commits."""
    from .tasks import build_export

    now = now or timezone.now()
    request_id = getattr(privacy_request, "pk", None)
    with transaction.atomic():
        _fail_stale(user, now)
        running = DataExport.objects.select_for_update().filter(
            user=user, status__in=DataExport.IN_PROGRESS
        )
        export = running.first()
        if export is not None:
            if request_id is not None and export.privacy_request_id is None:
                export.privacy_request_id = request_id
                export.save(update_fields=["privacy_request_id"])
            return export
        try:
            with transaction.atomic():
                export = DataExport.objects.create(
                    user=user, requested_at=now, privacy_request_id=request_id
                )
        except IntegrityError:  # a concurrent request created it first
            return running.get()
        export_id = export.pk
        transaction.on_commit(lambda: build_export.delay(export_id))
    return export


# --- Building ----------------------------------------------------------------------------


def build(export_id: int) -> str:
    """Build a queued export into private storage and tell its owner. Safe to run twice: a
    second run rebuilds only an export not yet ready, and only the latest run's file is
    kept."""
    started = timezone.now()
    claimed = DataExport.objects.filter(pk=export_id, status__in=DataExport.IN_PROGRESS).update(
        status=Status.BUILDING, started_at=started
    )
    if not claimed:
        return "skipped"
    export = DataExport.objects.select_related("user").get(pk=export_id)
    mine = DataExport.objects.filter(pk=export_id, status=Status.BUILDING, started_at=started)
    if not export.user.is_active:  # deleted since asking: nothing to send, nobody to tell
        mine.update(status=Status.FAILED, error="The account was deactivated.")
        return "failed"
    try:
        with tempfile.NamedTemporaryFile(prefix="mixora-export-", suffix=".zip") as archive:
            build_archive(export.user, archive, started)
            size = archive.tell()
            archive.flush()
            # A random name: the path in storage says nothing about the person.
            name = save_file(
                default_storage, f"exports/{secrets.token_urlsafe(32)}.zip", archive.name
            )
    except Exception as exc:
        log.exception("export %s failed", export_id)
        if mine.update(status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]):
            page = settings.SITE_URL + reverse("export_list")
            _tell(export, "export_failed", "We could not prepare your data export.", page)
        return "failed"
    ready_at = timezone.now()
    if not mine.update(
        status=Status.READY,
        file=name,
        size=size,
        ready_at=ready_at,
        expires_at=ready_at + LIFETIME,
        error="",
    ):  # deleted, or taken over by a later run, while this one was building
        default_storage.delete(name)
        return "superseded"
    export.refresh_from_db()
    url = download_url(export, absolute=True)
    _tell(export, "export_ready", "Your data export is ready to download.", url)
    export_ready.send(sender=DataExport, export=export)
    return "ready"


def _tell(export: DataExport, template: str, message: str, url: str) -> None:
    Notification.objects.create(user=export.user, message=message, url=reverse("export_list"))
    try:
        send_templated(
            template,
            export.user.email,
            {
                "user": export.user,
                "export": export,
                "url": url,
                "support_email": settings.SUPPORT_EMAIL,
            },
        )
    except Exception:  # the export is there either way: the page shows it
        log.exception("export %s: could not email its owner", export.pk)


# --- Downloading -------------------------------------------------------------------------


def download_token(export: DataExport) -> str:
    return signing.dumps(export.pk, salt=_SALT)


def download_url(export: DataExport, *, absolute: bool = False) -> str:
    path = reverse("export_download", args=[download_token(export)])
    return settings.SITE_URL + path if absolute else path


def export_from_token(token: str, now: datetime | None = None) -> DataExport:
    """The ready export a download link points at; LinkInvalid or LinkExpired if none."""
    try:
        export_id = signing.loads(token, salt=_SALT, max_age=LIFETIME)
    except signing.SignatureExpired as exc:
        raise LinkExpired("This download link has expired.") from exc
    except signing.BadSignature as exc:
        raise LinkInvalid("This download link is not valid.") from exc
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:
        raise LinkInvalid("This download link is not valid.")
    now = now or timezone.now()
    if export.status != Status.READY or export.expires_at <= now or not export.user.is_active:
        raise LinkExpired("This export is no longer available.")
    return export


def record_download(export: DataExport) -> None:
    DataExport.objects.filter(pk=export.pk).update(
        download_count=F("download_count") + 1, last_downloaded_at=timezone.now()
    )


def download_filename(export: DataExport) -> str:
    return f"mixora-data-{export.ready_at:%Y-%m-%d}.zip"


# --- Expiry and deletion -----------------------------------------------------------------


def delete_expired(now: datetime | None = None) -> int:
    """Delete the files of ready exports whose `expires_at` has passed and mark them
    expired; how many. The retention engine calls it daily."""
    now = now or timezone.now()
    count = 0
    due = DataExport.objects.filter(status=Status.READY, expires_at__lte=now)
    for export in due.iterator(chunk_size=200):
        # File first: if marking fails, the next run finds the row and deletes again.
        if export.file:
            default_storage.delete(export.file.name)
        count += DataExport.objects.filter(pk=export.pk, status=Status.READY).update(
            status=Status.EXPIRED, file=""
        )
    return count


def delete_for_user(user: User) -> int:
    """Delete every export of `user`, files included (exports/receivers.py): for account
    deletion, which should not wait 7 days."""
    count, _ = DataExport.objects.filter(user=user).delete()
    return count

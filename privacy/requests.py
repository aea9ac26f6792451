"""Privacy requests from filing to answer: the rules the public pages and the support admin
both go through. Every step is one transaction that writes the request, an append-only
`PrivacyRequestEvent` and an `AuditEvent`; the requester's email leaves after the commit."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from mixora.errors import UserFacingError

from . import deadlines, emails, fulfilment
from .audit import record
from .models import OPEN_STATUSES, AuditAction, PrivacyRequest, PrivacyRequestEvent
from .request_links import CONFIRM_MAX_AGE, reference_from_confirm_token

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

Status = PrivacyRequest.Status
Type = PrivacyRequest.Type
Step = PrivacyRequestEvent.Step
Actor = PrivacyRequestEvent.Actor

SALE_ANSWER = (
    "Mixora does not sell or share personal information. We recorded your request anyway, "
    "and it is complete: there is nothing further to stop."
)
MARKETING_ANSWER = (
    "Marketing emails from Mixora are now off for your account. Emails about your account, "
    "security and billing continue."
)

# Where each status may go next. Staff verify a request before completing it; only the
# system completes straight from "received" (answers that need no work: see _after_receipt).
_NEXT: dict[str, set[str]] = {
    Status.AWAITING_CONFIRMATION: {Status.RECEIVED},
    Status.RECEIVED: {Status.VERIFIED, Status.REJECTED},
    Status.VERIFIED: {Status.IN_PROGRESS, Status.COMPLETED, Status.REJECTED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.REJECTED},
}

_EXPORTS = (Type.ACCESS, Type.PORTABILITY)

_AUDIT = {
    Step.FILED: AuditAction.PRIVACY_REQUEST_FILED,
    Step.CONFIRMED: AuditAction.PRIVACY_REQUEST_CONFIRMED,
    Step.VERIFIED: AuditAction.PRIVACY_REQUEST_VERIFIED,
    Step.STARTED: AuditAction.PRIVACY_REQUEST_STARTED,
    Step.EXTENDED: AuditAction.PRIVACY_REQUEST_EXTENDED,
    Step.REJECTED: AuditAction.PRIVACY_REQUEST_REJECTED,
    Step.COMPLETED: AuditAction.PRIVACY_REQUEST_COMPLETED,
}


class LinkAlreadyUsed(UserFacingError):
    """The confirmation link was used before; the request is already received."""

    def __init__(self, privacy_request: PrivacyRequest) -> None:
        super().__init__("This link was already used: your email address is confirmed.")
        self.privacy_request = privacy_request


# --- The requester ---------------------------------------------------------------------------


def file_request(
    *,
    request_type: str,
    jurisdiction: str,
    email: str,
    name: str = "",
    details: str = "",
    user: User | None = None,
    http_request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrivacyRequest:
    """File a request. From a logged-in person it is received at once and tied to the
    account; from anyone else nothing is actionable until the emailed link is confirmed."""
    if request_type == Type.CORRECTION and not details.strip():
        raise UserFacingError("Tell us what is wrong and what it should say.")
    now = now or timezone.now()
    privacy_request = PrivacyRequest(
        request_type=request_type,
        jurisdiction=jurisdiction,
        email=user.email if user is not None else email.strip(),
        name=name.strip(),
        details=details.strip(),
        user=user,
        source=PrivacyRequest.Source.ACCOUNT if user is not None else PrivacyRequest.Source.EMAIL,
    )
    # An opt-out of sale needs no proof of identity (CCPA regs §7060(b)): answered at once.
    proven = user is not None or request_type == Type.OPT_OUT_SALE
    with transaction.atomic():
        if proven:
            _mark_received(privacy_request, now)
        privacy_request.save()
        _record_step(
            privacy_request, Step.FILED, "", Actor.REQUESTER, actor=user, http_request=http_request
        )
        if proven:
            _after_receipt(privacy_request, http_request, now)
        else:
            emails.send_confirmation(privacy_request)
    return privacy_request


def awaiting_confirmation(
    token: str, *, now: datetime | None = None, lock: bool = False
) -> PrivacyRequest:
    """The request an emailed link confirms, or a UserFacingError for a bad, expired or used
    link (LinkAlreadyUsed names the request)."""
    reference = reference_from_confirm_token(token, now=now)
    queryset = PrivacyRequest.objects.select_for_update() if lock else PrivacyRequest.objects
    privacy_request = queryset.filter(reference=reference).first()
    if privacy_request is None:
        raise UserFacingError(
            "This request is no longer on file: requests not confirmed within 48 hours are "
            "removed. Please file it again."
        )
    if privacy_request.status != Status.AWAITING_CONFIRMATION:
        raise LinkAlreadyUsed(privacy_request)
    return privacy_request


def confirm_email(
    token: str, *, http_request: HttpRequest | None = None, now: datetime | None = None
) -> PrivacyRequest:
    """Turn an emailed link into a received request (see awaiting_confirmation)."""
    now = now or timezone.now()
    with transaction.atomic():
        privacy_request = awaiting_confirmation(token, now=now, lock=True)
        if privacy_request.request_type == Type.MARKETING_OPT_OUT:
            # Controlling the address is all an unsubscribe needs: apply it to the account
            # that uses this address, if there is one.
            privacy_request.user = (
                get_user_model()
                .objects.filter(email__iexact=privacy_request.email, is_active=True)
                .first()
            )
        _mark_received(privacy_request, now)
        privacy_request.save()
        _record_step(
            privacy_request,
            Step.CONFIRMED,
            Status.AWAITING_CONFIRMATION,
            Actor.REQUESTER,
            http_request=http_request,
        )
        _after_receipt(privacy_request, http_request, now)
    return privacy_request


# --- Support staff --------------------------------------------------------------------------


def verify(
    privacy_request: PrivacyRequest, *, actor: User, http_request: HttpRequest | None = None
) -> PrivacyRequest:
    """Staff checked that the request comes from the person whose data it is about."""
    with transaction.atomic():
        locked = _lock(privacy_request, Status.VERIFIED)
        _move(locked, Status.VERIFIED, Step.VERIFIED, actor=actor, http_request=http_request)
        emails.send_step(locked, "verified")
    return locked


def start(
    privacy_request: PrivacyRequest, *, actor: User, http_request: HttpRequest | None = None
) -> PrivacyRequest:
    with transaction.atomic():
        locked = _lock(privacy_request, Status.IN_PROGRESS)
        _move(locked, Status.IN_PROGRESS, Step.STARTED, actor=actor, http_request=http_request)
    return locked


def extend(
    privacy_request: PrivacyRequest,
    *,
    actor: User,
    reason: str,
    http_request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrivacyRequest:
    """Move the due date once, with a reason the requester is told, before it passes."""
    reason = reason.strip()
    if not reason:
        raise UserFacingError("Give the reason for the extension: it is sent to the requester.")
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)
        ref = locked.reference
        if locked.status not in OPEN_STATUSES:
            raise UserFacingError(
                f"{ref} is {locked.get_status_display().lower()}: only an open request "
                "can be extended."
            )
        if locked.extended:
            raise UserFacingError(f"{ref} was already extended once; it cannot be extended again.")
        if locked.due_date < today:
            raise UserFacingError(
                f"{ref} is overdue: an extension must be sent before the due date "
                f"({_day(locked.due_date)})."
            )
        old_due = locked.due_date
        locked.due_date = deadlines.extended_due_date(
            locked.jurisdiction, deadlines.received_on(locked.received_at)
        )
        locked.extended = True
        locked.extension_reason = reason
        locked.save(update_fields=["due_date", "extended", "extension_reason"])
        _record_step(
            locked,
            Step.EXTENDED,
            locked.status,
            Actor.STAFF,
            actor=actor,
            note=f"Due date moved from {_day(old_due)} to {_day(locked.due_date)}. "
            f"Reason: {reason}",
            http_request=http_request,
            new_due_date=locked.due_date.isoformat(),
        )
        emails.send_step(locked, "extended")
    return locked


def reject(
    privacy_request: PrivacyRequest,
    *,
    actor: User,
    reason: str,
    http_request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrivacyRequest:
    reason = reason.strip()
    if not reason:
        raise UserFacingError("Give the reason for the rejection: it is sent to the requester.")
    with transaction.atomic():
        locked = _lock(privacy_request, Status.REJECTED)
        locked.rejection_reason = reason
        locked.closed_at = now or timezone.now()
        _move(
            locked,
            Status.REJECTED,
            Step.REJECTED,
            actor=actor,
            note=reason,
            http_request=http_request,
        )
        emails.send_step(locked, "rejected")
    return locked


def complete(
    privacy_request: PrivacyRequest,
    *,
    actor: User,
    note: str = "",
    http_request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrivacyRequest:
    """Close a verified request as done, starting what it asks for (see fulfilment)."""
    with transaction.atomic():
        locked = _lock(privacy_request, Status.COMPLETED)
        _complete(
            locked,
            note=note.strip(),
            kind=Actor.STAFF,
            actor=actor,
            http_request=http_request,
            now=now or timezone.now(),
        )
    return locked


# --- Housekeeping ---------------------------------------------------------------------------


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Delete requests whose confirmation link expired unused: never received, never acted
    on, and holding an address nobody proved."""
    cutoff = (now or timezone.now()) - CONFIRM_MAX_AGE
    _, per_model = PrivacyRequest.objects.filter(
        status=Status.AWAITING_CONFIRMATION, created_at__lt=cutoff
    ).delete()
    return per_model.get(PrivacyRequest._meta.label, 0)


# --- Internals ------------------------------------------------------------------------------


def _day(day: date) -> str:
    return format_date(day, "M j, Y")


def _mark_received(privacy_request: PrivacyRequest, now: datetime) -> None:
    privacy_request.status = Status.RECEIVED
    privacy_request.received_at = now
    privacy_request.due_date = deadlines.due_date(
        privacy_request.jurisdiction, deadlines.received_on(now)
    )


def _after_receipt(
    privacy_request: PrivacyRequest, http_request: HttpRequest | None, now: datetime
) -> None:
    """Answer at once what needs no work; acknowledge everything else."""
    kind = privacy_request.request_type
    if kind == Type.OPT_OUT_SALE:
        answer = SALE_ANSWER
    elif kind == Type.MARKETING_OPT_OUT and fulfilment.automatic_action(privacy_request):
        answer = MARKETING_ANSWER
    else:
        emails.send_step(privacy_request, "received")
        return
    _complete(
        privacy_request,
        note=answer,
        kind=Actor.SYSTEM,
        actor=None,
        http_request=http_request,
        now=now,
    )


def _complete(
    privacy_request: PrivacyRequest,
    *,
    note: str,
    kind: str,
    actor: User | None,
    http_request: HttpRequest | None,
    now: datetime,
) -> None:
    started = fulfilment.carry_out(privacy_request)
    privacy_request.completion_note = note
    privacy_request.closed_at = now
    _move(
        privacy_request,
        Status.COMPLETED,
        Step.COMPLETED,
        kind=kind,
        actor=actor,
        note=" ".join(part for part in (note, started) if part),
        http_request=http_request,
    )
    export_started = bool(started) and privacy_request.request_type in _EXPORTS
    emails.send_step(privacy_request, "completed", export_started=export_started)


def _lock(privacy_request: PrivacyRequest, to_status: str) -> PrivacyRequest:
    """Re-read under a row lock (a double click must not act twice) and check the move."""
    locked = PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)
    if to_status in _NEXT.get(locked.status, set()):
        return locked
    ref = locked.reference
    if locked.status == Status.AWAITING_CONFIRMATION:
        raise UserFacingError(f"{ref} is waiting for the requester to confirm their address.")
    if locked.status == Status.RECEIVED:
        raise UserFacingError(f"{ref} is not verified yet: verify it first.")
    raise UserFacingError(f"{ref} is already {locked.get_status_display().lower()}.")


def _move(
    privacy_request: PrivacyRequest,
    to_status: str,
    step: str,
    *,
    actor: User | None,
    kind: str = Actor.STAFF,
    note: str = "",
    http_request: HttpRequest | None = None,
) -> None:
    from_status = privacy_request.status
    privacy_request.status = to_status
    privacy_request.save()
    _record_step(
        privacy_request, step, from_status, kind, actor=actor, note=note, http_request=http_request
    )


def _record_step(
    privacy_request: PrivacyRequest,
    step: str,
    from_status: str,
    kind: str,
    *,
    actor: User | None = None,
    note: str = "",
    http_request: HttpRequest | None = None,
    **details: str,
) -> None:
    PrivacyRequestEvent.objects.create(
        privacy_request=privacy_request,
        step=step,
        actor_kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=privacy_request.status,
        note=note,
    )
    record(
        _AUDIT[step],
        request=http_request,
        actor=actor,
        subject_user=privacy_request.user,
        reference=privacy_request.reference,
        request_type=privacy_request.request_type,
        status=privacy_request.status,
        **details,
    )

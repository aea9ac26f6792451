"""Privacy requests from filing to answer: the rules the public pages and the support admin
both go through. Every step is one transaction that writes the request, an append-only
`PrivacyRequestEvent` and an `AuditEvent`; the requester's email leaves after the commit.

A request filed on the site logged out, or received by email and entered by support, reaches
an account only through the link sent to that account's own address (request_links)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from audit.models import AuditAction
from audit.trail import record
from mixora.errors import UserFacingError

from . import deadlines, emails, fulfilment
from .models import OPEN_STATUSES, PrivacyRequest, PrivacyRequestEvent
from .request_links import CONFIRM_MAX_AGE, account_for_address, read_confirm_token

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User, Workspace

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


FUTURE_RECEIVED_ON = "The received date can't be in the future: enter the day the email arrived."
CORRECTION_DETAILS = "Tell us what is wrong and what it should say."


class LinkAlreadyUsed(UserFacingError):
    """The confirmation link can do nothing more: it was used, or the request is closed."""

    def __init__(
        self,
        privacy_request: PrivacyRequest,
        message: str = "This link was already used: your email address is confirmed.",
    ) -> None:
        super().__init__(message)
        self.privacy_request = privacy_request


class SoleOwner(UserFacingError):
    """A deletion request whose account holder is the only owner of workspaces."""

    def __init__(self, privacy_request: PrivacyRequest, workspaces: list[Workspace]) -> None:
        names = ", ".join(workspace.name for workspace in workspaces)
        them = "it" if len(workspaces) == 1 else "them"
        super().__init__(
            f"{privacy_request.reference} cannot be completed yet: the account holder is the "
            f"only owner of {names}. They must make another member owner or delete {them} "
            "before their account can be deleted. We emailed them this guidance."
        )
        self.privacy_request = privacy_request
        self.workspaces = workspaces


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
        raise UserFacingError(CORRECTION_DETAILS)
    now = now or timezone.now()
    # An address an account uses gets the link at the account's address, and confirming it
    # ties the request to that account.
    account = account_for_address(email) if user is None else None
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
            emails.send_confirmation(privacy_request, account)
    return privacy_request


def enter_emailed_request(
    *,
    request_type: str,
    jurisdiction: str,
    email: str,
    received_on: date,
    actor: User,
    name: str = "",
    details: str = "",
    http_request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrivacyRequest:
    """Support enters a request that arrived by email. The legal clock runs from the day it
    arrived. When an account uses the address, its holder confirms through a link sent to the
    account's address before anyone acts on it; otherwise the sender is acknowledged."""
    now = now or timezone.now()
    if received_on > timezone.localdate(now):
        raise UserFacingError(FUTURE_RECEIVED_ON)
    if request_type == Type.CORRECTION and not details.strip():
        raise UserFacingError(CORRECTION_DETAILS)
    account = account_for_address(email)
    privacy_request = PrivacyRequest(
        request_type=request_type,
        jurisdiction=jurisdiction,
        email=email.strip(),
        name=name.strip(),
        details=details.strip(),
        source=PrivacyRequest.Source.SUPPORT,
        entered_by=actor,
    )
    with transaction.atomic():
        _mark_received(privacy_request, deadlines.start_of(received_on))
        privacy_request.save()
        _record_step(
            privacy_request,
            Step.FILED,
            "",
            Actor.STAFF,
            actor=actor,
            note=f"Received by email on {_day(received_on)} and entered by support.",
            http_request=http_request,
            channel="email",
            received_on=received_on.isoformat(),
        )
        # An opt-out of sale needs no proof of identity (see file_request): answered at once.
        if account is None or request_type == Type.OPT_OUT_SALE:
            _after_receipt(privacy_request, http_request, now)
        else:
            emails.send_confirmation(privacy_request, account)
    return privacy_request


def awaiting_confirmation(
    token: str, *, now: datetime | None = None, lock: bool = False
) -> tuple[PrivacyRequest, User | None]:
    """The request an emailed link confirms and the account confirming ties it to (None when
    no account used the address), or a UserFacingError for a bad, expired or spent link
    (LinkAlreadyUsed names the request)."""
    link = read_confirm_token(token, now=now)
    queryset = PrivacyRequest.objects.select_for_update() if lock else PrivacyRequest.objects
    privacy_request = queryset.filter(reference=link.reference).first()
    if privacy_request is None:
        raise UserFacingError(
            "This request is no longer on file: requests not confirmed within 48 hours are "
            "removed. Please file it again."
        )
    awaiting = privacy_request.status == Status.AWAITING_CONFIRMATION
    # A received request not yet tied to an account (support entered it) waits for the
    # account holder: a link naming the account can still tie it.
    binds = link.account_id is not None and privacy_request.user_id is None
    if not awaiting and not (binds and privacy_request.is_open):
        if binds:
            raise LinkAlreadyUsed(
                privacy_request, "This request is closed: the link no longer does anything."
            )
        raise LinkAlreadyUsed(privacy_request)
    if link.account_id is None:
        return privacy_request, None
    account = (
        get_user_model()
        .objects.filter(pk=link.account_id, email__iexact=link.address, is_active=True)
        .first()
    )
    if account is None:
        raise UserFacingError(
            "This link was sent to a Mixora account's address, and the account no longer uses "
            "that address, so the link cannot confirm the request. Write to "
            f"{settings.SUPPORT_EMAIL} quoting {privacy_request.reference}."
        )
    return privacy_request, account


def confirm_email(
    token: str, *, http_request: HttpRequest | None = None, now: datetime | None = None
) -> PrivacyRequest:
    """Turn an emailed link into a received request tied to the account whose address got
    the link, if one did (see awaiting_confirmation)."""
    now = now or timezone.now()
    with transaction.atomic():
        privacy_request, account = awaiting_confirmation(token, now=now, lock=True)
        from_status = privacy_request.status
        if account is not None:
            privacy_request.user = account
            privacy_request.email = account.email  # answers go to the account's address
        if from_status == Status.AWAITING_CONFIRMATION:
            _mark_received(privacy_request, now)
        privacy_request.save()
        _record_step(
            privacy_request,
            Step.CONFIRMED,
            from_status,
            Actor.REQUESTER,
            note="Tied to the Mixora account that uses this address." if account else "",
            http_request=http_request,
        )
        if privacy_request.status == Status.RECEIVED:
            _after_receipt(privacy_request, http_request, now)
    return privacy_request


# --- Support staff --------------------------------------------------------------------------


def verify(
    privacy_request: PrivacyRequest, *, actor: User, http_request: HttpRequest | None = None
) -> PrivacyRequest:
    """Staff checked that the request comes from the person whose data it is about."""
    with transaction.atomic():
        locked = _lock(privacy_request, Status.VERIFIED)
        _require_account_holder(locked)
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
    """Close a verified request as done, starting what it asks for (see fulfilment). A
    deletion is refused while the account holder alone owns workspaces; they are emailed
    what to do."""
    try:
        with transaction.atomic():
            locked = _lock(privacy_request, Status.COMPLETED)
            _require_account_holder(locked)
            blockers = fulfilment.deletion_blockers(locked)
            if blockers:
                raise SoleOwner(locked, blockers)
            answer = [fulfilment.no_account_answer(locked), note.strip()]
            _complete(
                locked,
                note="\n\n".join(part for part in answer if part),
                kind=Actor.STAFF,
                actor=actor,
                http_request=http_request,
                now=now or timezone.now(),
            )
    except SoleOwner as refusal:
        emails.send_deletion_guidance(refusal.privacy_request, refusal.workspaces)
        raise
    return locked


def resend_confirmation(privacy_request: PrivacyRequest) -> PrivacyRequest:
    """Send the account holder a new confirmation link (the last one expired, or an account
    started using the address after the request was received)."""
    locked = PrivacyRequest.objects.get(pk=privacy_request.pk)
    ref = locked.reference
    if locked.status == Status.AWAITING_CONFIRMATION:
        raise UserFacingError(
            f"{ref} is waiting for the requester to confirm their address; if the link "
            "expired, they file the request again."
        )
    if not locked.is_open:
        raise UserFacingError(f"{ref} is {locked.get_status_display().lower()}.")
    account = fulfilment.unconfirmed_account(locked)
    if account is None:
        if locked.user_id is not None:
            raise UserFacingError(f"{ref} is already tied to its account: nothing to confirm.")
        raise UserFacingError(
            f"No Mixora account uses {locked.email}: there is no account holder to confirm {ref}."
        )
    emails.send_confirmation(locked, account)
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
    started = fulfilment.carry_out(privacy_request, actor=actor)
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


def _require_account_holder(privacy_request: PrivacyRequest) -> None:
    """Nothing is done for an account until its holder confirmed through their own address."""
    if fulfilment.unconfirmed_account(privacy_request) is not None:
        raise UserFacingError(
            f"{privacy_request.reference} is waiting for the account holder to confirm: a "
            f"Mixora account uses {privacy_request.email}, so the request is acted on only once "
            "they confirm through the link sent to the account's address. If it expired, send "
            "it again."
        )


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
    # Only what a step changes: completing a deletion erases the requester's details from
    # this row meanwhile (person_deleted), and they must not be written back.
    privacy_request.save(
        update_fields=["status", "rejection_reason", "completion_note", "closed_at"]
    )
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

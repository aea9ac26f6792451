"""Support staff work the queue in admin: filters, overdue highlighting, and the steps
(verify, extend, reject, complete), each recorded in the history and the audit trail and
emailed to the requester. Staff see what a request needs and change nothing directly."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from privacy import deadlines, requests
from privacy.models import PrivacyRequest, PrivacyRequestEvent
from privacy.request_links import status_path
from tests.factories import UserFactory

from .conftest import days_ago

Status = PrivacyRequest.Status
Type = PrivacyRequest.Type
Step = PrivacyRequestEvent.Step

CHANGELIST = "/admin/privacy/privacyrequest/"


def change_url(req: PrivacyRequest) -> str:
    return f"{CHANGELIST}{req.pk}/change/"


def act(client, action: str, reqs: list[PrivacyRequest], **extra: str):
    data = {"action": action, "_selected_action": [r.pk for r in reqs], "index": "0", **extra}
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def row_of(html: str, req: PrivacyRequest) -> str:
    [row] = [r for r in html.split("<tr") if f">{req.reference}</a>" in r]
    return row


def test_the_support_group_may_view_and_work_requests_and_nothing_more(support_staff):
    assert support_staff.has_perm("privacy.view_privacyrequest")
    assert support_staff.has_perm("privacy.work_privacyrequest")
    for codename in ("add", "change", "delete"):
        assert not support_staff.has_perm(f"privacy.{codename}_privacyrequest")


# --- The queue --------------------------------------------------------------------------


def test_the_queue_orders_by_due_date_and_highlights_overdue_and_due_soon(
    support_client, make_request
):
    overdue = make_request(received_at=days_ago(40))  # EEA: one month, so ~10 days late
    soon = make_request(received_at=days_ago(26))
    later = make_request()
    closed = make_request(received_at=days_ago(60), request_type=Type.OPT_OUT_SALE)
    assert closed.status == Status.COMPLETED

    html = support_client.get(CHANGELIST).content.decode()

    assert 'privacy-due privacy-due--overdue">' in row_of(html, overdue)
    assert "overdue" in row_of(html, overdue)
    assert "privacy-due--soon" in row_of(html, soon)
    assert "privacy-due--later" in row_of(html, later)
    # A closed request is never late, however old its due date.
    assert "privacy-due--closed" in row_of(html, closed)
    assert "overdue" not in row_of(html, closed)
    positions = [html.index(f">{r.reference}</a>") for r in (closed, overdue, soon, later)]
    assert positions == sorted(positions)
    assert "privacy/admin/requests.css" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("due=overdue", {"overdue"}),
        ("due=soon", {"soon"}),
        ("due=later", {"later", "deletion"}),
        ("status__exact=verified", {"soon"}),
        ("request_type__exact=deletion", {"deletion"}),
        ("jurisdiction__exact=california", {"deletion"}),
        ("", {"overdue", "soon", "later", "deletion", "closed"}),
    ],
)
def test_the_queue_filters(support_client, make_request, query, expected):
    made = {
        "overdue": make_request(received_at=days_ago(40)),
        "soon": make_request(Status.VERIFIED, received_at=days_ago(26)),
        "later": make_request(Status.IN_PROGRESS),
        "deletion": make_request(request_type=Type.DELETION, jurisdiction="california"),
        "closed": make_request(received_at=days_ago(60), request_type=Type.OPT_OUT_SALE),
    }

    html = support_client.get(f"{CHANGELIST}?{query}").content.decode()

    shown = {name for name, req in made.items() if f">{req.reference}</a>" in html}
    assert shown == expected


# --- Steps ------------------------------------------------------------------------------


def test_verify(support_client, support_staff, make_request, committed):
    req = make_request()
    mail.outbox.clear()

    with committed():
        response = act(support_client, "verify_requests", [req])

    assert f"Verified: {req.reference}." in messages_of(response)
    req.refresh_from_db()
    assert req.status == Status.VERIFIED
    event = req.events.last()
    assert (event.step, event.actor_kind, event.actor) == (
        Step.VERIFIED,
        PrivacyRequestEvent.Actor.STAFF,
        support_staff,
    )
    assert (event.from_status, event.to_status) == (Status.RECEIVED, Status.VERIFIED)
    audit = AuditEvent.objects.get(action=AuditAction.PRIVACY_REQUEST_VERIFIED)
    assert audit.actor == support_staff
    assert audit.subject_user == req.user
    assert audit.details["reference"] == req.reference
    [message] = mail.outbox
    assert message.to == [req.email]
    assert "working on your privacy request" in message.subject


def test_a_request_awaiting_email_confirmation_cannot_be_worked(support_client):
    req = requests.file_request(
        request_type=Type.ACCESS, jurisdiction="eea", email="unconfirmed@example.test"
    )
    assert req.status == Status.AWAITING_CONFIRMATION

    for action in ("verify_requests", "start_requests"):
        response = act(support_client, action, [req])
        assert any("waiting for the requester to confirm" in m for m in messages_of(response))
    req.refresh_from_db()
    assert req.status == Status.AWAITING_CONFIRMATION
    assert req.events.count() == 1


def test_extend_asks_for_a_reason_then_moves_the_due_date_once(
    support_client, support_staff, make_request, committed
):
    received = timezone.now() - timedelta(days=10)
    req = make_request(Status.VERIFIED, received_at=received)
    first_due = req.due_date
    new_due = deadlines.extended_due_date(req.jurisdiction, timezone.localdate(received))
    mail.outbox.clear()

    page = act(support_client, "extend_requests", [req])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Reason (sent to the requester)" in html
    assert f"New due date: {new_due:%b} {new_due.day}, {new_due.year}" in html

    empty = act(support_client, "extend_requests", [req], apply="Extend deadline", text="  ")
    assert "Give a reason" in empty.content.decode()
    req.refresh_from_db()
    assert (req.extended, req.due_date) == (False, first_due)

    reason = "Your account holds several years of inbox history to collect."
    with committed():
        done = act(support_client, "extend_requests", [req], apply="Extend deadline", text=reason)

    assert f"Deadline extended: {req.reference}." in messages_of(done)
    req.refresh_from_db()
    assert req.extended is True
    assert req.extension_reason == reason
    assert req.due_date == new_due
    assert req.status == Status.VERIFIED
    event = req.events.last()
    assert event.step == Step.EXTENDED
    assert event.actor == support_staff
    assert reason in event.note
    audit = AuditEvent.objects.get(action=AuditAction.PRIVACY_REQUEST_EXTENDED)
    assert audit.details["new_due_date"] == new_due.isoformat()
    [message] = mail.outbox
    assert "We need more time" in message.subject
    assert reason in message.body
    assert f"{new_due:%B} {new_due.day}, {new_due.year}" in message.body
    assert "two months" in message.body

    again = act(support_client, "extend_requests", [req], apply="Extend deadline", text="More.")
    assert f"{req.reference} was already extended once" in " ".join(messages_of(again))
    req.refresh_from_db()
    assert req.due_date == new_due
    assert req.events.filter(step=Step.EXTENDED).count() == 1
    assert len(mail.outbox) == 1


def test_a_deadline_cannot_be_extended_once_it_has_passed(support_client, make_request):
    req = make_request(received_at=days_ago(40))

    response = act(support_client, "extend_requests", [req], apply="Extend deadline", text="Late")

    assert any("is overdue: an extension must be sent before" in m for m in messages_of(response))
    req.refresh_from_db()
    assert req.extended is False


@pytest.mark.parametrize(("jurisdiction", "complaint"), [("uk", True), ("california", False)])
def test_reject_needs_a_reason_and_sends_it(
    support_client, support_staff, make_request, committed, jurisdiction, complaint
):
    req = make_request(jurisdiction=jurisdiction)
    mail.outbox.clear()

    empty = act(support_client, "reject_requests", [req], apply="Reject", text="")
    assert "Give a reason" in empty.content.decode()
    req.refresh_from_db()
    assert req.status == Status.RECEIVED

    reason = "We hold no personal data for this address."
    with committed():
        act(support_client, "reject_requests", [req], apply="Reject", text=reason)

    req.refresh_from_db()
    assert req.status == Status.REJECTED
    assert req.rejection_reason == reason
    assert req.closed_at is not None
    assert req.events.last().step == Step.REJECTED
    assert AuditEvent.objects.get(action=AuditAction.PRIVACY_REQUEST_REJECTED).actor == (
        support_staff
    )
    [message] = mail.outbox
    assert "could not carry out" in message.subject
    assert reason in message.body
    assert ("complain to your data protection authority" in message.body) is complaint


def test_complete_needs_verification_first(support_client, make_request):
    req = make_request()

    response = act(support_client, "complete_requests", [req], apply="Complete", text="")

    assert f"{req.reference} is not verified yet: verify it first." in messages_of(response)
    req.refresh_from_db()
    assert req.status == Status.RECEIVED


def test_complete_from_the_request_page_with_a_note(
    support_client, support_staff, make_request, committed, client
):
    req = make_request(
        Status.IN_PROGRESS, request_type=Type.CORRECTION, details="Company is Acme, not Acne."
    )
    mail.outbox.clear()
    url = change_url(req)
    page = support_client.get(url).content.decode()
    assert 'name="CHANGE_FORM-action"' in page
    assert "Starts nothing by itself" in page

    form_step = support_client.post(
        url, {"CHANGE_FORM-action": "complete_requests", "_selected_action": req.pk}
    )
    assert form_step.status_code == 200
    assert "Note to the requester (optional)" in form_step.content.decode()

    note = "We corrected your company name."
    with committed():
        done = support_client.post(
            url,
            {
                "CHANGE_FORM-action": "complete_requests",
                "_selected_action": req.pk,
                "apply": "Complete",
                "text": note,
            },
        )

    assert done.status_code == 302
    assert done.url == url
    req.refresh_from_db()
    assert req.status == Status.COMPLETED
    assert req.completion_note == note
    assert req.closed_at is not None
    event = req.events.last()
    assert (event.step, event.actor, event.from_status) == (
        Step.COMPLETED,
        support_staff,
        Status.IN_PROGRESS,
    )
    assert event.note == note
    assert AuditEvent.objects.filter(action=AuditAction.PRIVACY_REQUEST_COMPLETED).count() == 1
    [message] = mail.outbox
    assert "is complete" in message.subject
    assert note in message.body
    status_page = client.get(status_path(req)).content.decode()
    assert "Your request is complete." in status_page
    assert note in status_page


def test_every_step_leaves_a_history_row_and_an_audit_row(support_client, make_request, committed):
    req = make_request()
    with committed():
        act(support_client, "verify_requests", [req])
        act(support_client, "start_requests", [req])
        act(support_client, "extend_requests", [req], apply="Extend deadline", text="Busy.")
        act(support_client, "complete_requests", [req], apply="Complete", text="Done.")

    steps = list(req.events.values_list("step", flat=True))
    assert steps == [
        Step.FILED,
        Step.VERIFIED,
        Step.STARTED,
        Step.EXTENDED,
        Step.COMPLETED,
    ]
    audited = AuditEvent.objects.filter(details__reference=req.reference).values_list(
        "action", flat=True
    )
    assert sorted(audited) == sorted(
        [
            AuditAction.PRIVACY_REQUEST_FILED,
            AuditAction.PRIVACY_REQUEST_VERIFIED,
            AuditAction.PRIVACY_REQUEST_STARTED,
            AuditAction.PRIVACY_REQUEST_EXTENDED,
            AuditAction.PRIVACY_REQUEST_COMPLETED,
        ]
    )
    html = support_client.get(change_url(req)).content.decode()
    for label in ("Request filed", "Request verified", "Work started", "Deadline extended"):
        assert label in html


# --- What staff can and cannot do --------------------------------------------------------


def test_staff_change_nothing_directly(support_client, make_request):
    req = make_request(details="Original details")

    page = support_client.get(change_url(req))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert 'name="events-MAX_NUM_FORMS" value="0"' in html  # no rows can be added
    assert 'name="events-0-note"' not in html  # the history is shown, not editable
    assert f"{CHANGELIST}{req.pk}/delete/" not in html

    tampered = support_client.post(
        change_url(req), {"status": Status.COMPLETED, "details": "Tampered"}
    )
    assert tampered.status_code == 403
    assert support_client.get(f"{CHANGELIST}add/").status_code == 403
    assert support_client.post(f"{CHANGELIST}{req.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = act(support_client, "delete_selected", [req])
    assert "delete_selected" not in bulk.content.decode()
    req.refresh_from_db()
    assert (req.status, req.details) == (Status.RECEIVED, "Original details")


def test_the_request_page_shows_what_the_request_needs_and_no_other_user_data(
    support_client, make_request
):
    user = UserFactory(
        email="cora@example.test", company="Hidden Company Ltd", job_title="Hidden Title"
    )
    req = make_request(user=user, details="Please send everything.")

    html = support_client.get(change_url(req)).content.decode()

    for shown in ("cora@example.test", "Please send everything.", req.reference, "EEA / EU"):
        assert shown in html
    for hidden in ("Hidden Company Ltd", "Hidden Title", user.password):
        assert hidden not in html
    assert f"/admin/accounts/user/{user.pk}/" not in html


def test_staff_without_the_work_permission_see_the_queue_but_cannot_act(client, make_request):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_privacyrequest"))
    client.force_login(viewer)
    req = make_request()

    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "verify_requests" not in listing.content.decode()
    assert 'name="CHANGE_FORM-action"' not in client.get(change_url(req)).content.decode()

    act(client, "verify_requests", [req])

    req.refresh_from_db()
    assert req.status == Status.RECEIVED


@pytest.mark.django_db
def test_people_who_are_not_staff_never_reach_the_queue(client, make_request):
    req = make_request()
    client.force_login(req.user)

    for url in (CHANGELIST, change_url(req)):
        response = client.get(url)
        assert response.status_code == 302
        assert re.match(r"/admin/login/", response.url)

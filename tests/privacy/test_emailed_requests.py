"""Requests that reach us by email, entered by support in admin with the day they arrived, and
requests whose address belongs to an account: the confirmation link goes to the account's own
address, and only confirming it ties the request to that account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from privacy import deadlines, requests
from privacy.models import PrivacyRequest, PrivacyRequestEvent
from privacy.request_links import confirm_token
from tests.factories import UserFactory

from .conftest import NEW_URL, form_data
from .test_admin import CHANGELIST, act, change_url, messages_of

Status = PrivacyRequest.Status
Type = PrivacyRequest.Type
Step = PrivacyRequestEvent.Step

pytestmark = pytest.mark.django_db

ENTER_URL = f"{CHANGELIST}enter/"
CONFIRM_LINK = re.compile(r"https?://\S+(/privacy/requests/confirm/\S+/)")


def entry(**overrides: str) -> dict[str, str]:
    data = {
        "email": "sam@example.test",
        "name": "Sam Sender",
        "request_type": Type.ACCESS,
        "jurisdiction": PrivacyRequest.Jurisdiction.EEA,
        "received_on": (timezone.localdate() - timedelta(days=5)).isoformat(),
        "details": "Please send me everything you hold about me.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def visitor() -> Client:
    """The requester's browser: not the support agent's (the `client` fixture is theirs)."""
    return Client()


def confirm_path(message: mail.EmailMessage) -> str:
    return CONFIRM_LINK.search(message.body).group(1)


def privacy_mail() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if "privacy request" in m.subject.lower()]


# --- Entering a request received by email -----------------------------------------------


def test_the_queue_offers_entering_an_emailed_request(support_client):
    listing = support_client.get(CHANGELIST).content.decode()
    assert f'href="{ENTER_URL}"' in listing
    assert "Enter a request received by email" in listing

    page = support_client.get(ENTER_URL)

    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Requester&#x27;s email address", "Received on", "What they ask for"):
        assert label in html
    assert 'type="date"' in html


def test_support_enters_a_request_and_the_due_date_counts_from_the_day_it_arrived(
    support_client, support_staff, committed
):
    received_on = timezone.localdate() - timedelta(days=5)

    with committed():
        response = support_client.post(ENTER_URL, entry(), follow=True)

    req = PrivacyRequest.objects.get()
    assert response.redirect_chain[-1][0] == change_url(req)
    assert (req.status, req.source, req.entered_by, req.user) == (
        Status.RECEIVED,
        PrivacyRequest.Source.SUPPORT,
        support_staff,
        None,
    )
    assert (req.email, req.name, req.request_type) == ("sam@example.test", "Sam Sender", "access")
    assert req.details == "Please send me everything you hold about me."
    assert deadlines.received_on(req.received_at) == received_on
    assert req.due_date == deadlines.due_date("eea", received_on)
    due = req.due_date.strftime("%b %-d, %Y")
    assert (
        f"{req.reference} entered: received {received_on:%b %-d, %Y}, answer due by {due}. "
        "No Mixora account uses this address; the requester was sent an acknowledgement."
    ) in messages_of(response)
    html = response.content.decode()
    assert "Received by email, entered by support" in html
    assert "We hold no Mixora account for sam@example.test" in html  # what completing does

    [event] = req.events.all()
    assert (event.step, event.actor_kind, event.actor, event.to_status) == (
        Step.FILED,
        PrivacyRequestEvent.Actor.STAFF,
        support_staff,
        Status.RECEIVED,
    )
    assert event.note == f"Received by email on {received_on:%b %-d, %Y} and entered by support."
    audit = AuditEvent.objects.get(action=AuditAction.PRIVACY_REQUEST_FILED)
    assert audit.actor == support_staff
    assert audit.details["reference"] == req.reference
    assert audit.details["channel"] == "email"
    assert audit.details["received_on"] == received_on.isoformat()

    # The sender is told we have it, and by when we answer.
    [ack] = mail.outbox
    assert ack.to == ["sam@example.test"]
    assert "We received your privacy request" in ack.subject
    assert req.due_date.strftime("%B %-d, %Y") in ack.body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"received_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "The received date can&#x27;t be in the future: enter the day the email arrived.",
        ),
        ({"received_on": ""}, "Enter the day the email arrived."),
        ({"received_on": "31/02/2026"}, "Enter the day the email arrived as a date"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"email": ""}, "Enter the address the request came from."),
        ({"request_type": ""}, "Choose what the requester asks for."),
        ({"jurisdiction": ""}, "Choose where the requester lives."),
        (
            {"request_type": Type.CORRECTION, "details": " "},
            "Tell us what is wrong and what it should say.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    support_client, committed, overrides, message
):
    with committed():
        response = support_client.post(ENTER_URL, entry(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PrivacyRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PRIVACY_REQUEST_FILED).exists()
    assert mail.outbox == []


def test_the_service_refuses_a_future_received_date_too(support_staff):
    with pytest.raises(requests.UserFacingError, match="can't be in the future"):
        requests.enter_emailed_request(
            request_type=Type.ACCESS,
            jurisdiction="other",
            email="sam@example.test",
            received_on=timezone.localdate() + timedelta(days=1),
            actor=support_staff,
        )
    assert not PrivacyRequest.objects.exists()


def test_an_emailed_opt_out_of_sale_is_answered_at_once(support_client, committed):
    with committed():
        response = support_client.post(
            ENTER_URL, entry(request_type=Type.OPT_OUT_SALE, jurisdiction="california"), follow=True
        )

    req = PrivacyRequest.objects.get()
    assert req.status == Status.COMPLETED
    assert "answered at once" in messages_of(response)[0]
    [answer] = mail.outbox
    assert "does not sell or share personal information" in answer.body


def test_only_staff_who_work_requests_may_enter_them(client, support_staff):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_privacyrequest"))
    client.force_login(viewer)

    assert "Enter a request received by email" not in client.get(CHANGELIST).content.decode()
    assert client.get(ENTER_URL).status_code == 403
    assert client.post(ENTER_URL, entry()).status_code == 403

    member = Client()
    member.force_login(UserFactory())
    assert member.get(ENTER_URL).url.startswith("/admin/login/")

    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(support_staff)
    assert csrf_checked.post(ENTER_URL, entry()).status_code == 403
    assert not PrivacyRequest.objects.exists()


# --- An address an account uses ----------------------------------------------------------


def test_an_emailed_request_for_an_accounts_address_waits_for_the_account_holder(
    support_client, support_staff, committed, visitor
):
    holder = UserFactory(email="Pat.Person@example.test", full_name="Pat Person")

    with committed():
        response = support_client.post(
            ENTER_URL, entry(email="pat.person@EXAMPLE.test"), follow=True
        )

    req = PrivacyRequest.objects.get()
    assert req.status == Status.RECEIVED
    assert req.user is None  # typed by someone else: nothing is tied to the account yet
    assert "the confirmation link went to the account&#x27;s address" in response.content.decode()
    # Only the link, to the address the account holds (not as typed); no acknowledgement.
    [link] = mail.outbox
    assert link.to == ["Pat.Person@example.test"]
    assert "Confirm your privacy request" in link.subject
    assert "This address belongs to a Mixora account" in link.body
    assert "received a privacy request by email" in link.body

    page = support_client.get(change_url(req)).content.decode()
    assert "Waiting for the account holder" in page
    refused = act(support_client, "verify_requests", [req])
    assert (
        f"{req.reference} is waiting for the account holder to confirm: a Mixora account "
        "uses pat.person@EXAMPLE.test"
    ) in messages_of(refused)[0]
    req.refresh_from_db()
    assert req.status == Status.RECEIVED

    mail.outbox.clear()
    path = confirm_path(link)
    confirm_page = visitor.get(path).content.decode()
    assert "confirming ties the request to that account" in confirm_page
    with committed():
        confirmed = visitor.post(path, follow=True)

    req.refresh_from_db()
    assert req.user == holder
    assert req.email == "Pat.Person@example.test"  # answers go to the account's address
    assert req.status == Status.RECEIVED
    assert deadlines.received_on(req.received_at) == timezone.localdate() - timedelta(days=5)
    event = req.events.last()
    assert (event.step, event.from_status, event.to_status) == (
        Step.CONFIRMED,
        Status.RECEIVED,
        Status.RECEIVED,
    )
    assert event.note == "Tied to the Mixora account that uses this address."
    confirmed_audit = AuditEvent.objects.get(action=AuditAction.PRIVACY_REQUEST_CONFIRMED)
    assert confirmed_audit.subject_user == holder
    assert "The request is tied to your Mixora account." in confirmed.content.decode()
    [ack] = privacy_mail()
    assert ack.to == ["Pat.Person@example.test"]
    assert "We received your privacy request" in ack.subject

    # Used once: the link can do nothing more.
    again = visitor.post(path)
    assert again.status_code == 400
    assert "This link was already used" in again.content.decode()

    with committed():
        verified = act(support_client, "verify_requests", [req])
    assert f"Verified: {req.reference}." in messages_of(verified)


def test_a_logged_out_request_for_an_accounts_address_is_tied_to_it_once_confirmed(
    client, committed
):
    holder = UserFactory(email="mia@example.test")

    with committed():
        filed = client.post(NEW_URL, form_data(email="MIA@example.test"))

    req = PrivacyRequest.objects.get()
    assert req.user is None
    # The page shows the address as typed: it says nothing about whether an account exists.
    assert "MIA@example.test" in client.get(filed.url).content.decode()
    [link] = mail.outbox
    assert link.to == ["mia@example.test"]
    assert "This address belongs to a Mixora account" in link.body

    with committed():
        client.post(confirm_path(link))

    req.refresh_from_db()
    assert (req.status, req.user, req.email) == (Status.RECEIVED, holder, "mia@example.test")
    assert req in holder.privacy_requests.all()  # listed under "Your privacy requests"


def test_a_link_ties_nothing_once_the_account_stopped_using_the_address(
    support_client, committed, visitor
):
    holder = UserFactory(email="old@example.test")
    with committed():
        support_client.post(ENTER_URL, entry(email="old@example.test"))
    req = PrivacyRequest.objects.get()
    path = confirm_path(mail.outbox[0])
    holder.email = "new@example.test"  # as allauth's change of address does
    holder.save()
    EmailAddress.objects.filter(user=holder).update(email="new@example.test")
    UserFactory(email="old@example.test")  # someone else has the address now

    response = visitor.post(path)

    assert response.status_code == 400
    assert "the account no longer uses that address" in response.content.decode()
    req.refresh_from_db()
    assert req.user is None
    assert req.events.count() == 1


def test_a_link_sent_without_an_account_ties_no_account_created_later(
    visitor, committed, support_client
):
    with committed():
        visitor.post(NEW_URL, form_data(email="late@example.test"))
    visitor.post(confirm_path(mail.outbox[0]))
    req = PrivacyRequest.objects.get()
    act(support_client, "verify_requests", [req])
    req.refresh_from_db()
    assert (req.status, req.user) == (Status.VERIFIED, None)
    latecomer = UserFactory(email="late@example.test")
    mail.outbox.clear()

    # The account's holder never confirmed: nothing is done for the account yet…
    refused = act(support_client, "complete_requests", [req], apply="Complete", text="")
    assert "is waiting for the account holder to confirm" in messages_of(refused)[0]
    req.refresh_from_db()
    assert req.status == Status.VERIFIED
    assert mail.outbox == []

    # …until they confirm, through a new link sent to the account's address.
    with committed():
        sent = act(support_client, "resend_confirmations", [req])
    assert f"Confirmation link sent to the account's address: {req.reference}." in messages_of(sent)
    [link] = mail.outbox
    assert link.to == ["late@example.test"]
    with committed():
        visitor.post(confirm_path(link))
    req.refresh_from_db()
    assert (req.user, req.status) == (latecomer, Status.VERIFIED)


def test_an_expired_link_can_be_sent_again_and_only_for_a_waiting_account(
    support_client, committed, visitor, make_request
):
    slow = UserFactory(email="slow@example.test")
    with committed():
        support_client.post(ENTER_URL, entry(email="slow@example.test"))
        support_client.post(ENTER_URL, entry(email="nobody@example.test"))
    waiting = PrivacyRequest.objects.get(email="slow@example.test")
    no_account = PrivacyRequest.objects.get(email="nobody@example.test")
    tied = make_request()
    stale = confirm_token(
        waiting,
        account=slow,
        now=timezone.now() - timedelta(hours=49),
    )
    assert "has expired" in visitor.post(f"/privacy/requests/confirm/{stale}/").content.decode()
    mail.outbox.clear()

    with committed():
        response = act(support_client, "resend_confirmations", [waiting, no_account, tied])

    shown = messages_of(response)
    assert (
        f"No Mixora account uses nobody@example.test: there is no account holder to confirm "
        f"{no_account.reference}."
    ) in shown
    assert f"{tied.reference} is already tied to its account: nothing to confirm." in shown
    assert f"Confirmation link sent to the account's address: {waiting.reference}." in shown
    [link] = mail.outbox
    assert link.to == ["slow@example.test"]
    with committed():
        visitor.post(confirm_path(link))
    waiting.refresh_from_db()
    assert waiting.user is not None


def test_a_closed_request_cannot_be_tied_by_an_old_link(support_client, committed, visitor):
    UserFactory(email="gone@example.test")
    with committed():
        support_client.post(ENTER_URL, entry(email="gone@example.test"))
        req = PrivacyRequest.objects.get()
        act(
            support_client,
            "reject_requests",
            [req],
            apply="Reject",
            text="The account holder did not confirm the request.",
        )
    req.refresh_from_db()
    assert req.status == Status.REJECTED

    response = visitor.post(confirm_path(mail.outbox[0]))

    assert response.status_code == 400
    assert "This request is closed" in response.content.decode()
    req.refresh_from_db()
    assert req.user is None

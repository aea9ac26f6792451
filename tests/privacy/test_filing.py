"""Filing on the public page: logged out (nothing actionable until the emailed link is
confirmed), logged in (tied to the account; deletion re-authenticates), the immediate
answers, bad input and the rate limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from privacy import deadlines, requests
from privacy.models import PrivacyRequest, PrivacyRequestEvent
from privacy.request_links import confirm_token
from tests.factories import PASSWORD, UserFactory

from .conftest import NEW_URL, form_data

Status = PrivacyRequest.Status
Type = PrivacyRequest.Type
Step = PrivacyRequestEvent.Step

CONFIRM_LINK = re.compile(r"https?://\S+/privacy/requests/confirm/(\S+)/")
STATUS_LINK = re.compile(r"https?://\S+(/privacy/requests/status/\S+/)")


def confirm_path(message: mail.EmailMessage) -> str:
    return "/privacy/requests/confirm/" + CONFIRM_LINK.search(message.body).group(1) + "/"


# --- The page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_explains_every_request_type_and_the_jurisdictions(client):
    response = client.get(NEW_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for label in Type.labels:
        assert label in html
    for label in PrivacyRequest.Jurisdiction.labels:
        assert label in html
    assert "45 days in California" in html
    assert "Confirm your email" in html
    assert "24 months" in html  # the notice at collection, next to the button


@pytest.mark.django_db
def test_the_footer_links_to_the_page(client):
    assert f'href="{NEW_URL}"' in client.get("/support/").content.decode()


# --- Logged out -------------------------------------------------------------------------


@pytest.mark.django_db
def test_logged_out_filing_creates_nothing_actionable_until_the_email_is_confirmed(
    client, committed, support_staff
):
    with committed():
        response = client.post(NEW_URL, form_data(details="Everything you hold."))

    assert response.status_code == 302
    assert response.url == "/privacy/requests/filed/"
    req = PrivacyRequest.objects.get()
    assert req.status == Status.AWAITING_CONFIRMATION
    assert req.user is None
    assert req.source == PrivacyRequest.Source.EMAIL
    assert req.received_at is None
    assert req.due_date is None
    assert req.email == "riley@example.test"
    assert req.details == "Everything you hold."
    [event] = req.events.all()
    assert (event.step, event.actor_kind, event.from_status, event.to_status) == (
        Step.FILED,
        PrivacyRequestEvent.Actor.REQUESTER,
        "",
        Status.AWAITING_CONFIRMATION,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.PRIVACY_REQUEST_FILED, details__reference=req.reference
    ).exists()

    # Only the confirmation email: no acknowledgement, nothing for staff to act on.
    [message] = mail.outbox
    assert message.to == ["riley@example.test"]
    assert "Confirm your privacy request" in message.subject
    assert req.reference in message.subject
    assert "48 hours" in message.body
    page = client.get(response.url)
    assert "Check your email" in page.content.decode()
    assert req.reference in page.content.decode()

    with pytest.raises(requests.UserFacingError, match="waiting for the requester to confirm"):
        requests.verify(req, actor=support_staff)
    req.refresh_from_db()
    assert req.status == Status.AWAITING_CONFIRMATION


@pytest.mark.django_db
def test_the_confirmation_link_works_once_and_starts_the_clock(client, committed):
    with committed():
        client.post(NEW_URL, form_data())
    req = PrivacyRequest.objects.get()
    path = confirm_path(mail.outbox[0])
    mail.outbox.clear()

    # Opening the link (as a mail scanner would) changes nothing: the button does.
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my request" in page.content.decode()
    req.refresh_from_db()
    assert req.status == Status.AWAITING_CONFIRMATION

    with committed():
        response = client.post(path)

    req.refresh_from_db()
    assert req.status == Status.RECEIVED
    assert req.received_at is not None
    assert req.due_date == deadlines.due_date(req.jurisdiction, timezone.localdate())
    assert response.status_code == 302
    assert response.url.startswith("/privacy/requests/status/")
    assert [e.step for e in req.events.all()] == [Step.FILED, Step.CONFIRMED]
    assert AuditEvent.objects.filter(action=AuditAction.PRIVACY_REQUEST_CONFIRMED).count() == 1
    [ack] = mail.outbox
    assert ack.to == ["riley@example.test"]
    assert "We received your privacy request" in ack.subject
    assert req.due_date.strftime("%B") in ack.body
    assert STATUS_LINK.search(ack.body).group(1) == response.url

    # A second use is refused, says why, and points at the request.
    for method in (client.get, client.post):
        again = method(path)
        assert again.status_code == 400
        assert "This link was already used" in again.content.decode()
        assert response.url in again.content.decode()
    assert req.events.count() == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_expired_confirmation_link_is_refused_with_a_clear_message(client, committed):
    with committed():
        client.post(NEW_URL, form_data())
    req = PrivacyRequest.objects.get()
    stale = confirm_token(req, now=timezone.now() - timedelta(hours=48, minutes=1))
    fresh_enough = confirm_token(req, now=timezone.now() - timedelta(hours=47, minutes=59))

    for method in (client.get, client.post):
        response = method(f"/privacy/requests/confirm/{stale}/")
        assert response.status_code == 400
        assert "This confirmation link has expired" in response.content.decode()
    req.refresh_from_db()
    assert req.status == Status.AWAITING_CONFIRMATION

    assert client.post(f"/privacy/requests/confirm/{fresh_enough}/").status_code == 302
    req.refresh_from_db()
    assert req.status == Status.RECEIVED


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["swap-reference", "edit-signature", "garbage"])
def test_a_tampered_confirmation_link_is_refused(client, committed, tamper):
    with committed():
        client.post(NEW_URL, form_data())
        client.post(NEW_URL, form_data(email="other@example.test"))
    first, second = PrivacyRequest.objects.order_by("pk")
    token = confirm_token(first)
    if tamper == "swap-reference":
        # A valid signature for one request cannot be re-pointed at another.
        token = token.replace(
            confirm_token(first).split(":")[0], confirm_token(second).split(":")[0]
        )
    elif tamper == "edit-signature":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        token = "not-a-token"

    response = client.post(f"/privacy/requests/confirm/{token}/")

    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()
    assert set(PrivacyRequest.objects.values_list("status", flat=True)) == {
        Status.AWAITING_CONFIRMATION
    }


@pytest.mark.django_db
def test_a_link_to_a_request_removed_unconfirmed_says_so(client, committed):
    with committed():
        client.post(NEW_URL, form_data())
    req = PrivacyRequest.objects.get()
    token = confirm_token(req)
    PrivacyRequest.objects.filter(pk=req.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert requests.purge_unconfirmed() == 1

    response = client.post(f"/privacy/requests/confirm/{token}/")

    assert response.status_code == 400
    assert "no longer on file" in response.content.decode()


# --- Immediate answers ------------------------------------------------------------------


@pytest.mark.django_db
def test_opt_out_of_sale_is_answered_at_once_recorded_and_completed(client, committed):
    with committed():
        response = client.post(
            NEW_URL,
            form_data(request_type=Type.OPT_OUT_SALE, jurisdiction="california"),
        )

    req = PrivacyRequest.objects.get()
    assert req.status == Status.COMPLETED
    assert req.received_at is not None
    assert req.closed_at is not None
    assert "does not sell or share personal information" in req.completion_note
    assert [(e.step, e.actor_kind) for e in req.events.all()] == [
        (Step.FILED, PrivacyRequestEvent.Actor.REQUESTER),
        (Step.COMPLETED, PrivacyRequestEvent.Actor.SYSTEM),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.PRIVACY_REQUEST_COMPLETED).exists()
    page = client.get(response.url)
    assert "Mixora does not sell or share personal information" in page.content.decode()
    # No confirmation round-trip: one email, the answer.
    [message] = mail.outbox
    assert "is complete" in message.subject
    assert "does not sell or share personal information" in message.body


@pytest.mark.django_db
def test_marketing_opt_out_from_an_account_is_done_at_once(client, committed):
    user = UserFactory(email="mo@example.test")
    client.force_login(user)

    with committed():
        client.post(NEW_URL, form_data(request_type=Type.MARKETING_OPT_OUT))

    req = PrivacyRequest.objects.get()
    assert req.user == user
    assert req.status == Status.COMPLETED
    assert req.events.last().note.endswith("Marketing emails turned off for the account.")
    assert [m.subject for m in mail.outbox if "privacy request" in m.subject.lower()] == [
        f"Your privacy request is complete [{req.reference}]"
    ]


@pytest.mark.django_db
def test_marketing_opt_out_confirmed_by_email_applies_to_the_account_using_the_address(
    client, committed
):
    user = UserFactory(email="mo@example.test")
    with committed():
        client.post(
            NEW_URL, form_data(request_type=Type.MARKETING_OPT_OUT, email="MO@example.test")
        )
    req = PrivacyRequest.objects.get()
    assert req.user is None  # unproven until the link is used

    with committed():
        client.post(confirm_path(mail.outbox[0]))

    req.refresh_from_db()
    assert req.user == user
    assert req.status == Status.COMPLETED


# --- Logged in --------------------------------------------------------------------------


@pytest.mark.django_db
def test_logged_in_filing_is_tied_to_the_account_and_received_at_once(client, committed):
    user = UserFactory(email="member@example.test", full_name="Mia Member", country="GB")
    client.force_login(user)

    page = client.get(NEW_URL)
    form = page.context["form"]
    assert form["email"].value() == "member@example.test"
    assert form.fields["email"].disabled
    assert form["name"].value() == "Mia Member"
    assert form["jurisdiction"].value() == PrivacyRequest.Jurisdiction.UK

    with committed():
        response = client.post(
            NEW_URL,
            form_data(
                request_type=Type.CORRECTION,
                email="someone-else@example.test",  # ignored: the account's address is used
                jurisdiction="uk",
                details="My company name is misspelt.",
            ),
        )

    req = PrivacyRequest.objects.get()
    assert req.user == user
    assert req.email == "member@example.test"
    assert req.source == PrivacyRequest.Source.ACCOUNT
    assert req.status == Status.RECEIVED
    assert req.due_date == deadlines.due_date("uk", timezone.localdate())
    assert response.status_code == 302
    assert response.url.startswith("/privacy/requests/status/")
    [ack] = mail.outbox
    assert ack.to == ["member@example.test"]
    assert "We received your privacy request" in ack.subject
    audit = AuditEvent.objects.get(action=AuditAction.PRIVACY_REQUEST_FILED)
    assert audit.actor == user
    assert audit.subject_user == user


@pytest.mark.django_db
def test_a_logged_in_deletion_request_asks_for_the_password_first(client, committed):
    user = UserFactory(email="leaving@example.test")
    client.force_login(user)
    data = form_data(request_type=Type.DELETION, email=user.email)

    response = client.post(NEW_URL, data)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    assert not PrivacyRequest.objects.exists()

    wrong = client.post(response.url, {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert not PrivacyRequest.objects.exists()

    with committed():
        done = client.post(response.url, {"password": PASSWORD})

    req = PrivacyRequest.objects.get()
    assert req.request_type == Type.DELETION
    assert req.user == user
    assert req.status == Status.RECEIVED
    assert done.status_code == 302
    assert done.url.startswith("/privacy/requests/status/")


@pytest.mark.django_db
def test_other_logged_in_requests_need_no_reauthentication(client):
    client.force_login(UserFactory())

    response = client.post(NEW_URL, form_data(request_type=Type.ACCESS))

    assert response.url.startswith("/privacy/requests/status/")
    assert PrivacyRequest.objects.get().status == Status.RECEIVED


# --- Bad input --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"request_type": ""}, "request_type", "Choose what you would like us to do."),
        ({"request_type": "sell_everything"}, "request_type", "Select a valid choice"),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"jurisdiction": ""}, "jurisdiction", "Choose where you live."),
        ({"jurisdiction": "mars"}, "jurisdiction", "Select a valid choice"),
        (
            {"request_type": Type.CORRECTION, "details": "   "},
            "details",
            "Tell us what is wrong and what it should say.",
        ),
        ({"details": "x" * 5001}, "details", "at most 5000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, overrides, field, message):
    response = client.post(NEW_URL, form_data(**overrides))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not PrivacyRequest.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_form_needs_a_csrf_token(db):
    client = Client(enforce_csrf_checks=True)

    assert client.post(NEW_URL, form_data()).status_code == 403
    assert not PrivacyRequest.objects.exists()


@pytest.mark.django_db
def test_filing_is_rate_limited_per_ip(client):
    from privacy.views import REQUESTS_PER_HOUR_PER_IP

    assert REQUESTS_PER_HOUR_PER_IP == 5
    for n in range(REQUESTS_PER_HOUR_PER_IP):
        assert client.post(NEW_URL, form_data(email=f"p{n}@example.test")).status_code == 302
    # Invalid submissions create nothing and do not count.
    assert client.post(NEW_URL, form_data(email="")).status_code == 400

    response = client.post(NEW_URL, form_data(email="one-too-many@example.test"))

    assert response.status_code == 429
    assert "You have filed several requests in the last hour" in response.content.decode()
    assert PrivacyRequest.objects.count() == REQUESTS_PER_HOUR_PER_IP
    assert not PrivacyRequest.objects.filter(email="one-too-many@example.test").exists()

    other = client.post(
        NEW_URL, form_data(email="elsewhere@example.test"), REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302
    assert PrivacyRequest.objects.filter(email="elsewhere@example.test").exists()


# --- Housekeeping -----------------------------------------------------------------------


@pytest.mark.django_db
def test_unconfirmed_requests_are_purged_after_48_hours_and_nothing_else(client, make_request):
    client.post(NEW_URL, form_data(email="old@example.test"))
    client.post(NEW_URL, form_data(email="new@example.test"))
    received = make_request()
    PrivacyRequest.objects.filter(email="old@example.test").update(
        created_at=timezone.now() - timedelta(hours=49)
    )
    PrivacyRequest.objects.filter(pk=received.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )

    from privacy.tasks import purge_unconfirmed_requests

    assert purge_unconfirmed_requests() == 1
    assert set(PrivacyRequest.objects.values_list("email", flat=True)) == {
        "new@example.test",
        received.email,
    }


@pytest.mark.django_db
def test_history_events_are_append_only(make_request):
    event = make_request().events.get()

    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()

"""What the requester sees: the status page behind the signed link (one request, nothing
else), and the logged-in list of their own requests."""

from __future__ import annotations

import pytest

from privacy.models import PrivacyRequest
from privacy.request_links import status_path, status_token
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_signed_status_link_shows_that_request_and_no_other(client, make_request):
    mine = make_request(name="Mine Person", details="My secret details")
    theirs = make_request(request_type=PrivacyRequest.Type.DELETION, name="Their Person")

    response = client.get(status_path(mine))

    assert response.status_code == 200
    html = response.content.decode()
    assert mine.reference in html
    assert "See my data" in html
    assert "Received" in html
    assert mine.due_date.strftime("%b") in html
    assert theirs.reference not in html
    assert theirs.email not in html
    assert "Delete my data" not in html
    # Read-only and minimal: a forwarded link shows neither the address nor the details.
    assert mine.email not in html
    assert "My secret details" not in html
    assert "<form" not in html.split('id="main"')[1].split("</main>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["PR-AAAAAAAA", "PR-AAAAAAAA:forged", "garbage"])
def test_a_forged_status_link_shows_nothing(client, make_request, token):
    req = make_request()

    response = client.get(f"/privacy/requests/status/{token}/")

    assert response.status_code == 404
    assert "This status link is not valid" in response.content.decode()
    assert req.reference not in response.content.decode()


@pytest.mark.django_db
def test_a_status_token_names_exactly_one_request(make_request):
    first, second = make_request(), make_request()

    assert status_token(first) != status_token(second)
    assert status_token(first).startswith(first.reference + ":")


@pytest.mark.django_db
def test_your_privacy_requests_lists_only_your_own(client, make_request):
    me = UserFactory(email="me@example.test")
    mine = make_request(user=me)
    other = make_request()
    client.force_login(me)

    response = client.get("/privacy/requests/")

    assert response.status_code == 200
    html = response.content.decode()
    assert mine.reference in html
    assert status_path(mine) in html
    assert other.reference not in html


@pytest.mark.django_db
def test_your_privacy_requests_needs_a_log_in(client):
    response = client.get("/privacy/requests/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_progress_shows_what_is_to_come_then_only_the_path_taken(
    client, make_request, committed
):
    from privacy import requests

    staff = UserFactory(is_staff=True)
    req = make_request()

    stages = client.get(status_path(req)).context["progress"]
    assert [(s["label"], s["state"]) for s in stages] == [
        ("Received", "current"),
        ("Verified", "todo"),
        ("In progress", "todo"),
        ("Completed", "todo"),
    ]

    with committed():
        requests.reject(req, actor=staff, reason="We hold no data for this address.")

    response = client.get(status_path(req))
    assert [(s["label"], s["state"]) for s in response.context["progress"]] == [
        ("Received", "done"),
        ("Rejected", "stopped"),
    ]
    assert "We hold no data for this address." in response.content.decode()

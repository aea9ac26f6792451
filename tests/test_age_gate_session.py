"""A refusal by the sign-up age gate holds for the rest of the browser session: answering
again with another age is refused too, and nothing is stored either time."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.age_gate import REANSWER_MESSAGE, REFUSAL_MESSAGE
from accounts.models import User
from tests.test_signup import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_a_second_answer_after_a_refusal_is_refused_and_stores_nothing(client):
    refused = client.post(
        SIGNUP_URL, signup_data(email="kid@example.test", country="DE", age="13-15")
    )
    assert REFUSAL_MESSAGE in _text(refused)

    again = client.post(SIGNUP_URL, signup_data(email="kid@example.test", country="DE", age="16+"))
    assert again.status_code == 200
    assert REANSWER_MESSAGE in _text(again)
    # Another country or address changes nothing either.
    moved = client.post(SIGNUP_URL, signup_data(email="other@example.test", country="US"))
    assert REANSWER_MESSAGE in _text(moved)
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    assert mail.outbox == []


def test_the_sign_up_page_remembers_the_refusal_and_offers_no_form(client):
    client.post(SIGNUP_URL, signup_data(country="FR", age="under-13"))
    page = client.get(SIGNUP_URL)
    assert page.status_code == 200
    assert REANSWER_MESSAGE in _text(page)
    assert 'name="age"' not in page.content.decode()
    assert 'name="password1"' not in page.content.decode()


def test_the_refusal_is_kept_in_the_session_only_as_a_fact(client):
    client.post(SIGNUP_URL, signup_data(email="kid@example.test", country="GB", age="13-15"))
    stored = dict(client.session.items())
    assert "kid@example.test" not in repr(stored)
    assert "13-15" not in repr(stored)
    assert stored.get("mixora.age_gate_refused") is True


def test_another_browser_is_not_affected(client):
    client.post(SIGNUP_URL, signup_data(email="kid@example.test", country="DE", age="13-15"))
    other = Client()
    response = other.post(SIGNUP_URL, signup_data(email="adult@example.test", age="16+"))
    assert response.status_code == 302
    assert User.objects.filter(email="adult@example.test").exists()


def test_an_accepted_answer_leaves_no_mark(client):
    client.post(SIGNUP_URL, signup_data(email="teen@example.test", country="US", age="13-15"))
    assert "mixora.age_gate_refused" not in client.session
    assert User.objects.filter(email="teen@example.test").exists()

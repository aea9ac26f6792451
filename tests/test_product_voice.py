"""The account pages speak Mixora's words, not django-allauth's defaults."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD, UserFactory
from tests.test_signup import SIGNUP_URL, signup_data

LIBRARY_WORDS = re.compile(
    r"Sign In|Sign Up|Signup|Sign Out|Remember Me|Verify Your Email Address|Password Reset"
    r"|Confirm Email Address|Change Password"
)

pytestmark = pytest.mark.django_db


def _visible(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/accounts/login/", ["<title>Log in", "Keep me logged in", ">Create an account</a>"]),
        ("/accounts/signup/", ["<title>Create account", ">Log in</a>"]),
        ("/accounts/password/reset/", ["Reset your password", "Email me a reset link"]),
        ("/accounts/confirm-email/", ["Confirm your email address"]),
        ("/accounts/password/reset/key/1-set-password/", ["This link no longer works"]),
    ],
)
def test_the_logged_out_account_pages_use_the_products_words(client, path, words):
    page = _visible(client.get(path))
    for word in words:
        assert word in page
    assert not LIBRARY_WORDS.search(page), LIBRARY_WORDS.search(page).group(0)


def test_the_confirmation_email_and_page_after_sign_up(client):
    response = client.post(SIGNUP_URL, signup_data(), follow=True)
    page = _visible(response)
    assert "Confirm your email address" in page
    assert not LIBRARY_WORDS.search(page)
    assert mail.outbox[0].subject == "[Mixora] Confirm your email address"


def test_the_logged_in_account_pages_use_the_products_words(client):
    user = UserFactory()
    client.force_login(user)
    for path in ("/accounts/password/change/", "/accounts/logout/"):
        page = _visible(client.get(path))
        assert not LIBRARY_WORDS.search(page), (path, LIBRARY_WORDS.search(page).group(0))
    client.logout()
    client.post("/accounts/password/reset/", {"email": user.email})
    assert mail.outbox[-1].subject == "[Mixora] Reset your password"
    assert client.login(email=user.email, password=PASSWORD)

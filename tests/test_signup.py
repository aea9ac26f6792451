"""Sign-up, e-mail verification, onboarding, log-in auditing, two-factor and rate limits."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail

from accounts.age_gate import REFUSAL_MESSAGE, is_old_enough
from accounts.models import Membership, User, Workspace
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD, UserFactory

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
ONBOARDING_URL = "/workspaces/new/"
NEW_PASSWORD = "another-long-passphrase-7"

CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>/]+/")


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "newcomer@example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Nora Newcomer",
        "country": "US",
        "age": "16+",
    }
    data.update(overrides)
    return data


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def current_totp(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238, via allauth's own HOTP helper)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def log_in(client, email: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


# --- Sign-up and e-mail verification -----------------------------------------------------


@pytest.mark.django_db
def test_signup_requires_email_verification_then_logs_in_and_sends_to_onboarding(client):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="newcomer@example.test")
    assert user.full_name == "Nora Newcomer"
    assert user.country == "US"
    assert user.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "newcomer@example.test"
    assert not address.verified
    assert logged_in_user_id(client) is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.test"]
    # The email names Mixora, not the host the request came in on.
    assert "Hello from Mixora!" in message.body
    assert "Thank you for using Mixora!" in message.body
    link = CONFIRM_LINK.search(message.body)
    assert link, message.body
    confirm_path = "/" + link.group(0).split("/", 3)[3]

    # Logging in before verifying does not reach the app.
    response = log_in(client, "newcomer@example.test")
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert logged_in_user_id(client) is None
    response = client.get(ONBOARDING_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)

    # GET shows the confirmation page and confirms nothing.
    response = client.get(confirm_path)
    assert response.status_code == 200
    assert b"<form" in response.content
    address.refresh_from_db()
    assert not address.verified
    assert logged_in_user_id(client) is None

    # POST confirms, logs in, and lands a person without a workspace on onboarding.
    response = client.post(confirm_path, follow=True)
    assert response.redirect_chain[-1][0] == ONBOARDING_URL
    assert response.status_code == 200
    address.refresh_from_db()
    assert address.verified
    assert logged_in_user_id(client) == str(user.pk)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED, actor=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "age"),
    [
        ("US", "under-13"),
        ("DE", "under-13"),
        ("JP", "under-13"),
        ("DE", "13-15"),
        ("FR", "13-15"),
        ("GB", "13-15"),
        ("NO", "13-15"),
    ],
)
def test_age_gate_refuses_and_stores_nothing(client, country, age):
    response = client.post(
        SIGNUP_URL, signup_data(email="young@example.test", country=country, age=age)
    )

    assert response.status_code == 200
    assert REFUSAL_MESSAGE in response.content.decode()
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    assert mail.outbox == []


EEA_AND_UK_CODES = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
    "GB",
]


@pytest.mark.parametrize("country", EEA_AND_UK_CODES)
def test_age_gate_requires_sixteen_in_every_eea_country_and_the_uk(country):
    assert not is_old_enough(country, "13-15")
    assert not is_old_enough(country, "under-13")
    assert is_old_enough(country, "16+")


@pytest.mark.parametrize("country", ["US", "CH", "CA", "BR", "JP", "AU"])
def test_age_gate_requires_thirteen_elsewhere(country):
    assert is_old_enough(country, "13-15")
    assert not is_old_enough(country, "under-13")
    assert is_old_enough(country, "16+")


@pytest.mark.django_db
@pytest.mark.parametrize("country", ["US", "CA", "JP"])
def test_age_gate_admits_thirteen_to_fifteen_outside_eea_and_uk(client, country):
    response = client.post(
        SIGNUP_URL, signup_data(email="teen@example.test", country=country, age="13-15")
    )

    assert response.status_code == 302
    assert User.objects.filter(email="teen@example.test", country=country).exists()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_signup_with_taken_email_in_other_case_creates_no_second_user_and_warns_the_owner(
    client,
):
    """allauth's enumeration protection (ACCOUNT_PREVENT_ENUMERATION, default on) answers a
    taken address exactly like a free one and mails the address's owner instead of showing
    a form error; what matters is that no second account appears."""
    existing = UserFactory(email="taken@example.test")

    response = client.post(SIGNUP_URL, signup_data(email="TAKEN@Example.TEST"))

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert list(User.objects.values_list("pk", flat=True)) == [existing.pk]
    assert EmailAddress.objects.filter(email__iexact="taken@example.test").count() == 1
    assert logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["TAKEN@Example.TEST"] or mail.outbox[0].to == [
        "taken@example.test"
    ]
    assert "already" in mail.outbox[0].subject.lower() + mail.outbox[0].body.lower()
    assert "/accounts/confirm-email/" not in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("password", "too common"),
        ("83920174659201", "entirely numeric"),
        ("k7#Qz", "too short"),
    ],
)
def test_weak_password_is_refused_and_creates_no_user(client, password, expected):
    response = client.post(SIGNUP_URL, signup_data(password1=password, password2=password))

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_mismatched_passwords_are_refused(client):
    response = client.post(SIGNUP_URL, signup_data(password2=PASSWORD + "x"))

    assert response.status_code == 200
    assert "same password" in response.content.decode()
    assert not User.objects.exists()


# --- Onboarding ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_onboarding_creates_workspace_with_user_as_owner_and_audits_it(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(ONBOARDING_URL, {"name": "Acme Marketing", "timezone": "Europe/Berlin"})

    workspace = Workspace.objects.get()
    assert response.status_code == 302
    assert response.url == f"/w/{workspace.slug}/"
    assert workspace.name == "Acme Marketing"
    assert workspace.slug == "acme-marketing"
    assert workspace.timezone == "Europe/Berlin"
    assert Membership.objects.get(workspace=workspace).user == user
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    event = AuditEvent.objects.get(action=AuditAction.WORKSPACE_CREATED)
    assert event.actor == user
    assert event.workspace == workspace
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_onboarding_gives_workspaces_with_the_same_name_distinct_slugs(client):
    first, second = UserFactory(), UserFactory()

    client.force_login(first)
    client.post(ONBOARDING_URL, {"name": "Acme", "timezone": "UTC"})
    client.force_login(second)
    client.post(ONBOARDING_URL, {"name": "Acme", "timezone": "UTC"})
    client.post(ONBOARDING_URL, {"name": "Acme", "timezone": "UTC"})

    slugs = sorted(Workspace.objects.values_list("slug", flat=True))
    assert slugs == ["acme", "acme-2", "acme-3"]
    assert Workspace.objects.get(slug="acme").memberships.get().user == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Admin", "admin-team"),
        ("New", "new-team"),
        ("!!!", "workspace"),
        ("Café Ünïcode", "cafe-unicode"),
    ],
)
def test_onboarding_slug_avoids_reserved_words_and_empty_slugs(client, name, slug):
    client.force_login(UserFactory())

    response = client.post(ONBOARDING_URL, {"name": name, "timezone": "UTC"})

    assert response.status_code == 302
    assert Workspace.objects.get().slug == slug
    assert response.url == f"/w/{slug}/"


@pytest.mark.django_db
def test_onboarding_rejects_unknown_timezone_and_creates_nothing(client):
    client.force_login(UserFactory())

    response = client.post(ONBOARDING_URL, {"name": "Acme", "timezone": "Mars/Olympus_Mons"})

    assert response.status_code in {200, 400}
    assert response.context["form"].errors["timezone"]
    assert not Workspace.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.WORKSPACE_CREATED).exists()


# --- Log-in auditing -----------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_login_is_audited_with_attempted_email_and_ip(client):
    user = UserFactory(email="audit@example.test")

    response = log_in(client, "audit@example.test", "not-the-password-1")

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.details["attempted_email"] == "audit@example.test"
    assert event.ip_address == "127.0.0.1"
    assert event.subject_user == user
    assert event.actor is None
    assert "not-the-password-1" not in str(event.details)


@pytest.mark.django_db
def test_successful_login_is_audited(client):
    user = UserFactory()

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_SUCCEEDED)
    assert event.actor == user
    assert event.ip_address == "127.0.0.1"
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


@pytest.mark.django_db
def test_password_change_is_audited(client):
    user = UserFactory()
    log_in(client, user.email)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert event.actor == user
    assert event.ip_address == "127.0.0.1"


# --- Two-factor authentication ------------------------------------------------------------


@pytest.mark.django_db
def test_activating_totp_is_audited_and_then_login_requires_the_code(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    assert log_in(client, user.email).status_code == 302

    # Adding a second factor asks for the password again first (allauth's reauthentication).
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"

    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in response.content.decode()  # shown for manual entry

    # allauth sends authenticator_added on commit; the test transaction never commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": current_totp(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    added = AuditEvent.objects.filter(action=AuditAction.MFA_ADDED, actor=user)
    assert added.filter(details__method=Authenticator.Type.TOTP).exists()

    client.post("/accounts/logout/")
    assert logged_in_user_id(client) is None

    response = log_in(client, user.email)
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert logged_in_user_id(client) is None
    assert client.get(ONBOARDING_URL).status_code == 302  # not in the app yet

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert logged_in_user_id(client) is None

    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp(secret)})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


# --- Rate limits ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_logins_for_one_account_are_rate_limited(client):
    """allauth's default login_failed limit is 5 failures per 300 s per account (key)."""
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["login_failed"] == "10/m/ip,5/300s/key"
    user = UserFactory(email="target@example.test")

    refused_at = None
    for attempt in range(1, 9):
        response = log_in(client, "target@example.test", f"wrong-password-{attempt}")
        assert response.status_code in {200, 429}
        if "Too many failed login attempts" in response.content.decode():
            refused_at = attempt
            break
    assert refused_at == 6

    # Once limited, even the right password is refused.
    response = log_in(client, "target@example.test", PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(client) is None
    # Another account from the same browser is not yet affected by this account's counter.
    other = UserFactory()
    assert log_in(client, other.email).status_code == 302
    assert user.pk != other.pk

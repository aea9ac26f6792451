"""Webhook input a platform would never send is refused with a 4xx, never a 500; and the debug
page a 500 shows in local mode never reveals the platforms' client secrets."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client
from django.views.debug import ExceptionReporter

from mixora.reporting import SettingsFilter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "token",
    ["vérifié", "токен", "😀", "test-verify-token\u00e9"],
    ids=["latin", "cyrillic", "emoji", "suffix"],
)
def test_a_non_ascii_verify_token_is_refused(client: Client, token):
    response = client.get(
        "/webhooks/meta/",
        {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/webhooks/meta/", "X-Hub-Signature-256"),
        ("/webhooks/x/", "x-twitter-webhooks-signature"),
    ],
)
@pytest.mark.parametrize("value", ["sha256=é" + "0" * 63, "sha256=ßß", "sha256=\u00ff"])
def test_a_non_ascii_signature_is_refused(client: Client, path, header, value):
    # WSGI carries header values as latin-1, so these characters reach the view as they are.
    response = client.post(
        path, b'{"object":"page"}', content_type="application/json", headers={header: value}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("token", ["é", "a{b", '{"for_user_id":"1"}', "", "x" * 300])
def test_the_x_crc_answers_only_tokens_x_would_send(client: Client, token):
    assert client.get("/webhooks/x/", {"crc_token": token}).status_code == 400


def test_an_unknown_webhook_source_is_not_found(client: Client):
    assert (
        client.post("/webhooks/nowhere/", b"{}", content_type="application/json").status_code == 404
    )


def _debug_page(request) -> str:
    """Django's debug page for an error (its frames hold no secrets of the test)."""
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        return ExceptionReporter(request, type(exc), exc, exc.__traceback__).get_traceback_html()


def test_error_pages_hide_platform_credentials_and_connection_urls(settings, rf):
    # Values made at run time: the page also shows this test's source lines.
    app_secret, db_password = secrets.token_hex(8), secrets.token_hex(8)
    settings.DEBUG = True
    settings.PLATFORM_CREDENTIALS = {"meta": ("app-id", app_secret)}
    settings.DATABASE_URL = f"postgres://user:{db_password}@db/mixora"
    html = _debug_page(rf.get("/boom/"))
    assert "PLATFORM_CREDENTIALS" in html  # the settings section was rendered
    assert app_secret not in html
    assert db_password not in html
    safe = SettingsFilter().get_safe_settings()
    assert safe["PLATFORM_CREDENTIALS"] == SettingsFilter.cleansed_substitute

"""Platform tokens are encrypted in the database, readable with any configured key, and
`rotate_token_keys` moves them all under the newest key."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from connections import crypto
from connections.models import ConnectedAccount
from tests.factories import WorkspaceFactory

SECRET = "EAAG-very-secret-page-token"


def raw_columns(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token, provider_user_token "
            "FROM connections_connectedaccount WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


@pytest.fixture
def account(db):
    return ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(),
        platform="facebook",
        external_id="1",
        display_name="Page",
        access_token=SECRET,
        refresh_token="refresh-secret",
        provider_user_token="user-secret",
    )


def test_tokens_are_ciphertext_in_the_database_and_plaintext_in_python(account):
    stored = raw_columns(account.pk)
    assert all(value and "secret" not in value for value in stored)
    fresh = ConnectedAccount.objects.get(pk=account.pk)
    assert fresh.access_token == SECRET
    assert fresh.refresh_token == "refresh-secret"


def test_an_empty_token_stays_empty(db):
    account = ConnectedAccount.objects.create(
        workspace=WorkspaceFactory(), platform="x", external_id="2", display_name="X"
    )
    assert raw_columns(account.pk)[1] == ""
    assert ConnectedAccount.objects.get(pk=account.pk).refresh_token == ""


def test_rotation_moves_every_token_under_the_newest_key(account, settings):
    old_keys = list(settings.TOKEN_ENCRYPTION_KEYS)
    before = raw_columns(account.pk)
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, *old_keys]

    call_command("rotate_token_keys", stdout=io.StringIO())

    after = raw_columns(account.pk)
    assert after != before
    for value in after:
        Fernet(new_key.encode()).decrypt(value.encode())  # made with the new key
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old keys can now be dropped
    assert ConnectedAccount.objects.get(pk=account.pk).access_token == SECRET


def test_a_token_made_with_a_removed_key_cannot_be_read(account, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        ConnectedAccount.objects.get(pk=account.pk)


def test_decrypt_accepts_any_configured_key(settings):
    older = settings.TOKEN_ENCRYPTION_KEYS[1]
    made_with_older = Fernet(older.encode()).encrypt(b"legacy").decode()
    assert crypto.decrypt(made_with_older) == "legacy"
    assert crypto.rotate(made_with_older) != made_with_older


def test_admin_never_shows_tokens(admin_client, account):
    response = admin_client.get(f"/admin/connections/connectedaccount/{account.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    for secret in (SECRET, "refresh-secret", "user-secret", *raw_columns(account.pk)):
        assert secret not in html
    assert "access_token" not in html

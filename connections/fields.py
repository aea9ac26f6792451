from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (MultiFernet); Python code sees plaintext, the database never does.

    An empty string stays empty (no token), so "has a refresh token" is a cheap check."""

    holds_secret = True  # never exported, whatever the field's name

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value)

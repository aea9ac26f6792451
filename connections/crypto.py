"""Platform tokens at rest: MultiFernet over TOKEN_ENCRYPTION_KEYS (newest key first)."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed


@cache
def _fernet() -> MultiFernet:
    keys = settings.TOKEN_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is empty: platform tokens need a key.")
    return MultiFernet([Fernet(key) for key in keys])


def _forget_keys(*, setting: str, **kwargs: object) -> None:
    if setting == "TOKEN_ENCRYPTION_KEYS":
        _fernet.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Decrypts with whichever configured key made the token."""
    return _fernet().decrypt(ciphertext.encode()).decode()


def rotate(ciphertext: str) -> str:
    """Re-encrypts under the newest key."""
    return _fernet().rotate(ciphertext.encode()).decode()

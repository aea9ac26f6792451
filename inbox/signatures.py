"""The webhook checks of each platform, over the raw body exactly as received.

Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>` and the
hub.verify_token handshake (developers.facebook.com/docs/graph-api/webhooks/getting-started).
X: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>` and the
CRC answer (docs.x.com account-activity securing webhooks)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def meta_signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + _hmac(secret, body).hex()
    return hmac.compare_digest(expected, header.strip().lower())


def x_signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = "sha256=" + base64.b64encode(_hmac(secret, body)).decode()
    return hmac.compare_digest(expected, header.strip())


def x_crc_response(secret: str, crc_token: str) -> str:
    return "sha256=" + base64.b64encode(_hmac(secret, crc_token.encode())).decode()


def meta_verify_token_ok(expected: str, mode: str, token: str) -> bool:
    return bool(expected) and mode == "subscribe" and hmac.compare_digest(expected, token)

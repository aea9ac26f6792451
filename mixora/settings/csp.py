"""The Content-Security-Policy every response carries (Django's ContentSecurityPolicyMiddleware
reads SECURE_CSP). Scripts and styles come only from our own static files: templates hold no
inline script, event handler or style attribute (tests/test_csp.py keeps it so)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from django.utils.csp import CSP


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _source_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def storage_origins(storage: dict) -> list[str]:
    """Where browsers load private media from: S3's signed URLs point at the bucket's host
    (path-style on a custom endpoint such as MinIO, virtual-hosted style on AWS). Local files
    are served by Mixora itself ('self')."""
    if not storage["BACKEND"].endswith("S3Storage"):
        return []
    options = storage.get("OPTIONS", {})
    if options.get("custom_domain"):
        return [f"https://{options['custom_domain']}"]
    if options.get("endpoint_url"):
        return [_origin(options["endpoint_url"])]
    bucket, region = options["bucket_name"], options.get("region_name") or "us-east-1"
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]


def content_security_policy(storage: dict) -> dict[str, list[str]]:
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        # One style attribute we don't write: allauth's email page hides its pending-change
        # form with style="display: none" (account/email_change.html).
        "style-src-attr": [CSP.UNSAFE_HASHES, _source_hash("display: none")],
        # data: images: the stylesheet's select arrow and allauth's TOTP QR code are data: URIs
        # (an image cannot run script).
        "img-src": [CSP.SELF, "data:", *storage_origins(storage)],
        # Videos: tiles play a library file's own frame from storage; the uploader's browser
        # draws a video's still from a blob: URL of the file being uploaded.
        "media-src": [CSP.SELF, "blob:", *storage_origins(storage)],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
        "form-action": [CSP.SELF],
    }

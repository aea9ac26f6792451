"""Helpers for the publishing tests: tokens through the real consent + token flows, and a
loopback HTTP server the emulator downloads media from (as it would a presigned S3 URL)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from tests.emulator import REDIRECT_URI, consent

META_SCOPES = ",".join(
    (
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
        "instagram_basic",
        "instagram_content_publish",
    )
)
X_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
TIKTOK_SCOPES = "user.info.basic,video.publish,video.upload,video.list"
GOOGLE_SCOPES = " ".join(
    f"https://www.googleapis.com/auth/{scope}"
    for scope in ("youtube.upload", "youtube.readonly", "youtube.force-ssl")
)


def meta_user_token(emulator, scopes: str = META_SCOPES) -> str:
    """A Facebook user token, after a Facebook Login with these scopes."""
    params = {"client_id": "meta-app", "redirect_uri": REDIRECT_URI, "state": "s", "scope": scopes}
    code = consent(f"{emulator.url}/facebook/v25.0/dialog/oauth", params)["code"]
    app = {"client_id": "meta-app", "client_secret": "meta-secret", "redirect_uri": REDIRECT_URI}
    response = requests.get(
        f"{emulator.url}/graph/v25.0/oauth/access_token", params={**app, "code": code}, timeout=5
    )
    return response.json()["access_token"]


def meta_page_tokens(emulator, scopes: str = META_SCOPES) -> dict[str, str]:
    """Page id -> Page token, after a Facebook Login with these scopes."""
    accounts = requests.get(
        f"{emulator.url}/graph/v25.0/me/accounts",
        params={"fields": "id,access_token", "access_token": meta_user_token(emulator, scopes)},
        timeout=5,
    )
    return {page["id"]: page["access_token"] for page in accounts.json()["data"]}


def x_token(emulator, scopes: str = X_SCOPES, user: str | None = None) -> str:
    """An access token of `user` (default: the first X user) with these scopes."""
    params = {
        "response_type": "code",
        "client_id": "x-client",
        "redirect_uri": REDIRECT_URI,
        "scope": scopes,
        "state": "s",
        "code_challenge": "plain-challenge",
        "code_challenge_method": "plain",
    }
    code = consent(f"{emulator.url}/x/i/oauth2/authorize", params, user=user)["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": "plain-challenge",
        "client_id": "x-client",
    }
    response = requests.post(f"{emulator.url}/x-api/2/oauth2/token", data=form, timeout=5)
    return response.json()["access_token"]


def tiktok_token(emulator, scopes: str = TIKTOK_SCOPES) -> str:
    params = {
        "client_key": "tt-key",
        "scope": scopes,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "state": "s",
    }
    code = consent(f"{emulator.url}/tiktok/v2/auth/authorize/", params)["code"]
    form = {
        "client_key": "tt-key",
        "client_secret": "tt-secret",
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
    }
    response = requests.post(f"{emulator.url}/tiktok-api/v2/oauth/token/", data=form, timeout=5)
    return response.json()["access_token"]


def google_token(emulator, scopes: str = GOOGLE_SCOPES, user: str | None = None) -> str:
    """An access token of `user` (default: the first Google user) with these scopes."""
    client = {"client_id": "g-client", "client_secret": "g-secret"}
    params = {
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": scopes,
        "state": "s",
    }
    code = consent(f"{emulator.url}/google/o/oauth2/v2/auth", params, user=user)["code"]
    form = {
        **client,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
    }
    response = requests.post(f"{emulator.url}/google/token", data=form, timeout=5)
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def posts(emulator, platform: str | None = None, account_id: str | None = None) -> list[dict]:
    query = "&".join(
        f"{k}={v}" for k, v in (("platform", platform), ("account_id", account_id)) if v
    )
    return emulator.control("GET", f"posts?{query}")


def behave(emulator, platform: str, **knobs: object) -> dict:
    return emulator.control("POST", "behaviour", {"platform": platform, **knobs})


class MediaServer:
    """Serves registered bytes on 127.0.0.1 (404 for anything else) and offers a URL whose
    server accepts the connection but never answers."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                data, content_type = files.get(self.path, (b"", ""))
                self.send_response(200 if content_type else 404)
                self.send_header("Content-Type", content_type or "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.silent = socket.create_server(("127.0.0.1", 0))  # listens, never accepts
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, data: bytes, content_type: str = "image/jpeg") -> str:
        self.files[path] = (data, content_type)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    @property
    def silent_url(self) -> str:
        return f"http://127.0.0.1:{self.silent.getsockname()[1]}/never.jpg"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.silent.close()


@contextmanager
def media_server() -> Iterator[MediaServer]:
    server = MediaServer()
    try:
        yield server
    finally:
        server.close()

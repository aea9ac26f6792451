"""Tests of the platform emulator itself, over real HTTP (no database needed).

`consent()` plays the browser on an authorize page: it reads the form, submits it the way
the user's clicks would, and returns the query of the redirect back to the app.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

REDIRECT_URI = "https://app.example.test/oauth/callback"


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.scopes: list[str] = []
        self.users: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action") or ""
        elif tag == "input" and a.get("type") == "hidden":
            self.fields.append((a["name"], a["value"]))
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.scopes.append(a["value"])
        elif tag == "input" and a.get("type") == "radio":
            self.users.append(a["value"])


def redirect_query(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def consent(
    url: str,
    params: dict[str, str],
    *,
    decision: str = "allow",
    user: str | None = None,
    untick: tuple[str, ...] = (),
) -> dict[str, str]:
    """Open the authorize page at url, press Allow (or Cancel) as `user` (default: the first)
    with the `untick` scopes unticked; the redirect's query parameters."""
    page = requests.get(url, params=params, timeout=5)
    assert page.status_code == 200, page.text
    form = _FormReader()
    form.feed(page.text)
    data = [
        *form.fields,
        *(("scope", scope) for scope in form.scopes if scope not in untick),
        ("user", user or form.users[0]),
        ("decision", decision),
    ]
    response = requests.post(
        urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=5
    )
    assert response.headers["Location"].startswith(params["redirect_uri"])
    return redirect_query(response)

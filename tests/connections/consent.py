"""Clicking through the emulator's authorize page over HTTP, as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlparse

import requests


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.scopes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.action:
            self.action = a.get("action", "")
        if tag != "input" or not a.get("name"):
            return
        kind = a.get("type", "text")
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        if kind == "checkbox" and a["name"] == "scope":
            self.scopes.append(a.get("value", ""))
            return
        if kind != "submit":
            self.fields.append((a["name"], a.get("value", "")))


def consent(authorize_url: str, *, allow: bool = True, drop_scopes: tuple[str, ...] = ()) -> str:
    """Open the authorize page, Allow (or Cancel) it; returns where the platform redirects."""
    page = requests.get(authorize_url, timeout=10)
    page.raise_for_status()
    form = _FormParser()
    form.feed(page.text)
    data = [*form.fields, *(("scope", s) for s in form.scopes if s not in drop_scopes)]
    data.append(("decision", "allow" if allow else "deny"))
    action = urljoin(authorize_url, form.action) if form.action else authorize_url
    answer = requests.post(action, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:500]
    return answer.headers["Location"]


def callback_path(location: str) -> str:
    """The path and query of the redirect back to Mixora, for Django's test client."""
    parsed = urlparse(location)
    return f"{parsed.path}?{parsed.query}"


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

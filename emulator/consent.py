"""The authorize (consent) pages all four platforms share, and the flow behind them.

GET renders the page; its form POSTs back to the same URL with the user's decision, the chosen
emulated user and the scopes left ticked. Allow redirects with a code, Cancel with the
platform's denial parameters. A missing or malformed client id or redirect URI gets an HTML
error page and no redirect, as on the real platforms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from urllib.parse import quote, urlencode, urlsplit

from emulator.server import Request, Response, html_response, redirect, with_query
from emulator.state import STATE, User

THEMES = {
    "meta": ("Facebook (emulated)", "#1877f2"),
    "x": ("X (emulated)", "#0f1419"),
    "tiktok": ("TikTok (emulated)", "#fe2c55"),
    "google": ("Google (emulated)", "#1a73e8"),
    "linkedin": ("LinkedIn (emulated)", "#0a66c2"),
}

# (user, granted scopes, declined scopes) -> the redirect's parameters besides `state`.
Issue = Callable[[User, list[str], list[str]], dict[str, str]]

_STYLE = """
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  background:#f0f2f5;color:#1c1e21}
header{background:var(--accent);color:#fff;padding:14px 24px;font-weight:700;font-size:19px}
main{max-width:460px;margin:32px auto;background:#fff;border-radius:10px;
  box-shadow:0 2px 10px rgba(0,0,0,.12);padding:24px 28px}
h1{font-size:20px;margin:0 0 6px}
p.sub{color:#606770;margin:0 0 18px;word-break:break-all}
fieldset{border:1px solid #dddfe2;border-radius:8px;margin:0 0 16px;padding:10px 14px}
legend{font-weight:600;padding:0 4px}
label{display:flex;gap:8px;align-items:center;padding:4px 0;cursor:pointer}
code{background:#f0f2f5;border-radius:4px;padding:1px 5px}
.buttons{display:flex;gap:12px;justify-content:flex-end}
button{font:inherit;font-weight:600;border-radius:6px;padding:9px 22px;cursor:pointer;
  border:1px solid #ccd0d5;background:#e4e6eb;color:#1c1e21}
button.allow{background:var(--accent);border-color:var(--accent);color:#fff}
.error{border-left:4px solid #d93025;padding-left:12px}
"""


def _document(platform: str, title: str, body: str) -> str:
    brand, accent = THEMES[platform]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · {escape(brand)}</title><style>{_STYLE}</style></head>"
        f'<body style="--accent:{accent}"><header>{escape(brand)}</header>'
        f"<main>{body}</main></body></html>"
    )


def error_page(platform: str, message: str) -> Response:
    body = f'<div class="error"><h1>Something went wrong</h1><p>{escape(message)}</p></div>'
    return html_response(_document(platform, "Error", body), 400)


def requested_scopes(req: Request, separators: str) -> list[str]:
    """The `scope` of the original query (on POST the form's `scope` holds the ticked ones)."""
    scopes = re.split(separators, req.query.get("scope", ""))
    return list(dict.fromkeys(scope for scope in scopes if scope))


def _client_problem(client_id: str | None, redirect_uri: str | None) -> str | None:
    if not client_id:
        return "Invalid app: the request has no client id."
    if not redirect_uri:
        return "The request has no redirect_uri."
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        return f"redirect_uri {redirect_uri!r} is not an absolute http(s) URL without a fragment."
    return None


def _user_label(user: User) -> str:
    return user.name if user.platform == "meta" else f"{user.name} (@{user.handle})"


def _page(req: Request, platform: str, client_id: str, scopes: list[str]) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in req.query.items()
        if name != "scope"  # the scope checkboxes carry it
    )
    scope_boxes = (
        "".join(
            f'<label><input type="checkbox" name="scope" value="{escape(scope)}" checked> '
            f"{escape(scope)}</label>"
            for scope in scopes
        )
        or "<p>No permissions requested.</p>"
    )
    user_radios = "".join(
        f'<label><input type="radio" name="user" value="{escape(user.id)}"'
        f"{' checked' if i == 0 else ''}> {escape(_user_label(user))}</label>"
        for i, user in enumerate(STATE.users[platform].values())
    )
    action = quote(req.path) + ("?" + urlencode(req.query) if req.query else "")
    body = (
        f'<h1>Grant access?</h1><p class="sub">App <code>{escape(client_id)}</code> wants to '
        f"access your account.</p>"
        f'<form method="post" action="{escape(action)}">{hidden}'
        f"<fieldset><legend>Requested permissions</legend>{scope_boxes}</fieldset>"
        f"<fieldset><legend>Continue as</legend>{user_radios}</fieldset>"
        f'<div class="buttons"><button type="submit" name="decision" value="deny">Cancel</button>'
        f'<button class="allow" type="submit" name="decision" value="allow">Allow</button></div>'
        f"</form>"
    )
    return html_response(_document(platform, "Grant access", body))


def authorize(
    req: Request,
    platform: str,
    *,
    client_id: str | None,
    redirect_uri: str | None,
    scopes: list[str],
    issue: Issue,
    denied: dict[str, str],
    invalid: str | None = None,
) -> Response:
    """The whole authorize endpoint. `invalid` names a bad OAuth parameter: the user is sent
    back with error=invalid_request, as RFC 6749 §4.1.2.1 says."""
    if problem := _client_problem(client_id, redirect_uri):
        return error_page(platform, problem)
    state = req.param("state")
    if invalid:
        error = {"error": "invalid_request", "error_description": invalid, "state": state}
        return redirect(with_query(redirect_uri, error))
    if req.method == "GET":
        return _page(req, platform, client_id, scopes)

    decision = req.form.get("decision")
    if decision == "deny":
        return redirect(with_query(redirect_uri, {**denied, "state": state}))
    if decision != "allow":
        return error_page(platform, "Choose Allow or Cancel.")
    users = STATE.users[platform]
    user = users.get(req.form.get("user") or next(iter(users), ""))
    if user is None:
        return error_page(platform, f"There is no emulated user {req.form.get('user')!r}.")
    ticked = set(req.form_lists.get("scope", []))
    granted = [scope for scope in scopes if scope in ticked]
    declined = [scope for scope in scopes if scope not in ticked]
    return redirect(with_query(redirect_uri, {**issue(user, granted, declined), "state": state}))

"""X's event plumbing: the app-only token, the v2 webhook (`/2/webhooks`) and each account's X
Activity API subscriptions (mentions, replies and direct messages).

https://docs.x.com/fundamentals/authentication/oauth-2-0/application-only
https://docs.x.com/x-api/webhooks/quickstart
https://docs.x.com/x-api/activity/introduction, https://docs.x.com/x-api/activity/quickstart

The Account Activity API is deprecated and allows 3 accounts and 1 webhook on Pay Per Use; the
X Activity API allows 1,500 subscriptions self-serve and takes the OAuth 2.0 user tokens Mixora
already holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.urls import reverse
from requests.auth import HTTPBasicAuth

from ...errors import Permanent
from ...models import ConnectedAccount
from .. import Platform
from . import endpoints
from .connector import classify
from .events import EVENT_TYPES

if TYPE_CHECKING:
    from .connector import XConnector

TAG = "mixora-inbox"
# Subscriptions per package tier (docs.x.com/x-api/activity/introduction#subscription-limits).
PLAN_SUBSCRIPTIONS = {"self_serve": 1500, "enterprise": 75_000, "partner": 150_000}
PLAN_LABELS = {"self_serve": "self-serve", "enterprise": "Enterprise", "partner": "Partner"}
BEARER_PATH = "/oauth2/token"  # app-only: not under /2


def plan() -> str:
    return settings.X_API_PLAN if settings.X_API_PLAN in PLAN_SUBSCRIPTIONS else "self_serve"


def self_serve() -> bool:
    """Self-serve apps (Pay Per Use, Basic, Pro) may reply only when summoned (changelog
    2026-02-23); Enterprise and Partner may not be limited."""
    return plan() == "self_serve"


def inbox_capacity() -> int:
    """How many accounts can have an X inbox: the plan's subscriptions, one per event type."""
    return PLAN_SUBSCRIPTIONS[plan()] // len(EVENT_TYPES)


def _classify_app(response: requests.Response) -> dict[str, Any]:
    # The app-only token endpoint answers 403 {"errors": [{"code": 99, …}]} for bad
    # credentials (application-only "Common error cases"); a 401 is the app's token, not a user's.
    if response.status_code in (401, 403) and response.url.endswith(BEARER_PATH):
        raise Permanent(
            "X refused Mixora's consumer key and secret (X_CONSUMER_KEY, X_CONSUMER_SECRET).",
            platform="x",
            status=response.status_code,
        )
    if response.status_code == 401:
        raise Permanent("X refused Mixora's app-only token.", platform="x", status=401)
    return classify(response)


def app_token(client: XConnector) -> str:
    """The app-only Bearer token (the same one until it is invalidated)."""
    key, secret = settings.X_CONSUMER_KEY, settings.X_CONSUMER_SECRET
    if not key or not secret:
        raise Permanent("X_CONSUMER_KEY and X_CONSUMER_SECRET are not set.", platform="x")
    body = client.call(
        "POST",
        endpoints.api_url() + BEARER_PATH,
        classify=_classify_app,
        data={"grant_type": "client_credentials"},
        auth=HTTPBasicAuth(key, secret),
    )
    if body.get("token_type") != "bearer" or not body.get("access_token"):
        raise Permanent("X sent no app-only token.", platform="x")
    return str(body["access_token"])


def app_call(client: XConnector, token: str, method: str, path: str, **kwargs: Any) -> dict:
    return client.call(
        method,
        endpoints.api_url() + path,
        classify=_classify_app,
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )


# --- the webhook ---------------------------------------------------------------------------


def webhooks(client: XConnector, token: str) -> list[dict[str, Any]]:
    return list(app_call(client, token, "GET", "/2/webhooks").get("data") or [])


def callback_url() -> str:
    """This deployment's webhook URL, as `register_webhooks` registers it for SITE_URL."""
    return settings.SITE_URL.rstrip("/") + reverse("webhook", args=["x"])


def register(client: XConnector, url: str) -> str:
    """Make `url` the app's valid webhook: reuse the one registered for it (a PUT re-runs the
    CRC when X marked it invalid), else create it (X runs the CRC first); then point the
    inbox subscriptions of the accounts connected here at it."""
    token = app_token(client)
    hook = next((h for h in webhooks(client, token) if h.get("url") == url), None)
    if hook is None:
        hook = app_call(client, token, "POST", "/2/webhooks", json={"url": url})["data"]
        done = f"X webhook {hook['id']} created for {url}"
    elif not hook.get("valid"):
        answer = app_call(client, token, "PUT", f"/2/webhooks/{hook['id']}")
        if not (answer.get("data") or {}).get("valid"):
            raise Permanent(
                f"X's CRC check of {url} failed: check X_CONSUMER_SECRET.", platform="x"
            )
        done = f"X webhook {hook['id']} re-validated for {url}"
    else:
        done = f"X webhook {hook['id']} already delivers to {url}"
    subs = ours(subscriptions(client, token))
    moved = _point_at(client, token, subs, hook["id"])
    _refresh_statuses(subs, hook["id"])
    return done + (f"; {moved} subscriptions now deliver to it" if moved else "")


def _point_at(client: XConnector, token: str, subs: list[dict[str, Any]], webhook_id: str) -> int:
    """Make the inbox subscriptions of the X users connected here deliver to this webhook;
    how many changed. Another deployment sharing the X app keeps its users' subscriptions."""
    connected = set(
        ConnectedAccount.objects.filter(platform=Platform.X).values_list("external_id", flat=True)
    )
    moved = [s for s in subs if s.get("webhook_id") != webhook_id and _user_id(s) in connected]
    for sub in moved:
        path = f"/2/activity/subscriptions/{sub['subscription_id']}"
        app_call(client, token, "PUT", path, json={"webhook_id": webhook_id})
        sub["webhook_id"] = webhook_id
    return len(moved)


def _refresh_statuses(subs: list[dict[str, Any]], webhook_id: str) -> None:
    """Accounts connected before the webhook was saved as not receiving: now that their
    subscriptions deliver to it, record their status again as connecting does."""
    from ...services import start_events

    delivering = {_user_id(sub) for sub in subs if sub.get("webhook_id") == webhook_id}
    for account in ConnectedAccount.objects.filter(platform=Platform.X, external_id__in=delivering):
        if not (account.events or {}).get("receiving"):
            start_events(account)


def _webhook_id(client: XConnector, token: str, url: str) -> str | None:
    """The valid webhook registered for exactly this URL (another deployment sharing the X
    app has its own), if `register_webhooks` ran."""
    for hook in webhooks(client, token):
        if hook.get("valid") and hook.get("url") == url:
            return str(hook["id"])
    return None


# --- subscriptions -------------------------------------------------------------------------


def subscriptions(client: XConnector, token: str) -> list[dict[str, Any]]:
    """Every subscription of the app, page by page."""
    found: list[dict[str, Any]] = []
    params: dict[str, str] = {"max_results": "1000"}
    while True:
        body = app_call(client, token, "GET", "/2/activity/subscriptions", params=params)
        found += body.get("data") or []
        cursor = (body.get("meta") or {}).get("next_token")
        if not cursor:
            return found
        params["pagination_token"] = cursor


def ours(subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mixora's inbox subscriptions (the app may hold others)."""
    return [s for s in subs if s.get("tag") == TAG and s.get("event_type") in EVENT_TYPES]


def _user_id(sub: dict[str, Any]) -> str:
    return str((sub.get("filter") or {}).get("user_id") or "")


def of_account(subs: list[dict[str, Any]], account: ConnectedAccount) -> list[dict[str, Any]]:
    return [s for s in ours(subs) if _user_id(s) == account.external_id]


def created_id(body: dict[str, Any]) -> str:
    """The new subscription's id: the docs show `data` as an object or a one-item list, the
    OpenAPI schema as `data.subscription` (tests/contracts/x/xaa_subscription_create_*)."""
    data = body.get("data")
    if isinstance(data, list):
        data = data[0] if data else {}
    data = data or {}
    return str((data.get("subscription") or data).get("subscription_id") or "")


def subscribe(client: XConnector, account: ConnectedAccount, event_types: tuple[str, ...]) -> str:
    """Subscribe the account to the event types it lacks (the user's own OAuth 2.0 token:
    private events); existing ones are pointed at the webhook. The webhook id, or ""."""
    from ...services import call_with_refresh

    token = app_token(client)
    webhook_id = _webhook_id(client, token, callback_url())
    have = {sub["event_type"]: sub for sub in of_account(subscriptions(client, token), account)}
    for event_type in event_types:
        sub = have.get(event_type)
        if sub is None:
            body: dict[str, Any] = {
                "event_type": event_type,
                "filter": {"user_id": account.external_id},
                "tag": TAG,
            }
            if webhook_id:
                body["webhook_id"] = webhook_id

            def create(body: dict[str, Any] = body) -> str:
                path = "/2/activity/subscriptions"
                return created_id(client.api("POST", path, account.access_token, json=body))

            if not call_with_refresh(account, create):
                raise Permanent(f"X did not subscribe the account to {event_type}.", platform="x")
        elif webhook_id and sub.get("webhook_id") != webhook_id:
            path = f"/2/activity/subscriptions/{sub['subscription_id']}"
            app_call(client, token, "PUT", path, json={"webhook_id": webhook_id})
    return webhook_id or ""


def unsubscribe(client: XConnector, account: ConnectedAccount) -> int:
    """Delete the account's inbox subscriptions; how many."""
    token = app_token(client)
    mine = of_account(subscriptions(client, token), account)
    for sub in mine:
        app_call(client, token, "DELETE", f"/2/activity/subscriptions/{sub['subscription_id']}")
    return len(mine)

"""Which platform accounts have asked for their events, per platform: Meta Pages that
installed the app (`POST /{page-id}/subscribed_apps`), X users subscribed to the webhook.

A real platform sends an account's events only once it is subscribed, and only the fields it
subscribed to; `webhooks._deliver` asks `covers` before every delivery. The network modules
(meta, x, …) record subscriptions through `subscribe` / `unsubscribe` from their own
endpoints; `GET /_control/subscriptions` lists them."""

from __future__ import annotations

from emulator.server import Request, Response, Service, json_response
from emulator.state import STATE

service = Service(None)


def _table() -> dict[tuple[str, str], dict]:
    return STATE.table("account_subscriptions")


def subscribe(platform: str, account_id: str, fields: list[str], **details: object) -> dict:
    entry = {"platform": platform, "account_id": account_id, "fields": sorted(set(fields))}
    entry.update(details)
    _table()[(platform, account_id)] = entry
    return entry


def unsubscribe(platform: str, account_id: str) -> bool:
    return _table().pop((platform, account_id), None) is not None


def subscription(platform: str, account_id: str) -> dict | None:
    return _table().get((platform, account_id))


def covers(platform: str, account_id: str, field: str) -> bool:
    entry = subscription(platform, account_id)
    return entry is not None and field in entry["fields"]


@service.route("GET", r"/_control/subscriptions")
def listing(req: Request) -> Response:
    wanted = req.query.get("platform")
    by_platform: dict[str, list[dict]] = {}
    for entry in _table().values():
        if wanted in (None, entry["platform"]):
            by_platform.setdefault(entry["platform"], []).append(entry)
    return json_response(by_platform)

"""The Stripe test clock: moving time runs everything that falls due, oldest first, as a
test clock does (docs.stripe.com/billing/testing/test-clocks): checkout sessions expire,
trials warn and end, periods renew or end with a cancellation, draft invoices finalize and
get charged, failed payments are retried.

The clock is one for every customer and separate from the other platforms' clock.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.stripe_billing import (
    DAY,
    LIVE,
    TRIAL_WARNING,
    cancel,
    end_trial,
    finalize_and_charge,
    item_of,
    renew,
    retry,
    upcoming_invoice,
)
from emulator.stripe_core import all_of, catch_up, emit, now, store

_MAX_STEPS = 10_000


def _trial_will_end(sub: dict) -> None:
    store().setdefault("trial_warned", []).append(sub["id"])
    emit("customer.subscription.trial_will_end", sub)


def _renewal_key(sub: dict) -> str:
    return f"{sub['id']}:{item_of(sub)['current_period_end']}"


def _upcoming(sub: dict) -> None:
    # docs.stripe.com/api/events/types#event_types-invoice.upcoming: X days before the renewal.
    store().setdefault("upcoming_sent", []).append(_renewal_key(sub))
    emit("invoice.upcoming", upcoming_invoice(sub))


def _expire_session(session: dict) -> None:
    session["status"] = "expired"
    session["url"] = None
    emit("checkout.session.expired", session)


def _due() -> list[tuple[int, int, Callable[[dict], None], dict]]:
    """(time, order at equal times, action, object) of everything scheduled."""
    warned = store().setdefault("trial_warned", [])
    found = [
        (session["expires_at"], 0, _expire_session, session)
        for session in all_of("checkout.session")
        if session["status"] == "open"
    ]
    for sub in all_of("subscription"):
        if sub["status"] not in LIVE:
            continue
        if sub["status"] == "trialing":
            if sub["id"] not in warned:
                warn_at = max(sub["trial_start"] or 0, sub["trial_end"] - TRIAL_WARNING)
                found.append((warn_at, 1, _trial_will_end, sub))
            found.append((sub["trial_end"], 3, end_trial, sub))
            continue
        if sub["cancel_at"]:
            found.append((sub["cancel_at"], 2, cancel, sub))
        # Paused and unpaid subscriptions get no new invoices until they are paid.
        if sub["status"] not in ("paused", "unpaid"):
            found.append((item_of(sub)["current_period_end"], 3, renew, sub))
        notice = store()["settings"].get("upcoming_days")
        if notice and sub["status"] == "active" and not sub["cancel_at"]:
            item = item_of(sub)
            if _renewal_key(sub) not in store().setdefault("upcoming_sent", []):
                warn_at = max(
                    item["current_period_start"], item["current_period_end"] - notice * DAY
                )
                found.append((warn_at, 1, _upcoming, sub))
    for invoice in all_of("invoice"):
        if invoice["status"] == "draft" and invoice["automatically_finalizes_at"]:
            found.append((invoice["automatically_finalizes_at"], 4, finalize_and_charge, invoice))
        if invoice["status"] == "open" and invoice["next_payment_attempt"]:
            found.append((invoice["next_payment_attempt"], 5, retry, invoice))
    return found


def advance_to(target: int) -> list[str]:
    """Run everything due up to `target`, the clock standing still at each moment; the event
    types emitted."""
    data = store()
    first_event = len(data["events"])
    start, outer = now(), data.get("pinned")
    try:
        for _ in range(_MAX_STEPS):
            due = [entry for entry in _due() if entry[0] <= target]
            if not due:
                break
            moment, _, action, obj = min(due, key=lambda entry: (entry[0], entry[1]))
            data["pinned"] = max(moment, start)
            action(obj)
    finally:
        data["pinned"] = outer
    catch_up(target)
    return [data["objects"][i]["type"] for i in data["events"][first_event:]]


def settle() -> None:
    """Run what is already due (a trial shorter than the warning period warns at once)."""
    advance_to(now())

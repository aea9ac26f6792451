"""What the emulated-Stripe tests share: the real SDK pointed at the emulator, a small
catalogue, paying on the hosted Checkout page with plain HTTP, and a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
import stripe

KEY = "sk_test_emulator"
SECRET = "whsec_test_secret"
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
THREE_D_SECURE_CARD = "4000 0027 6000 3184"
SUCCESS_URL = "https://app.example.test/billing/done?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://app.example.test/billing/"


def client_for(emulator) -> stripe.StripeClient:
    return stripe.StripeClient(
        KEY, base_addresses={"api": f"{emulator.url}/stripe"}, max_network_retries=0
    )


@dataclass
class Catalogue:
    pro_monthly: str
    pro_yearly: str
    business_monthly: str


def catalogue(client: stripe.StripeClient) -> Catalogue:
    """Two products, three prices, as the app's seed command would create them."""
    pro = client.v1.products.create(params={"name": "Pro"})
    business = client.v1.products.create(params={"name": "Business"})

    def price(product: str, amount: int, interval: str, key: str) -> str:
        made = client.v1.prices.create(
            params={
                "product": product,
                "unit_amount": amount,
                "currency": "usd",
                "recurring": {"interval": interval},
                "lookup_key": key,
            }
        )
        return made.id

    return Catalogue(
        price(pro.id, 2900, "month", "pro_monthly"),
        price(pro.id, 29000, "year", "pro_yearly"),
        price(business.id, 7900, "month", "business_monthly"),
    )


def start_checkout(
    client: stripe.StripeClient, price: str, customer: str | None = None, **extra: object
) -> stripe.checkout.Session:
    params: dict = {
        "mode": "subscription",
        "line_items": [{"price": price, "quantity": 1}],
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        **extra,
    }
    if customer:
        params["customer"] = customer
    return client.v1.checkout.sessions.create(params=params)


def card_form(card: str = GOOD_CARD, **fields: str) -> dict[str, str]:
    return {
        "card_number": card,
        "card_expiry": "12 / 34",
        "card_cvc": "123",
        "name": "Dana Owner",
        **fields,
    }


def submit(url: str, form: dict[str, str]) -> requests.Response:
    """POST a hosted page's form as the browser would, without following the redirect."""
    return requests.post(url, data=form, allow_redirects=False, timeout=10)


def subscribe(
    client: stripe.StripeClient, price: str, card: str = GOOD_CARD, **extra: object
) -> tuple[stripe.Customer, stripe.Subscription]:
    """A customer that subscribed through the hosted Checkout page."""
    customer = client.v1.customers.create(params={"email": "owner@example.test"})
    session = start_checkout(client, price, customer.id, **extra)
    answer = submit(session.url, card_form(card))
    assert answer.status_code == 303, answer.text
    session = client.v1.checkout.sessions.retrieve(session.id)
    return customer, client.v1.subscriptions.retrieve(session.subscription)


def advance(emulator, **how: float) -> list[str]:
    return emulator.control("POST", "stripe/advance", how)["events"]


def event_types(client: stripe.StripeClient, since: int = 0) -> list[str]:
    """Event types, oldest first."""
    events = client.v1.events.list(params={"limit": 100, "created": {"gte": since}})
    return [event.type for event in reversed(events.data)]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook endpoint on loopback that records what it is sent."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    on_event: Callable[[dict], None] | None = None

    def types(self) -> list[str]:
        return [r.event["type"] for r in self.received]


@contextmanager
def receiver() -> Iterator[Receiver]:
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            record = Received({k.lower(): v for k, v in self.headers.items()}, body)
            box[0].received.append(record)
            if box[0].on_event:
                box[0].on_event(record.event)
            self.send_response(box[0].status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe/"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()


def session_id_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["session_id"][0]

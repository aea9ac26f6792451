"""Stripe's hosted pages, emulated: Checkout (`/stripe/pay/{session}`), the customer portal
(`/stripe/portal/{session}`), the hosted invoice page (`/stripe/invoice/{invoice}`) and the
invoice PDF. Plain HTML forms a person or a browser test fills in with Stripe's test cards;
the 3-D Secure card shows Stripe's test authentication step (Complete / Fail)
(docs.stripe.com/testing#regulatory-cards).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from emulator.server import Request, Response, Service, html_response
from emulator.stripe_billing import (
    attempt,
    change_price,
    day,
    default_payment_method,
    item_of,
    set_cancel_at_period_end,
)
from emulator.stripe_checkout import (
    PageError,
    complete,
    estimated_tax,
    needs_card,
    pay_open_invoices,
    redirect_target,
    replace_card,
    session_options,
    session_price,
)
from emulator.stripe_clock import settle
from emulator.stripe_core import all_of, frozen, get, money, remember_base, store
from emulator.stripe_objects import COUNTRIES, product_name
from emulator.stripe_webhooks import flush

service = Service(None)
_ID = r"(?P<id>[A-Za-z0-9_]+)"

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;
  color:#1a1f36;background:#f6f9fc}
.test{background:#ffde92;color:#5a3e00;font-size:12px;font-weight:600;text-align:center;
  padding:3px;letter-spacing:.04em}
.wrap{max-width:980px;margin:0 auto;padding:40px 24px;display:grid;gap:48px;
  grid-template-columns:1fr 1fr}
.single{max-width:640px;margin:0 auto;padding:32px 24px}
.merchant{display:flex;align-items:center;gap:10px;font-weight:600;color:#4f566b}
.merchant span{width:28px;height:28px;border-radius:50%;background:#635bff;color:#fff;
  display:inline-flex;align-items:center;justify-content:center;font-size:14px}
.summary h1{font-size:16px;color:#697386;font-weight:500;margin:28px 0 4px}
.amount{font-size:36px;font-weight:700;letter-spacing:-.02em}
.amount small{font-size:15px;color:#697386;font-weight:500}
.muted{color:#697386}
.lines{margin-top:24px;border-top:1px solid #e3e8ee}
.lines div{display:flex;justify-content:space-between;padding:10px 0;
  border-bottom:1px solid #e3e8ee}
.card{background:#fff;border-radius:10px;box-shadow:0 2px 5px rgba(60,66,87,.08),
  0 1px 1px rgba(0,0,0,.06);padding:24px;margin-bottom:20px}
.card h2{font-size:15px;margin:0 0 12px;color:#1a1f36}
label{display:block;font-size:13px;font-weight:500;color:#4f566b;margin:14px 0 6px}
input,select{width:100%;font:inherit;padding:9px 12px;border:1px solid #d5dbe1;border-radius:6px;
  background:#fff;color:#1a1f36}
input:focus,select:focus{outline:none;border-color:#635bff;box-shadow:0 0 0 3px rgba(99,91,255,.2)}
.row{display:grid;grid-template-columns:1fr 1fr;gap:0}
.row input:first-child{border-radius:0 0 0 6px}.row input:last-child{border-radius:0 0 6px 0}
.stack input:first-child{border-radius:6px 6px 0 0;border-bottom:none}
button,.button{display:inline-block;font:inherit;font-weight:600;border:none;border-radius:6px;
  padding:10px 18px;cursor:pointer;background:#635bff;color:#fff;text-decoration:none}
button.wide{width:100%;margin-top:22px;padding:12px}
button.secondary,.button.secondary{background:#fff;color:#1a1f36;border:1px solid #d5dbe1}
button.danger{background:#df1b41}
.error{background:#fff0f2;color:#c0123c;border:1px solid #ffc5cf;border-radius:6px;
  padding:10px 12px;  margin:14px 0}
.notice{background:#ebf8f1;color:#0e6245;border:1px solid #b7e4cc;border-radius:6px;
  padding:10px 12px;  margin-bottom:18px}
.badge{display:inline-block;font-size:12px;font-weight:600;border-radius:4px;padding:1px 7px;
  background:#d7f7c2;color:#05690d}
.badge.warn{background:#fcedb9;color:#a82c00}.badge.bad{background:#ffe7f2;color:#b3093c}
.badge.grey{background:#e3e8ee;color:#4f566b}
table{width:100%;border-collapse:collapse}
td,th{text-align:left;padding:8px 4px;border-bottom:1px solid #e3e8ee;font-size:14px}
th{color:#697386;font-weight:500}
.actions{display:flex;gap:10px;flex-wrap:wrap;margin-top:14px}
.plans form{display:flex;justify-content:space-between;align-items:center;padding:10px 0;
  border-bottom:1px solid #e3e8ee}
.back{color:#635bff;text-decoration:none;font-weight:500}
.footer{text-align:center;color:#a3acb9;font-size:12px;margin-top:28px}
@media (max-width:760px){.wrap{grid-template-columns:1fr;gap:24px}}
"""


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · Stripe (emulated)</title><style>{_STYLE}</style></head>"
        f'<body><div class="test">TEST MODE · emulated Stripe</div>{body}'
        '<p class="footer">Powered by <strong>stripe</strong> (emulated) · test cards: 4242 4242 '
        "4242 4242 succeeds, 4000 0000 0000 0002 declines, 4000 0027 6000 3184 asks for 3-D "
        "Secure</p></body></html>"
    )


def _page(title: str, body: str, status: int = 200) -> Response:
    return html_response(_document(title, body), status)


def _see_other(location: str) -> Response:
    # 303 so the browser follows a form POST with a GET.
    return Response(303, b"", {"Location": location})


def _not_found(what: str) -> Response:
    return _page(
        "Not found",
        f'<div class="single"><div class="card"><h2>{escape(what)}</h2>'
        "<p class=muted>This link is invalid or has expired.</p></div></div>",
        404,
    )


def _error(message: str | None) -> str:
    return f'<div class="error" role="alert">{escape(message)}</div>' if message else ""


def _card_fields(form: dict | None = None) -> str:
    form = form or {}
    return (
        '<label for="card_number">Card information</label><div class="stack">'
        '<input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" '
        f'placeholder="1234 1234 1234 1234" value="{escape(form.get("card_number", ""))}">'
        '<div class="row"><input id="card_expiry" name="card_expiry" aria-label="Expiration" '
        'placeholder="MM / YY" autocomplete="cc-exp" '
        f'value="{escape(form.get("card_expiry", ""))}">'
        '<input id="card_cvc" name="card_cvc" aria-label="CVC" placeholder="CVC" '
        f'autocomplete="cc-csc" value="{escape(form.get("card_cvc", ""))}"></div></div>'
        '<label for="name">Cardholder name</label>'
        '<input id="name" name="name" autocomplete="cc-name" '
        f'value="{escape(form.get("name", ""))}">'
    )


def _authenticate(action: str, hidden: dict[str, str]) -> Response:
    """Stripe's 3-D Secure test page: the customer completes or fails the challenge."""
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    body = (
        '<div class="single"><div class="card"><h2>3D Secure 2 Test Page</h2>'
        '<p class="muted">This card requires authentication. In live mode the bank would ask '
        "the customer to confirm the payment here.</p>"
        f'<form method="post" action="{escape(action)}">{fields}<div class="actions">'
        '<button type="submit" name="decision" value="complete">Complete authentication</button>'
        '<button type="submit" class="secondary" name="decision" value="fail">'
        "Fail authentication</button></div></form></div></div>"
    )
    return _page("Authenticate", body)


def _page_route(methods: str, pattern: str):
    """Register a page: the clock stands still while it runs, what fell due runs first and
    after, and the webhooks it caused go out before the browser gets its answer."""

    def register(handler):
        @service.route(methods, pattern)
        def wrapped(req: Request) -> Response:
            remember_base(req)
            with frozen():
                settle()
                response = handler(req)
                settle()
            flush()
            return response

        return handler

    return register


# --- Checkout ---------------------------------------------------------------------------


def _interval(price_obj: dict) -> str:
    recurring = price_obj["recurring"]
    if recurring["interval_count"] == 1:
        return recurring["interval"]
    return f"{recurring['interval_count']} {recurring['interval']}s"


def _checkout_page(session: dict, form: dict, error: str | None = None) -> Response:
    price_obj, quantity = session_price(session)
    options = session_options(session)
    trial = options["subscription_data"]["trial_period_days"]
    amount = price_obj["unit_amount"] * quantity
    each = money(amount, price_obj["currency"])
    name = escape(product_name(price_obj))
    country = form.get("country") or ""
    tax = estimated_tax(session, country) if session["automatic_tax"]["enabled"] else 0
    if trial:
        headline = (
            f'{trial} days free<div class="muted" style="font-size:15px">Then {each} per '
            f"{escape(_interval(price_obj))}</div>"
        )
    else:
        headline = f"{each}<small> per {escape(_interval(price_obj))}</small>"
    lines = (
        f"<div><span>{name}{' × ' + str(quantity) if quantity > 1 else ''}</span>"
        f"<span>{each}</span></div>"
    )
    if session["automatic_tax"]["enabled"]:
        shown = money(tax, price_obj["currency"]) if country else "Enter address to calculate"
        lines += f'<div><span>Tax</span><span class="muted">{shown}</span></div>'
    due = 0 if trial else amount + tax
    lines += (
        f"<div><strong>Total due today</strong><strong>{money(due, price_obj['currency'])}"
        "</strong></div>"
    )
    cancel = (
        f'<a class="back" href="{escape(session["cancel_url"])}">← Back</a>'
        if session["cancel_url"]
        else ""
    )
    fields = ""
    existing = get(session["customer"], "customer")
    if existing is None:
        email = session["customer_email"] or form.get("email", "")
        readonly = " readonly" if session["customer_email"] else ""
        fields += (
            '<label for="email">Email</label><input id="email" name="email" type="email" '
            f'autocomplete="email" value="{escape(email)}"{readonly}>'
        )
    else:
        fields += (
            f'<p class="muted">Subscribing as {escape(existing["email"] or existing["id"])}</p>'
        )
    if needs_card(session):
        fields += _card_fields(form)
    else:
        fields += (
            '<p class="muted">No card needed to start the trial.</p>'
            '<label for="name">Name</label>'
            f'<input id="name" name="name" value="{escape(form.get("name", ""))}">'
        )
    wants_address = (
        session["automatic_tax"]["enabled"] or session["billing_address_collection"] == "required"
    )
    if wants_address:
        options_html = '<option value="">Select…</option>' + "".join(
            f'<option value="{code}"{" selected" if code == country else ""}>'
            f"{escape(label)}</option>"
            for code, label in COUNTRIES.items()
        )
        fields += (
            '<label for="country">Country or region</label>'
            f'<select id="country" name="country">{options_html}</select>'
            '<label for="postal_code">Postal code</label>'
            '<input id="postal_code" name="postal_code" '
            f'value="{escape(form.get("postal_code", ""))}">'
        )
    if session["tax_id_collection"]["enabled"]:
        fields += (
            '<label for="tax_id">VAT number (optional, purchasing as a business)</label>'
            f'<input id="tax_id" name="tax_id" value="{escape(form.get("tax_id", ""))}">'
        )
    button = "Start trial" if trial else "Subscribe"
    body = (
        '<div class="wrap"><section class="summary">'
        f'{cancel}<div class="merchant" style="margin-top:16px"><span>M</span>Mixora</div>'
        f'<h1>Subscribe to {name}</h1><div class="amount">{headline}</div>'
        f'<div class="lines">{lines}</div></section>'
        f'<section><form class="card" method="post" action="/stripe/pay/{quote(session["id"])}">'
        f"<h2>Pay with card</h2>{_error(error)}{fields}"
        f'<button class="wide" type="submit">{button}</button></form></section></div>'
    )
    return _page(f"Subscribe to {product_name(price_obj)}", body, 402 if error else 200)


@_page_route("GET POST", rf"/stripe/pay/{_ID}")
def checkout(req: Request) -> Response:
    session = get(req.params["id"], "checkout.session")
    if session is None:
        return _not_found("Checkout Session not found")
    if session["status"] != "open":
        message = (
            "This Checkout Session has expired."
            if session["status"] == "expired"
            else "This Checkout Session is complete: the subscription has started."
        )
        body = f'<div class="single"><div class="card"><h2>{message}</h2></div></div>'
        return _page("Checkout", body)
    if req.method == "GET":
        return _checkout_page(session, {})
    form = dict(req.form)
    try:
        outcome = complete(session, form)
    except PageError as error:
        return _checkout_page(session, form, str(error))
    if outcome == "authenticate":
        return _authenticate(f"/stripe/pay/{quote(session['id'])}/authenticate", {})
    return _see_other(redirect_target(session))


@_page_route("POST", rf"/stripe/pay/{_ID}/authenticate")
def checkout_authenticate(req: Request) -> Response:
    session = get(req.params["id"], "checkout.session")
    form = store()["pending"].get(req.params["id"]) if session else None
    if session is None or form is None:
        return _not_found("Nothing to authenticate")
    if req.form.get("decision") != "complete":
        store()["pending"].pop(session["id"], None)
        message = (
            "We are unable to authenticate your payment method. Please choose a "
            "different payment method and try again."
        )
        return _checkout_page(session, {**form, "card_number": ""}, message)
    try:
        complete(session, form, authenticated=True)
    except PageError as error:
        return _checkout_page(session, form, str(error))
    return _see_other(redirect_target(session))


@_page_route("GET", rf"/stripe/pay/{_ID}/done")
def checkout_done(req: Request) -> Response:
    body = (
        '<div class="single"><div class="card"><h2>Thanks for subscribing</h2>'
        '<p class="muted">The session has no success_url, so Stripe shows this page.</p>'
        "</div></div>"
    )
    return _page("Thanks", body)


# --- customer portal ------------------------------------------------------------------------


def _status_line(sub: dict) -> str:
    item = item_of(sub)
    status = sub["status"]
    if status == "trialing":
        return f'<span class="badge grey">Trial</span> Trial ends {day(sub["trial_end"])}'
    if status == "past_due":
        return (
            '<span class="badge bad">Past due</span> Your last payment failed. Update your '
            "payment method to keep your subscription."
        )
    if status in ("unpaid", "paused"):
        return f'<span class="badge bad">{status.title()}</span>'
    if sub["cancel_at"]:
        return f'<span class="badge warn">Cancels {day(sub["cancel_at"])}</span>'
    return f'<span class="badge">Active</span> Renews {day(item["current_period_end"])}'


def _live_subscription(cus_id: str) -> dict | None:
    return next(
        (
            s
            for s in all_of("subscription")
            if s["customer"] == cus_id and s["status"] not in ("canceled", "incomplete_expired")
        ),
        None,
    )


def _portal_url(session: dict, **query: str) -> str:
    url = f"/stripe/portal/{quote(session['id'])}"
    return url + ("?" + urlencode(query) if query else "")


def _card_line(sub_or_customer_pm: str | None) -> str:
    method = get(sub_or_customer_pm, "payment_method")
    if method is None:
        return '<span class="muted">No payment method on file</span>'
    card = method["card"]
    return (
        f"{escape(card['brand'].title())} •••• {escape(card['last4'])} "
        f'<span class="muted">Expires {card["exp_month"]:02d}/{card["exp_year"]}</span>'
    )


def _portal_home(session: dict, notice: str | None) -> str:
    cus = get(session["customer"], "customer") or {}
    sub = _live_subscription(cus.get("id", ""))
    parts = []
    if notice:
        parts.append(f'<div class="notice" role="status">{escape(notice)}</div>')
    if sub:
        item = item_of(sub)
        price_obj = item["price"]
        actions = [
            f'<a class="button secondary" href="{_portal_url(session, view="update")}">'
            "Update subscription</a>"
        ]
        if sub["cancel_at"]:
            actions.append(
                f'<form method="post" action="{_portal_url(session)}">'
                '<button name="action" value="renew">Renew subscription</button></form>'
            )
        else:
            actions.append(
                f'<a class="button secondary" href="{_portal_url(session, view="cancel")}">'
                "Cancel subscription</a>"
            )
        parts.append(
            '<div class="card"><h2>Current subscription</h2>'
            f'<div style="font-size:18px;font-weight:600">{escape(product_name(price_obj))}</div>'
            f"<div>{money(price_obj['unit_amount'] * item['quantity'], price_obj['currency'])} per "
            f"{escape(_interval(price_obj))}</div><p>{_status_line(sub)}</p>"
            f'<div class="actions">{"".join(actions)}</div></div>'
        )
    else:
        parts.append(
            '<div class="card"><h2>Current subscription</h2>'
            '<p class="muted">No active subscription.</p></div>'
        )
    method = (
        default_payment_method(sub)
        if sub
        else cus.get("invoice_settings", {}).get("default_payment_method")
    )
    parts.append(
        f'<div class="card"><h2>Payment method</h2><p>{_card_line(method)}</p>'
        f'<a class="button secondary" href="{_portal_url(session, view="card")}">'
        "Update payment method</a></div>"
    )
    parts.append(
        '<div class="card"><h2>Billing information</h2>'
        f"<p>{escape(cus.get('name') or '')}<br>{escape(cus.get('email') or '')}</p></div>"
    )
    rows = "".join(
        f"<tr><td>{day(i['created'])}</td><td>{money(i['total'], i['currency'])}</td>"
        f'<td>{_invoice_badge(i)}</td><td><a class=back href="/stripe/invoice/{quote(i["id"])}">'
        f"{escape(i['number'] or '')}</a></td></tr>"
        for i in all_of("invoice")
        if i["customer"] == cus.get("id") and i["status"] != "draft"
    )
    parts.append(
        '<div class="card"><h2>Invoice history</h2><table><tr><th>Date</th><th>Amount</th>'
        f"<th>Status</th><th>Invoice</th></tr>{rows}</table></div>"
    )
    return "".join(parts)


def _invoice_badge(invoice: dict) -> str:
    status = invoice["status"]
    css = {"paid": "", "open": "bad", "void": "grey", "uncollectible": "bad"}.get(status, "grey")
    label = "Payment failed" if status == "open" and invoice["attempt_count"] else status.title()
    return f'<span class="badge {css}">{escape(label)}</span>'


def _portal_update(session: dict, sub: dict) -> str:
    current = item_of(sub)["price"]
    rows = []
    for price_obj in reversed(all_of("price")):
        if (
            not price_obj["active"]
            or price_obj["type"] != "recurring"
            or price_obj["currency"] != sub["currency"]
            or price_obj["id"] == current["id"]
        ):
            continue
        rows.append(
            f'<form method="get" action="{_portal_url(session)}">'
            f'<input type="hidden" name="view" value="confirm">'
            f'<input type="hidden" name="price" value="{escape(price_obj["id"])}">'
            f"<span><strong>{escape(product_name(price_obj))}</strong> "
            f'<span class="muted">{money(price_obj["unit_amount"], price_obj["currency"])} per '
            f"{escape(_interval(price_obj))}</span></span>"
            f'<button type="submit" class="secondary">Select</button></form>'
        )
    plans = "".join(rows) or '<p class="muted">There are no other plans.</p>'
    return (
        f'<div class="card"><h2>Update your plan</h2><p class="muted">Current plan: '
        f"{escape(product_name(current))}, {money(current['unit_amount'], current['currency'])} "
        f'per {escape(_interval(current))}</p><div class="plans">{plans}</div></div>'
    )


def _portal_confirm(session: dict, sub: dict, price_id: str) -> str:
    price_obj = get(price_id, "price")
    if price_obj is None:
        return _error("That plan does not exist.")
    same_interval = (
        price_obj["recurring"]["interval"] == item_of(sub)["price"]["recurring"]["interval"]
    )
    when = (
        "Prorated charges and credits appear on your next invoice."
        if same_interval or sub["status"] == "trialing"
        else "Your billing period restarts today and you are charged now, less a credit for "
        "unused time."
    )
    return (
        '<div class="card"><h2>Confirm your new plan</h2>'
        f"<p><strong>{escape(product_name(price_obj))}</strong> — "
        f"{money(price_obj['unit_amount'], price_obj['currency'])} per "
        f'{escape(_interval(price_obj))}</p><p class="muted">{when}</p>'
        f'<form method="post" action="{_portal_url(session)}">'
        f'<input type="hidden" name="price" value="{escape(price_obj["id"])}">'
        '<button name="action" value="switch">Confirm</button></form></div>'
    )


def _portal_cancel(session: dict, sub: dict) -> str:
    end = item_of(sub)["current_period_end"] if sub["status"] != "trialing" else sub["trial_end"]
    return (
        '<div class="card"><h2>Cancel your subscription</h2>'
        f"<p>Your subscription will be canceled, but is still available until the end of your "
        f"billing period on {day(end)}.</p>"
        f'<form method="post" action="{_portal_url(session)}">'
        '<button class="danger" name="action" value="cancel">Cancel subscription</button>'
        "</form></div>"
    )


def _portal_card(session: dict, form: dict | None = None, error: str | None = None) -> str:
    return (
        f'<form class="card" method="post" action="{_portal_url(session)}">'
        f"<h2>Update payment method</h2>{_error(error)}{_card_fields(form)}"
        '<button class="wide" name="action" value="card">Save</button></form>'
    )


def _portal(session: dict, view: str | None, **extra: object) -> Response:
    cus = get(session["customer"], "customer") or {}
    sub = _live_subscription(cus.get("id", ""))
    back = (
        f'<a class="back" href="{escape(session["return_url"])}">← Return to Mixora</a>'
        if session["return_url"]
        else ""
    )
    home = f'<p><a class="back" href="{_portal_url(session)}">← Back</a></p>' if view else ""
    if view == "card":
        content = _portal_card(session, extra.get("form"), extra.get("error"))
    elif view == "update" and sub:
        content = _portal_update(session, sub)
    elif view == "confirm" and sub:
        content = _portal_confirm(session, sub, str(extra.get("price") or ""))
    elif view == "cancel" and sub:
        content = _portal_cancel(session, sub)
    elif view == "confirmation":
        message = extra.get("message") or "Your changes have been saved."
        content = f'<div class="card"><h2>{escape(str(message))}</h2></div>'
    else:
        content = _portal_home(session, extra.get("notice"))
    body = (
        '<div class="single"><div class="merchant"><span>M</span>Mixora</div>'
        f"<p>{back}</p>{home}{content}</div>"
    )
    return _page("Billing portal", body, 402 if extra.get("error") else 200)


_FLOW_VIEWS = {
    "payment_method_update": "card",
    "subscription_cancel": "cancel",
    "subscription_update": "update",
    "subscription_update_confirm": "confirm",
}


@_page_route("GET", rf"/stripe/portal/{_ID}")
def portal(req: Request) -> Response:
    session = get(req.params["id"], "billing_portal.session")
    if session is None:
        return _not_found("Portal session not found")
    view = req.query.get("view")
    price_id = req.query.get("price")
    flow = session["flow"]
    if view is None and flow and not req.query.get("notice"):
        view = _FLOW_VIEWS[flow["type"]]
        if flow["type"] == "subscription_update_confirm":
            price_id = flow["subscription_update_confirm"]["items"][0]["price"]
    return _portal(
        session,
        view,
        price=price_id,
        notice=req.query.get("notice"),
        message=req.query.get("message"),
    )


def _after_action(session: dict, notice: str) -> Response:
    """Where a finished task goes: a deep link's after_completion, else the portal home."""
    flow = session["flow"]
    if flow and flow["after_completion"]["type"] == "redirect":
        return _see_other(flow["after_completion"]["redirect"]["return_url"])
    if flow and flow["after_completion"]["type"] == "hosted_confirmation":
        message = flow["after_completion"]["hosted_confirmation"]["custom_message"] or notice
        return _see_other(_portal_url(session, view="confirmation", message=message))
    return _see_other(_portal_url(session, notice=notice))


@_page_route("POST", rf"/stripe/portal/{_ID}")
def portal_action(req: Request) -> Response:
    session = get(req.params["id"], "billing_portal.session")
    if session is None:
        return _not_found("Portal session not found")
    cus = get(session["customer"], "customer")
    if cus is None or cus.get("deleted"):
        return _not_found("This customer no longer exists")
    sub = _live_subscription(cus["id"])
    action = req.form.get("action")
    if action in ("card", "authenticate"):
        return _portal_card_action(req, session, cus)
    if sub is None:
        return _portal(session, None, notice="There is no active subscription.")
    if action == "cancel":
        # The default portal configuration cancels at the period end
        # (docs.stripe.com/customer-management/configure-portal#cancel-subscriptions).
        set_cancel_at_period_end(sub, True)
        return _after_action(session, "Your subscription has been canceled.")
    if action == "renew":
        set_cancel_at_period_end(sub, False)
        return _after_action(session, "Your subscription has been renewed.")
    if action == "switch":
        price_obj = get(req.form.get("price"), "price")
        if price_obj is None or price_obj["type"] != "recurring" or not price_obj["active"]:
            return _portal(session, "update")
        change_price(sub, price_obj, "create_prorations", "allow_incomplete", None)
        return _after_action(session, "Your plan has been updated.")
    return _portal(session, None)


def _portal_card_action(req: Request, session: dict, cus: dict) -> Response:
    """Save a new card; a past-due subscription's open invoices are paid with it at once."""
    pending = store()["pending"]
    if req.form.get("action") == "authenticate":
        form = pending.pop(session["id"], None)
        if form is None:
            return _portal(session, "card")
        if req.form.get("decision") != "complete":
            return _portal(
                session,
                "card",
                error="We are unable to authenticate your payment "
                "method. Please choose a different payment method and try again.",
            )
        authenticated = True
    else:
        form, authenticated = dict(req.form), False
    try:
        outcome, _ = replace_card(cus, form, authenticated=authenticated)
    except PageError as error:
        return _portal(session, "card", form=form, error=str(error))
    if outcome == "authenticate":
        pending[session["id"]] = form
        return _authenticate(_portal_url(session), {"action": "authenticate"})
    results = pay_open_invoices(cus, authenticated=authenticated)
    notice = "Your payment method has been updated."
    if results and all(r == "succeeded" for r in results):
        notice += " Your outstanding invoice has been paid."
    elif results:
        notice += " The outstanding invoice could not be paid with this card."
    return _after_action(session, notice)


# --- hosted invoice page and PDF --------------------------------------------------------------


def _invoice_view(invoice: dict, form: dict | None = None, error: str | None = None) -> Response:
    lines = "".join(
        f"<div><span>{escape(line['description'])}</span>"
        f"<span>{money(line['amount'], invoice['currency'])}</span></div>"
        for line in invoice["lines"]["data"]
    )
    tax = sum(t["amount"] for t in invoice["total_taxes"])
    if invoice["total_taxes"]:
        lines += f"<div><span>Tax</span><span>{money(tax, invoice['currency'])}</span></div>"
    lines += (
        f"<div><strong>Amount due</strong><strong>"
        f"{money(invoice['amount_remaining'], invoice['currency'])}</strong></div>"
    )
    pay = ""
    if invoice["status"] == "open":
        pay = (
            f'<form class="card" method="post" action="/stripe/invoice/{quote(invoice["id"])}">'
            f"<h2>Pay this invoice</h2>{_error(error)}{_card_fields(form)}"
            '<button class="wide" name="action" value="pay">Pay '
            f"{money(invoice['amount_remaining'], invoice['currency'])}</button></form>"
        )
    elif invoice["status"] == "paid":
        paid_on = day(invoice["status_transitions"]["paid_at"])
        pay = f'<div class="notice" role="status">Paid on {paid_on}</div>'
    body = (
        '<div class="wrap"><section class="summary">'
        '<div class="merchant"><span>M</span>Mixora</div>'
        f"<h1>Invoice {escape(invoice['number'] or '')}</h1>"
        f'<div class="amount">{money(invoice["total"], invoice["currency"])}</div>'
        f"<p>{_invoice_badge(invoice)} "
        f"<span class=muted>Issued {day(invoice['created'])}</span></p>"
        f'<div class="lines">{lines}</div>'
        f'<p><a class="back" href="/stripe/invoice/{quote(invoice["id"])}/pdf">Download invoice '
        f"(PDF)</a></p></section><section>{pay}</section></div>"
    )
    return _page(f"Invoice {invoice['number']}", body, 402 if error else 200)


@_page_route("GET POST", rf"/stripe/invoice/{_ID}")
def hosted_invoice(req: Request) -> Response:
    invoice = get(req.params["id"], "invoice")
    if invoice is None or invoice["status"] == "draft":
        return _not_found("Invoice not found")
    if req.method == "GET" or invoice["status"] != "open":
        return _invoice_view(invoice)
    cus = get(invoice["customer"], "customer")
    pending = store()["pending"]
    if req.form.get("decision"):
        form = pending.pop(invoice["id"], None)
        if form is None or req.form["decision"] != "complete":
            message = "We are unable to authenticate your payment method."
            return _invoice_view(invoice, form, message)
        authenticated = True
    else:
        form, authenticated = dict(req.form), False
    try:
        outcome, method = replace_card(cus, form, authenticated=authenticated)
    except PageError as error:
        return _invoice_view(invoice, form, str(error))
    if outcome == "authenticate":
        pending[invoice["id"]] = form
        return _authenticate(f"/stripe/invoice/{quote(invoice['id'])}", {})
    if attempt(invoice, payment_method=method["id"], authenticated=authenticated) != "succeeded":
        return _invoice_view(invoice, form, "Your card was declined.")
    return _see_other(f"/stripe/invoice/{quote(invoice['id'])}")


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with the lines in Helvetica, the cross-reference table computed."""
    text = "".join(
        f"BT /F1 {14 if i == 0 else 11} Tf 56 {780 - i * 22} Td ("
        + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        + ") Tj ET\n"
        for i, line in enumerate(lines)
    ).encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


@_page_route("GET", rf"/stripe/invoice/{_ID}/pdf")
def invoice_pdf(req: Request) -> Response:
    invoice = get(req.params["id"], "invoice")
    if invoice is None or invoice["status"] == "draft":
        return _not_found("Invoice not found")
    currency = invoice["currency"]
    lines = [
        f"Invoice {invoice['number']}",
        f"Mixora (emulated Stripe account) - issued {day(invoice['created'])}",
        f"Billed to: {invoice['customer_name'] or ''} {invoice['customer_email'] or ''}",
        *(
            f"{line['description']}: {money(line['amount'], currency)}"
            for line in invoice["lines"]["data"]
        ),
        f"Tax: {money(sum(t['amount'] for t in invoice['total_taxes']), currency)}",
        f"Total: {money(invoice['total'], currency)}",
        f"Amount paid: {money(invoice['amount_paid'], currency)} - status {invoice['status']}",
    ]
    body = _pdf([line.replace("€", "EUR ").replace("£", "GBP ") for line in lines])
    filename = f"Invoice-{invoice['number']}.pdf"
    return Response(
        200,
        body,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="{filename}"',
        },
    )

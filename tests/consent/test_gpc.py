"""Global Privacy Control: `Sec-GPC: 1` refuses analytics and marketing whatever was chosen
before, for the request and in the stored choice; the pages say the opt-out was honored."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from consent.models import ConsentRecord
from consent.policy import GPC_LAST_UPDATE, VISITOR_COOKIE
from tests.consent.conftest import CONSENT, DECLINED, FIREFOX, stored_choice

GPC = {"Sec-GPC": "1"}
NOTICE = '<p class="consent-gpc" data-consent-gpc-notice role="status">'


def switch(html: str, varname: str) -> str:
    return re.search(rf'<input[^>]*name="groups" value="{varname}"[^>]*>', html).group(0)


def test_first_visit_with_gpc_says_so_and_locks_analytics_and_marketing(visitor):
    response = visitor.get("/", headers=GPC)
    html = response.content.decode()
    assert NOTICE in html
    assert "Opt-out request honored." in html
    for varname in ("analytics", "marketing"):
        assert "disabled" in switch(html, varname)
        assert "checked" not in switch(html, varname)
    assert "disabled" not in switch(html, "functional")
    # Nothing was chosen yet, so nothing is stored: the banner still asks about the rest.
    assert CONSENT not in response.cookies
    assert 'class="consent-banner"' in html
    assert "Sec-GPC" in response["Vary"]


@pytest.mark.parametrize("value", [None, "0", "true", "1, 1"])
def test_anything_but_exactly_1_is_no_signal(visitor, value):
    headers = {"Sec-GPC": value} if value else {}
    html = visitor.get("/", headers=headers).content.decode()
    assert NOTICE.replace('role="status">', 'role="status" hidden>') in html
    assert "disabled" not in switch(html, "analytics")


def test_the_settings_page_says_the_opt_out_was_honored(visitor):
    html = visitor.get(reverse("cookie_settings"), headers=GPC).content.decode()
    assert NOTICE in html
    assert re.search(r'value="analytics"[^>]*disabled', html)


def test_accept_all_under_gpc_keeps_analytics_and_marketing_off(visitor, choose):
    choose(visitor, "accept_all", headers=GPC)
    choice = stored_choice(visitor)
    assert choice["analytics"] == choice["marketing"] == DECLINED
    assert choice["functional"] != DECLINED
    record = ConsentRecord.objects.get()
    assert record.gpc is True
    assert record.answers() == {"functional": True, "analytics": False, "marketing": False}


def test_gpc_overrides_an_earlier_acceptance_and_records_it(visitor, choose):
    choose(visitor, "accept_all")
    earlier = ConsentRecord.objects.get()

    response = visitor.get("/support/", headers=GPC)
    assert response.cookies[CONSENT].value  # the refusal is stored in the browser
    choice = stored_choice(visitor)
    assert choice["analytics"] == choice["marketing"] == DECLINED
    assert choice["functional"] != DECLINED
    record = ConsentRecord.objects.latest("id")
    assert (record.method, record.source, record.gpc) == ("gpc", "browser", True)
    assert record.answers() == {"functional": True, "analytics": False, "marketing": False}
    assert record.visitor_id == earlier.visitor_id
    earlier.refresh_from_db()
    assert earlier.superseded_at is not None

    # Already refused: later requests with the signal store and record nothing more.
    again = visitor.get("/support/", headers=GPC)
    assert CONSENT not in again.cookies
    assert VISITOR_COOKIE not in again.cookies
    assert ConsentRecord.objects.count() == 2
    # And without the signal the refusal stays: accepting again is the visitor's call.
    visitor.get("/support/")
    assert stored_choice(visitor)["analytics"] == DECLINED


def test_gpc_applies_to_the_account_choice_on_a_new_browser(member, choose):
    first = Client()
    first.force_login(member.user)
    choose(first, "accept_all")
    second = Client(HTTP_USER_AGENT=FIREFOX)
    second.force_login(member.user)
    second.get(reverse("profile"), headers=GPC)
    assert stored_choice(second)["analytics"] == DECLINED
    record = ConsentRecord.objects.latest("id")
    assert (record.user, record.method, record.analytics) == (member.user, "gpc", False)


def test_a_signal_only_the_page_script_saw_is_honored(visitor, choose):
    """consent.js adds gpc=1 to the form when navigator.globalPrivacyControl is true."""
    choose(visitor, "accept_all", gpc="1")
    record = ConsentRecord.objects.get()
    assert record.gpc is True
    assert (record.functional, record.analytics) == (True, False)


def test_usage_script_refusal_keeps_the_other_answers(visitor, choose):
    """usage.js posts choice=gpc when it finds navigator.globalPrivacyControl."""
    choose(visitor, "accept_all")
    response = choose(visitor, "gpc", headers={"X-Consent-Fetch": "1"})
    assert response.status_code == 204
    record = ConsentRecord.objects.latest("id")
    assert (record.method, record.source, record.gpc) == ("gpc", "browser", True)
    assert record.answers() == {"functional": True, "analytics": False, "marketing": False}


def test_gpc_json(client):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"gpc": True, "lastUpdate": GPC_LAST_UPDATE}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", GPC_LAST_UPDATE)


def test_settings_put_the_consent_middleware_in_order(settings):
    """GPC and the account's choice are applied after authentication and before page views
    are counted."""
    order = [
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "consent.middleware.ConsentMiddleware",
        "consent.middleware.PageViewMiddleware",
    ]
    positions = [settings.MIDDLEWARE.index(name) for name in order]
    assert positions == sorted(positions)

"""Accept, reject and customise: the consent cookie, our visitor id, a ConsentRecord with
every field proof needs, the package's log, and refusals of bad or forged posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cookie_consent.conf import settings as cc
from cookie_consent.models import LogItem
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentRecord
from consent.policy import VISITOR_COOKIE, current_policy_version
from tests.consent.conftest import (
    CONSENT,
    DECLINED,
    FIREFOX,
    VISITOR_IP,
    VISITOR_NETWORK,
    cookies_set,
    stored_choice,
)


def accepted(choice: dict[str, str]) -> set[str]:
    return {varname for varname, value in choice.items() if value != DECLINED}


def test_accept_all_from_the_banner(visitor, choose):
    response = choose(visitor, "accept_all", headers={"Referer": "http://testserver/support/"})
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/support/"  # back to the page
    assert accepted(stored_choice(visitor)) == {"functional", "analytics", "marketing"}
    record = ConsentRecord.objects.get()
    assert record.method == "accept_all"
    assert record.source == "banner"
    assert record.answers() == {"functional": True, "analytics": True, "marketing": True}
    assert record.visitor_id == visitor.cookies[VISITOR_COOKIE].value
    assert len(record.visitor_id) == 32
    assert record.user is None
    assert record.gpc is False
    assert record.policy_version == current_policy_version()
    assert record.ip_prefix == VISITOR_NETWORK
    assert record.user_agent_family == "Firefox"
    assert record.cookie_value == visitor.cookies[CONSENT].value
    assert record.superseded_at is None
    assert abs(record.created_at - timezone.now()) < timedelta(seconds=30)
    # The package logs the choice too.
    assert LogItem.objects.filter(action=1).count() == 3
    # Both cookies are essential, HttpOnly and live as long as the choice.
    assert cookies_set(response) == {CONSENT, VISITOR_COOKIE, "messages"}
    for name in (CONSENT, VISITOR_COOKIE):
        assert response.cookies[name]["httponly"]
        assert response.cookies[name]["samesite"] == "Lax"
        assert int(response.cookies[name]["max-age"]) == cc.COOKIE_CONSENT_MAX_AGE


def test_reject_all(visitor, choose):
    choose(visitor, "reject_all")
    assert stored_choice(visitor) == dict.fromkeys(("functional", "analytics", "marketing"), "-1")
    record = ConsentRecord.objects.get()
    assert (record.method, record.answers()) == (
        "reject_all",
        {"functional": False, "analytics": False, "marketing": False},
    )
    assert LogItem.objects.filter(action=-1).count() == 3


def test_customise_accepts_only_what_is_ticked(visitor, choose):
    choose(visitor, "custom", groups=("analytics",))
    assert accepted(stored_choice(visitor)) == {"analytics"}
    record = ConsentRecord.objects.get()
    assert record.method == "custom"
    assert record.answers() == {"functional": False, "analytics": True, "marketing": False}


def test_a_signed_in_choice_names_the_account(member, member_client, choose):
    choose(member_client, "custom", groups=("functional",), source="settings")
    record = ConsentRecord.objects.get()
    assert record.user == member.user
    assert record.source == "settings"


def test_a_new_choice_supersedes_the_last_one_from_the_same_browser(visitor, choose):
    choose(visitor, "accept_all")
    choose(visitor, "reject_all")
    first, second = ConsentRecord.objects.order_by("id")
    assert first.visitor_id == second.visitor_id
    assert first.superseded_at is not None
    assert second.superseded_at is None
    other = Client(REMOTE_ADDR=VISITOR_IP)
    choose(other, "accept_all")
    assert ConsentRecord.objects.get(
        superseded_at__isnull=True, method="accept_all"
    ).visitor_id != (first.visitor_id)
    assert ConsentRecord.objects.filter(superseded_at__isnull=True).count() == 2


def test_the_script_gets_204_and_the_same_cookies(visitor, choose):
    response = choose(visitor, "reject_all", headers={"X-Consent-Fetch": "1"})
    assert response.status_code == 204
    assert cookies_set(response) == {CONSENT, VISITOR_COOKIE}
    assert ConsentRecord.objects.get().method == "reject_all"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"choice": "accept_everything"}, "Choose an option."),
        ({"choice": "custom", "groups": ["analytics", "tracking"]}, "is not a cookie category"),
        ({"choice": "custom", "groups": ["essential"]}, "is not a cookie category"),
        ({}, "Choose an option."),
    ],
)
def test_bad_input_says_why_and_changes_nothing(visitor, data, message):
    response = visitor.post(reverse("consent_choose"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Your choices were not saved." in response.content.decode()
    assert not cookies_set(response) & {CONSENT, VISITOR_COOKIE}
    assert not ConsentRecord.objects.exists()
    fetched = visitor.post(reverse("consent_choose"), data, headers={"X-Consent-Fetch": "1"})
    assert fetched.status_code == 400
    assert "errors" in fetched.json()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("referer", ["https://evil.example/", "//evil.example/x", ""])
def test_only_our_own_pages_are_redirected_back_to(visitor, choose, referer):
    response = choose(visitor, "reject_all", headers={"Referer": referer} if referer else {})
    assert response["Location"] == reverse("cookie_settings")


def test_choices_need_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    forged = browser.post(reverse("consent_choose"), {"choice": "accept_all"})
    assert forged.status_code == 403
    assert CONSENT not in forged.cookies
    assert not ConsentRecord.objects.exists()

    browser.get("/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        reverse("consent_choose"),
        {
            "choice": "accept_all",
            "policy_version": current_policy_version(),
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.count() == 1


def test_choose_only_takes_posts(visitor):
    assert visitor.get(reverse("consent_choose")).status_code == 405


def test_the_settings_page_shows_the_current_choice(visitor, choose):
    choose(visitor, "custom", groups=("analytics",))
    html = visitor.get(reverse("cookie_settings")).content.decode()
    assert 'value="analytics" aria-label="Allow Analytics"' in html
    assert (
        'aria-label="Allow Analytics" aria-describedby="consent-group-analytics-help" checked'
        in (html)
    )
    assert 'aria-label="Allow Functional" aria-describedby="consent-group-functional-help">' in html
    assert "Your current choice was saved on" in html
    assert "No cookie in this category is set today." in html
    assert "<code>mixora_consent_id</code>" in html


def test_a_signed_in_person_gets_their_choice_on_another_browser(member, choose):
    first = Client(HTTP_USER_AGENT=FIREFOX)
    first.force_login(member.user)
    choose(first, "custom", groups=("analytics",))
    record = ConsentRecord.objects.get()

    second = Client()
    second.force_login(member.user)
    response = second.get(reverse("profile"))
    assert 'class="consent-banner"' not in response.content.decode()
    assert response.cookies[CONSENT].value == record.cookie_value
    # It expires with the original choice, and restoring it is not a new choice.
    assert 0 < int(response.cookies[CONSENT]["max-age"]) <= cc.COOKIE_CONSENT_MAX_AGE
    assert VISITOR_COOKIE not in response.cookies
    assert ConsentRecord.objects.count() == 1
    assert CONSENT not in second.get(reverse("profile")).cookies  # stored once


def test_a_browser_keeps_its_own_choice_when_the_account_has_another(member, choose):
    first = Client()
    first.force_login(member.user)
    choose(first, "accept_all")
    second = Client()
    choose(second, "reject_all")
    second.force_login(member.user)
    response = second.get(reverse("profile"))
    assert CONSENT not in response.cookies
    assert set(stored_choice(second).values()) == {DECLINED}


@pytest.mark.parametrize(
    "change",
    [
        {"created_at": timezone.now() - timedelta(seconds=cc.COOKIE_CONSENT_MAX_AGE + 60)},
        {"policy_version": "2025-08-19"},  # recorded before policies were versioned
    ],
    ids=["expired", "older-policy"],
)
def test_an_expired_or_outdated_account_choice_is_asked_again(member, choose, change):
    first = Client()
    first.force_login(member.user)
    choose(first, "accept_all")
    ConsentRecord.objects.update(**change)
    second = Client()
    second.force_login(member.user)
    response = second.get(reverse("profile"))
    assert 'class="consent-banner"' in response.content.decode()
    assert CONSENT not in response.cookies

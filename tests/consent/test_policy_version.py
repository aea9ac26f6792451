"""A consent record names the cookie-policy version the page showed: the banner and the settings
page carry it, the server checks it, and a page opened before a new cookie policy took effect
cannot accept anything under the old one (a refusal is kept, under the version shown)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consent.models import ConsentRecord
from consent.policy import VISITOR_COOKIE, current_policy_version
from legal import documents
from tests.consent.conftest import CONSENT, cookies_set, stored_choice

pytestmark = pytest.mark.django_db


def shown_version(html: str) -> str:
    return re.search(r'name="policy_version" value="([^"]*)"', html).group(1)


def test_the_version_in_force_is_the_published_cookie_policy_number():
    assert current_policy_version() == str(documents.current("cookie-policy").version) == "1"


def test_the_banner_shows_the_policy_it_records_and_links_that_version(visitor):
    html = visitor.get("/").content.decode()
    assert shown_version(html) == "1"
    assert 'href="/legal/cookie-policy/v1/">Cookie policy</a>' in html
    settings_page = visitor.get(reverse("cookie_settings")).content.decode()
    assert shown_version(settings_page) == "1"
    assert 'href="/legal/cookie-policy/v1/">cookie policy (version 1)</a>' in settings_page


def test_a_choice_records_the_version_the_page_showed(visitor, choose, make_version):
    shown = shown_version(visitor.get("/").content.decode())
    choose(visitor, "accept_all", policy_version=shown)
    assert ConsentRecord.objects.get().policy_version == "1"

    make_version("cookie-policy", body="## Cookies, rewritten")  # version 2 takes effect
    html = visitor.get(reverse("cookie_settings")).content.decode()
    assert shown_version(html) == "2"
    choose(visitor, "custom", groups=("analytics",), policy_version=shown_version(html))
    assert ConsentRecord.objects.latest("id").policy_version == "2"
    assert 'href="/legal/cookie-policy/v2/">version 2 of the cookie policy</a>' in (
        visitor.get(reverse("cookie_settings")).content.decode()
    )


@pytest.mark.parametrize(
    ("choice", "groups"), [("accept_all", ()), ("custom", ("analytics",))], ids=["all", "custom"]
)
def test_accepting_under_a_policy_replaced_since_the_page_opened_is_refused(
    visitor, choose, make_version, choice, groups
):
    shown = shown_version(visitor.get("/").content.decode())  # the banner, version 1
    make_version("cookie-policy", body="## Now with a marketing cookie")  # version 2

    response = choose(visitor, choice, groups=groups, policy_version=shown)

    assert response.status_code == 400
    html = response.content.decode()
    assert "The cookie policy changed while this page was open" in html
    assert "(version 1 then, version 2 now)" in html
    assert shown_version(html) == "2"  # asked again, under the new policy
    assert not cookies_set(response) & {CONSENT, VISITOR_COOKIE}
    assert not ConsentRecord.objects.exists()
    fetched = choose(
        visitor, choice, groups=groups, policy_version=shown, headers={"X-Consent-Fetch": "1"}
    )
    assert fetched.status_code == 400
    assert "The cookie policy changed" in str(fetched.json()["errors"])
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("choice", "groups"), [("reject_all", ()), ("custom", ())], ids=["reject", "nothing-ticked"]
)
def test_a_refusal_made_under_the_old_policy_is_kept_under_the_version_shown(
    visitor, choose, make_version, choice, groups
):
    shown = shown_version(visitor.get("/").content.decode())
    make_version("cookie-policy", body="## Cookies, rewritten")

    response = choose(visitor, choice, groups=groups, policy_version=shown)

    assert response.status_code == 302
    assert set(stored_choice(visitor).values()) == {"-1"}
    record = ConsentRecord.objects.get()
    assert (record.policy_version, record.analytics) == ("1", False)


@pytest.mark.parametrize("value", ["", "7", "2025-08-19", "1 OR 1=1"])
def test_a_version_no_page_showed_is_refused_and_nothing_changes(visitor, choose, value):
    response = choose(visitor, "reject_all", policy_version=value)
    assert response.status_code == 400
    assert "We could not tell which cookie policy this page showed" in response.content.decode()
    assert not cookies_set(response) & {CONSENT, VISITOR_COOKIE}
    assert not ConsentRecord.objects.exists()


def test_a_gpc_signal_from_the_page_script_is_recorded_under_the_policy_in_force(visitor):
    # usage.js posts only {"choice": "gpc"}: a browser signal, no page was read.
    response = visitor.post(
        reverse("consent_choose"), {"choice": "gpc"}, headers={"X-Consent-Fetch": "1"}
    )
    assert response.status_code == 204
    record = ConsentRecord.objects.get()
    assert (record.method, record.policy_version, record.gpc) == ("gpc", "1", True)


def test_a_record_from_before_versioning_still_reads_on_the_settings_page(visitor, choose):
    choose(visitor, "reject_all")
    ConsentRecord.objects.update(policy_version="2025-08-19")
    html = visitor.get(reverse("cookie_settings")).content.decode()
    assert "under the cookie policy of 2025-08-19" in html


def test_choosing_again_on_the_page_shown_after_a_refusal_lands_on_the_settings_page(
    visitor, choose, make_version
):
    make_version("cookie-policy", body="## Cookies, rewritten")
    refused = choose(visitor, "accept_all", policy_version="1")
    assert 'class="consent-banner"' not in refused.content.decode()  # the long form only
    page_url = "http://testserver" + reverse("consent_choose")  # where the browser now is
    response = choose(visitor, "accept_all", headers={"Referer": page_url})
    assert response["Location"] == reverse("cookie_settings")  # not a GET of the POST URL
    assert ConsentRecord.objects.get().policy_version == "2"

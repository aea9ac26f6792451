"""The notice at collection is linked wherever Mixora collects personal information: sign-up,
the contact form, the privacy request form, and the footer of every page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NOTICE = 'href="/legal/notice-at-collection/">Notice at collection</a>'


def form_html(html: str, attribute: str) -> str:
    """The page's <form> that has `attribute` (e.g. 'id="contact-form"'), as text."""
    return re.search(rf"<form[^>]*{attribute}[^>]*>.*?</form>", html, re.DOTALL).group(0)


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/accounts/signup/", 'action="/accounts/signup/"'),
        ("/support/", 'id="contact-form"'),
        ("/privacy/requests/new/", 'id="privacy-request-form"'),
    ],
    ids=["sign-up", "contact", "privacy-request"],
)
def test_every_form_that_collects_data_links_the_notice(client, url, form):
    html = client.get(url).content.decode()
    assert NOTICE in form_html(html, form)


def test_the_footer_links_the_notice_on_public_and_app_pages(client):
    assert NOTICE in re.search(
        r"<footer.*?</footer>", client.get("/").content.decode(), re.S
    ).group(0)
    membership = MembershipFactory()
    client.force_login(membership.user)
    page = client.get(
        reverse("workspace_dashboard", args=[membership.workspace.slug])
    ).content.decode()
    assert NOTICE in re.search(r"<footer.*?</footer>", page, re.S).group(0)


def test_the_notice_page_is_published_with_the_retention_periods(client):
    html = client.get("/legal/notice-at-collection/").content.decode()
    assert "What we collect and why" in html
    assert '<div class="legal-table">' in html
    assert "Records of your cookie choices (proof of consent)" in html  # from the rules

"""The banner: on every page until a choice is made, refusing as easy as accepting, usable
without JavaScript; gone once the visitor has chosen, back when a category changes."""

from __future__ import annotations

import re

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.urls import reverse

PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/support/", "/no-such-page/"]


def banner(response: object) -> str:
    match = re.search(
        r'<section class="consent-banner".*?</section>', response.content.decode(), re.S
    )
    return match.group(0) if match else ""


def member_pages(member: object) -> list[str]:
    return [
        reverse("profile"),
        reverse("notifications"),
        reverse("workspace_dashboard", args=[member.workspace.slug]),
    ]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_first_visit_shows_the_banner_on_public_pages(visitor, path):
    html = banner(visitor.get(path))
    assert 'aria-labelledby="consent-banner-title"' in html
    assert f'action="{reverse("consent_choose")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html  # a plain form post works without JS


def test_first_visit_shows_the_banner_on_app_pages(member, member_client):
    for path in member_pages(member):
        response = member_client.get(path)
        assert response.status_code == 200, path
        assert banner(response), path


def test_reject_is_as_prominent_as_accept_and_customise_lists_each_category(visitor):
    html = banner(visitor.get("/"))
    buttons = dict(
        (value, classes)
        for classes, value in re.findall(
            r'<button class="([^"]+)" type="submit" name="choice" value="(\w+)"', html
        )
    )
    assert (
        buttons["reject_all"]
        == buttons["accept_all"]
        == ("btn btn--primary consent-banner__choice")
    )
    assert "Reject all" in html
    assert "Accept all" in html
    assert '<summary class="btn btn--ghost btn--sm">Customise</summary>' in html
    for varname in ("functional", "analytics", "marketing"):
        checkbox = re.search(rf'<input[^>]*name="groups" value="{varname}"[^>]*>', html).group(0)
        assert "checked" not in checkbox  # nothing is pre-ticked
        assert f'<label for="consent-banner-{varname}">' in html
    assert 'id="consent-banner-essential" checked disabled' in html


def test_the_banner_goes_once_a_choice_is_made(member, member_client, choose):
    choose(member_client, "reject_all")
    for path in [*PUBLIC_PAGES, *member_pages(member)]:
        response = member_client.get(path)
        assert not banner(response), path
        assert "js/consent.js" not in response.content.decode(), path


def test_the_settings_page_is_not_covered_by_the_banner(visitor):
    response = visitor.get(reverse("cookie_settings"))
    assert response.status_code == 200
    assert not banner(response)
    assert "You have not made a choice in this browser yet" in response.content.decode()


def test_a_category_that_gains_a_cookie_is_asked_about_again(visitor, choose):
    choose(visitor, "accept_all")
    assert not banner(visitor.get("/"))
    Cookie.objects.create(
        cookiegroup=CookieGroup.objects.get(varname="functional"),
        name="mixora_theme",
        description="Remembers light or dark mode.",
    )
    assert banner(visitor.get("/"))

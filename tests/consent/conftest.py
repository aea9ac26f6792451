"""Consent tests: the four cookie groups exist (a live-server test may have flushed the
database since the migration seeded them) and helpers read what a response stored."""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie

import pytest
from cookie_consent.conf import settings as cc
from cookie_consent.util import parse_cookie_str
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from consent.policy import current_policy_version
from tests.factories import MembershipFactory
from tests.legal.fixtures import make_version  # noqa: F401 - publishes cookie-policy versions

CONSENT = cc.COOKIE_CONSENT_NAME
DECLINED = cc.COOKIE_CONSENT_DECLINE
# A browser's address as the server sees it, and how it must be kept.
VISITOR_IP = "203.0.113.77"
VISITOR_NETWORK = "203.0.113.0"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(autouse=True)
def cookie_groups(db: None) -> None:
    from django.apps import apps

    from consent.groups import ensure_cookie_groups

    ensure_cookie_groups(apps)


@pytest.fixture
def visitor() -> Client:
    """A browser with no cookies yet, at a fixed address."""
    return Client(REMOTE_ADDR=VISITOR_IP, HTTP_USER_AGENT=FIREFOX)


@pytest.fixture
def member(db: None) -> object:
    """An editor of a workspace."""
    return MembershipFactory(role=Role.EDITOR)


@pytest.fixture
def member_client(member: object) -> Client:
    client = Client(REMOTE_ADDR=VISITOR_IP, HTTP_USER_AGENT=FIREFOX)
    client.force_login(member.user)
    return client


def stored_choice(client: Client) -> dict[str, str]:
    """The consent cookie the browser now holds, as the package parses it."""
    morsel = client.cookies.get(CONSENT)
    return parse_cookie_str(morsel.value) if morsel is not None else {}


def cookies_set(response: object) -> set[str]:
    """Names of the cookies a response stores (deletions, max-age 0, are not stored)."""
    jar: SimpleCookie = response.cookies
    return {name for name, morsel in jar.items() if str(morsel["max-age"]) != "0"}


@pytest.fixture
def choose() -> Callable[..., object]:
    """choose(client, "accept_all" | "reject_all" | "custom", groups=[...], **fields), from a
    page that showed the cookie policy in force (`policy_version=` says otherwise)."""

    def post(
        client: Client,
        choice: str,
        groups: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
        **fields: str,
    ) -> object:
        data = {
            "choice": choice,
            "groups": list(groups),
            "source": "banner",
            "policy_version": current_policy_version(),
            **fields,
        }
        return client.post(reverse("consent_choose"), data, headers=headers or {})

    return post

"""The cookie categories of Mixora's cookie policy and what each really covers, shared by the
data migration and by tests that start from a flushed database."""

from __future__ import annotations

from typing import Any

from cookie_consent.conf import settings as cookie_settings
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage

from .policy import VISITOR_COOKIE

ESSENTIAL_COOKIES = [
    (
        settings.SESSION_COOKIE_NAME,
        "Keeps you signed in and remembers your session, for example the workspace you "
        "last opened.",
    ),
    (
        settings.CSRF_COOKIE_NAME,
        "Proves that a form you send really comes from a Mixora page (protection against "
        "cross-site request forgery).",
    ),
    (
        cookie_settings.COOKIE_CONSENT_NAME,
        "Remembers which optional categories you accepted or rejected, so we don't ask on "
        "every page.",
    ),
    (
        VISITOR_COOKIE,
        "A random id, set only once you make a cookie choice, that links this browser's "
        "choices to our record of them: we must be able to show what you agreed to and when. "
        "It is not used for anything else.",
    ),
    (
        CookieStorage.cookie_name,
        "Carries a one-time confirmation (such as “Saved”) to the next page; it is removed "
        "once shown.",
    ),
]

GROUPS: list[dict[str, Any]] = [
    {
        "varname": "essential",
        "name": "Essential",
        "is_required": True,
        "is_deletable": False,
        "ordering": 0,
        "description": (
            "Needed for Mixora to work and to keep your account secure: signing in, "
            "protecting forms, one-time confirmations and remembering your cookie choices. "
            "They are always on. The post composer and the inbox reply box also keep what "
            "you are typing in this browser's local storage until you save or send it; it "
            "never leaves your browser."
        ),
        "cookies": ESSENTIAL_COOKIES,
    },
    {
        "varname": "functional",
        "name": "Functional",
        "is_required": False,
        "is_deletable": True,
        "ordering": 10,
        "description": (
            "Would remember preferences you set in the interface. Mixora sets no functional "
            "cookie today; if we add one, we will list it here and ask you again."
        ),
        "cookies": [],
    },
    {
        "varname": "analytics",
        "name": "Analytics",
        "is_required": False,
        "is_deletable": True,
        "ordering": 20,
        "description": (
            "Lets Mixora's own first-party analytics count which pages and features are used "
            "and on what kind of device, so we can improve the product. We record the page's "
            "name (never its address or content), the referring site's name, phone, tablet "
            "or computer, a shortened IP address and the time. No third party receives it and "
            "no tracking cookie is set. Always off when your browser sends Global Privacy "
            "Control."
        ),
        "cookies": [],
    },
    {
        "varname": "marketing",
        "name": "Marketing",
        "is_required": False,
        "is_deletable": True,
        "ordering": 30,
        "description": (
            "Mixora runs no marketing or advertising cookies today and shares nothing with "
            "advertising networks. If that ever changes, we will list the cookies here and "
            "ask you first. Always off when your browser sends Global Privacy Control."
        ),
        "cookies": [],
    },
]


def ensure_cookie_groups(apps: Any) -> None:
    """Create or update the four groups and their cookies (safe to run again)."""
    from cookie_consent.cache import delete_cache

    group_model = apps.get_model("cookie_consent", "CookieGroup")
    cookie_model = apps.get_model("cookie_consent", "Cookie")
    for spec in GROUPS:
        fields = {k: v for k, v in spec.items() if k not in ("varname", "cookies")}
        group, _ = group_model.objects.update_or_create(varname=spec["varname"], defaults=fields)
        for name, description in spec["cookies"]:
            # Updating a description keeps the cookie's `created`, so nobody is asked again.
            cookie_model.objects.update_or_create(
                cookiegroup=group,
                name=name,
                domain="",
                defaults={"description": description, "path": "/"},
            )
    # Historical models skip the package's cache-clearing save().
    delete_cache()

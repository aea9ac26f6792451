"""What Mixora's cookie policy is today: its version, the groups GPC switches off, and the
names of the cookies this app sets itself."""

from __future__ import annotations

COOKIE_POLICY = "cookie-policy"  # the legal document's kind

# Global Privacy Control is a refusal of these, whatever was chosen before.
GPC_GROUPS = ("analytics", "marketing")
# The optional groups a ConsentRecord keeps one answer for each (the seeded groups).
OPTIONAL_GROUPS = ("functional", "analytics", "marketing")

# A random id linking a browser's choices to their ConsentRecords; set only with a choice.
VISITOR_COOKIE = "mixora_consent_id"

# The date /.well-known/gpc.json says our GPC support was last changed.
GPC_LAST_UPDATE = "2026-11-28"


def current_policy_version() -> str:
    """The number of the cookie policy in force ("1", "2"…), as ConsentRecord stores it;
    empty while none is published."""
    from legal import documents

    version = documents.current(COOKIE_POLICY)
    return str(version.version) if version else ""


def published_policy_versions() -> set[str]:
    """Every cookie-policy version ever published, as ConsentRecord stores them."""
    from legal import documents

    return {
        str(number)
        for number in documents.published(COOKIE_POLICY).values_list("version", flat=True)
    }


def cookie_lifetime(name: str) -> str:
    """How long one of the essential cookies we list is kept, from the live settings."""
    from cookie_consent.conf import settings as cc
    from django.conf import settings
    from django.contrib.messages.storage.cookie import CookieStorage

    lifetimes = {
        settings.SESSION_COOKIE_NAME: f"Up to {_duration(settings.SESSION_COOKIE_AGE)}",
        settings.CSRF_COOKIE_NAME: _duration(settings.CSRF_COOKIE_AGE),
        cc.COOKIE_CONSENT_NAME: _duration(cc.COOKIE_CONSENT_MAX_AGE),
        VISITOR_COOKIE: _duration(cc.COOKIE_CONSENT_MAX_AGE),
        CookieStorage.cookie_name: "Until the message is shown",
    }
    return lifetimes.get(name, "")


def _duration(seconds: int) -> str:
    days = seconds // 86400
    if days >= 364:
        count, unit = round(days / 365), "year"
    elif days % 30 == 0:
        count, unit = days // 30, "month"
    elif days % 7 == 0:
        count, unit = days // 7, "week"
    else:
        count, unit = days, "day"
    return f"{count} {unit}{'' if count == 1 else 's'}"

"""Marketing email: only to people who opted in, always with a one-click way out.

`send_marketing_email` is the only way product news is sent. It refuses anyone who has not
opted in (no preference at all means no), and every message carries RFC 8058 one-click
unsubscribe headers whose link names the person by a signed token, so a mail client can
unsubscribe them with a bare POST. Every change of mind is kept as proof: who, when, how.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mixora.emails import render_plain

from .models import ConsentSource, MarketingConsentEvent, MarketingPreference

_SIGNING_SALT = "legal.marketing.unsubscribe"


class MarketingRefused(Exception):
    """The person may not be sent marketing email."""


def is_opted_in(user: User) -> bool:
    return MarketingPreference.objects.filter(user=user, opted_in=True).exists()


def set_preference(
    user: User,
    opted_in: bool,
    source: ConsentSource,
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> bool:
    """Record `user`'s choice; returns whether it changed anything. The first choice is
    always recorded, even a "no", as proof of what they were offered."""
    now = now or timezone.now()
    with transaction.atomic():
        preference = MarketingPreference.objects.select_for_update().filter(user=user).first()
        if preference is not None and preference.opted_in == opted_in:
            return False
        MarketingPreference.objects.update_or_create(
            user=user, defaults={"opted_in": opted_in, "changed_at": now, "source": source}
        )
        MarketingConsentEvent.objects.create(
            user=user, opted_in=opted_in, source=source, actor=actor, created_at=now
        )
    return True


def record_signup_choice(user: User, opted_in: bool) -> None:
    """Called by the sign-up form once the account exists."""
    set_preference(user, opted_in, ConsentSource.SIGNUP, actor=user)


def opt_out(
    user: User, source: str = ConsentSource.PRIVACY_REQUEST, actor: User | None = None
) -> bool:
    """Stop product news for `user` (e.g. a privacy request asked for it)."""
    return set_preference(user, False, ConsentSource(source), actor=actor)


def unsubscribe_token(user: User) -> str:
    # No expiry: an unsubscribe link must keep working for as long as the email exists.
    return signing.Signer(salt=_SIGNING_SALT).sign_object({"u": user.pk})


def user_for_token(token: str) -> User | None:
    """The person a token names, or None for a forged, damaged or orphaned token."""
    try:
        user_id = signing.Signer(salt=_SIGNING_SALT).unsign_object(token)["u"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return User.objects.filter(pk=user_id).first()


def unsubscribe_url(user: User) -> str:
    return settings.SITE_URL + reverse("marketing_unsubscribe", args=[unsubscribe_token(user)])


def _has_verified_address(user: User) -> bool:
    # Double opt-in: product news only goes to an address its owner has confirmed.
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def send_marketing_email(user: User, subject: str, text: str) -> None:
    """Send product news to `user`, or raise MarketingRefused."""
    if not user.is_active or not is_opted_in(user):
        raise MarketingRefused(f"{user} has not opted in to marketing email.")
    if not _has_verified_address(user):
        raise MarketingRefused(f"{user} has not confirmed their email address.")
    link = unsubscribe_url(user)
    host = urlsplit(settings.SITE_URL).hostname or "mixora.local"
    context = {
        "text": text,
        "unsubscribe_url": link,
        "preferences_url": settings.SITE_URL + reverse("email_preferences"),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_plain("emails/legal_marketing.txt", context),
        from_email=getattr(settings, "MARKETING_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>, <mailto:{settings.SUPPORT_EMAIL}?subject=unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Mixora product news <news.{host}>",
        },
    )
    html = render_to_string("emails/legal_marketing.html", context)
    message.attach_alternative(html, "text/html")
    message.send()

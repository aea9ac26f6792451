"""Recording cookie choices: the package's consent cookie (and its log), our visitor-id
cookie and a ConsentRecord as proof, with Global Privacy Control always winning."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from cookie_consent.cache import all_cookie_groups
from cookie_consent.conf import settings as cc
from cookie_consent.processor import CookiesProcessor
from cookie_consent.util import get_cookie_value_from_request
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from mixora.errors import UserFacingError

from .client import browser_family, request_ip_prefix
from .models import ConsentRecord
from .policy import (
    GPC_GROUPS,
    OPTIONAL_GROUPS,
    VISITOR_COOKIE,
    current_policy_version,
    published_policy_versions,
)

_VISITOR_ID = re.compile(r"[0-9a-f]{32}")


def shown_policy_version(shown: str, *, accepts: bool) -> str:
    """The cookie-policy version a choice is recorded under: the one the page showed.

    A page opened before a new cookie policy took effect showed the old one. Consent to
    anything must be informed by the policy in force, so such an acceptance is refused (the
    person is shown the new policy and asked again); a refusal needs no information and is
    recorded under the version that was shown."""
    current = current_policy_version()
    if shown == current:
        return current
    if shown not in published_policy_versions():
        raise UserFacingError(
            "We could not tell which cookie policy this page showed. Reload the page and "
            "choose again."
        )
    if accepts:
        raise UserFacingError(
            f"The cookie policy changed while this page was open (version {shown} then, "
            f"version {current} now). Read the new version and choose again."
        )
    return shown


def save_choices(
    request: HttpRequest,
    response: HttpResponseBase,
    answers: dict[str, bool],
    *,
    method: str,
    source: str,
    gpc: bool,
    policy_version: str | None = None,
) -> ConsentRecord:
    """Store one answer per optional group (missing ones are refusals) and record it, under
    `policy_version` (from shown_policy_version; the version in force when nothing was
    shown, as for a browser's GPC signal)."""
    if gpc:
        answers = {**answers, **dict.fromkeys(GPC_GROUPS, False)}
    groups = all_cookie_groups()
    accepted = [group for varname, group in groups.items() if answers.get(varname)]
    refused = [group for varname, group in groups.items() if not answers.get(varname)]
    # The processor rebuilds the cookie from the request each time, so the request carries
    # the first write into the second (and into the rest of this request).
    for action, selected in (("accept", accepted), ("decline", refused)):
        CookiesProcessor(request, response).process(selected, action=action)
        _carry_cookie(request, response)
    return _record(
        request, response, method=method, source=source, gpc=gpc, policy_version=policy_version
    )


def apply_gpc_refusal(request: HttpRequest, response: HttpResponseBase) -> ConsentRecord:
    """A browser whose earlier choice allowed a GPC group now sends GPC: store the refusal."""
    groups = all_cookie_groups()
    CookiesProcessor(request, response).process(
        [groups[varname] for varname in GPC_GROUPS if varname in groups], action="decline"
    )
    _carry_cookie(request, response)
    return _record(
        request,
        response,
        method=ConsentRecord.Method.GPC,
        source=ConsentRecord.Source.BROWSER,
        gpc=True,
    )


def account_choice(user: object, *, now: datetime | None = None) -> ConsentRecord | None:
    """The account's latest choice still in force: made within the consent cookie's
    lifetime, under the current cookie policy."""
    now = now or timezone.now()
    record = (
        ConsentRecord.objects.filter(
            user=user, created_at__gt=now - timedelta(seconds=cc.COOKIE_CONSENT_MAX_AGE)
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if record is None or record.policy_version != current_policy_version():
        return None
    return record


def restore_cookie(
    response: HttpResponseBase, record: ConsentRecord, *, now: datetime | None = None
) -> None:
    """Give another browser the account's choice, expiring when the original does."""
    remaining = record.created_at + timedelta(seconds=cc.COOKIE_CONSENT_MAX_AGE)
    _set_cookie(
        response,
        cc.COOKIE_CONSENT_NAME,
        record.cookie_value,
        max_age=int((remaining - (now or timezone.now())).total_seconds()),
    )


def visitor_id(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(VISITOR_COOKIE, "")
    return value if _VISITOR_ID.fullmatch(value) else None


def latest_record(request: HttpRequest) -> ConsentRecord | None:
    """This browser's latest choice, or else the signed-in person's."""
    visitor = visitor_id(request)
    if visitor:
        record = ConsentRecord.objects.filter(visitor_id=visitor).order_by("-created_at").first()
        if record:
            return record
    if request.user.is_authenticated:
        return account_choice(request.user)
    return None


def _carry_cookie(request: HttpRequest, response: HttpResponseBase) -> None:
    morsel = response.cookies.get(cc.COOKIE_CONSENT_NAME)
    if morsel is not None:
        request.COOKIES[cc.COOKIE_CONSENT_NAME] = morsel.value


def _set_cookie(response: HttpResponseBase, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        domain=cc.COOKIE_CONSENT_DOMAIN,
        secure=cc.COOKIE_CONSENT_SECURE,
        httponly=cc.COOKIE_CONSENT_HTTPONLY,
        samesite=cc.COOKIE_CONSENT_SAMESITE,
    )


def _record(
    request: HttpRequest,
    response: HttpResponseBase,
    *,
    method: str,
    source: str,
    gpc: bool,
    policy_version: str | None = None,
) -> ConsentRecord:
    visitor = visitor_id(request) or secrets.token_hex(16)
    # The id lives as long as the choice it points to.
    _set_cookie(response, VISITOR_COOKIE, visitor, max_age=cc.COOKIE_CONSENT_MAX_AGE)
    answers = {g: get_cookie_value_from_request(request, g) is True for g in OPTIONAL_GROUPS}
    user = request.user if request.user.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        ConsentRecord.objects.filter(visitor_id=visitor, superseded_at__isnull=True).update(
            superseded_at=now
        )
        return ConsentRecord.objects.create(
            visitor_id=visitor,
            user=user,
            created_at=now,
            method=method,
            source=source,
            cookie_value=request.COOKIES.get(cc.COOKIE_CONSENT_NAME, "")[:500],
            policy_version=current_policy_version() if policy_version is None else policy_version,
            gpc=gpc,
            ip_prefix=request_ip_prefix(request),
            user_agent_family=browser_family(request.headers.get("User-Agent", "")),
            **answers,
        )

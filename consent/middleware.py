"""Consent on every request: Global Privacy Control, the account's choice on a new browser,
and first-party page views (only with analytics consent)."""

from __future__ import annotations

from collections.abc import Callable

from cookie_consent.conf import settings as cc
from cookie_consent.util import dict_to_cookie_str, get_cookie_dict_from_request, parse_cookie_str
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers

from .policy import GPC_GROUPS
from .services import account_choice, apply_gpc_refusal, restore_cookie
from .state import has_gpc
from .usage import record_page_view

Respond = Callable[[HttpRequest], HttpResponseBase]


class ConsentMiddleware:
    """Goes after AuthenticationMiddleware (and before cookie_consent's CleanCookiesMiddleware
    once an optional group has cookies to clean, so it sees the refusals made here).

    - `Sec-GPC: 1` refuses analytics and marketing for this request whatever the cookie
      says; when the browser had made a choice that allowed one, the refusal is stored in
      its cookie and recorded. With no choice yet there is nothing to store: the banner
      still asks about the rest, and every request carries the signal anyway.
    - A signed-in person on a browser without a choice gets their account's latest one.
    """

    def __init__(self, get_response: Respond) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        stored = get_cookie_dict_from_request(request)
        choice = dict(stored)
        restored = None
        if not choice and request.user.is_authenticated:
            restored = account_choice(request.user)
            if restored is not None:
                choice = parse_cookie_str(restored.cookie_value)
        gpc_refused = False
        if has_gpc(request):
            for varname in GPC_GROUPS:
                if choice.get(varname) != cc.COOKIE_CONSENT_DECLINE:
                    choice[varname] = cc.COOKIE_CONSENT_DECLINE
                    gpc_refused = True
        if choice != stored:
            request.COOKIES[cc.COOKIE_CONSENT_NAME] = dict_to_cookie_str(choice)

        response = self.get_response(request)

        # A view that stored a choice itself (the consent views) has the last word.
        if cc.COOKIE_CONSENT_NAME not in response.cookies and (stored or restored):
            if gpc_refused:
                apply_gpc_refusal(request, response)
            elif restored is not None:
                restore_cookie(response, restored)
        patch_vary_headers(response, ("Sec-GPC",))
        return response


class PageViewMiddleware:
    """Records a page view after a successful HTML page; place it after ConsentMiddleware."""

    def __init__(self, get_response: Respond) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        record_page_view(request, response)
        return response

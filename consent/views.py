from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cookie_consent.models import CookieGroup
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mixora.ratelimit import allow

from .client import request_ip_prefix
from .forms import ChoiceForm
from .models import ConsentRecord
from .policy import GPC_GROUPS, GPC_LAST_UPDATE, cookie_lifetime, current_policy_version
from .services import latest_record, save_choices
from .state import consent_allows, group_states, has_gpc
from .usage import FEATURE_NAME, record_feature

# Generous for a person clicking around; a cap on what one network can write.
FEATURE_EVENTS_PER_HOUR = 600


@require_GET
def cookie_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/settings.html", _settings_context(request, ChoiceForm()))


@require_POST
def choose(request: HttpRequest) -> HttpResponseBase:
    """Store a choice from the banner or the settings page. Plain form posts are redirected
    back; consent.js posts with `X-Consent-Fetch: 1` and gets 204."""
    form = ChoiceForm(request.POST)
    fetched = request.headers.get("X-Consent-Fetch") == "1"
    if not form.is_valid():
        if fetched:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return render(
            request, "consent/settings.html", _settings_context(request, form), status=400
        )
    response: HttpResponseBase = (
        HttpResponse(status=204) if fetched else redirect(_back_url(request))
    )
    method = form.cleaned_data["choice"]
    save_choices(
        request,
        response,
        form.answers(request),
        method=method,
        source=form.record_source(),
        gpc=has_gpc(request) or form.cleaned_data["gpc"] or method == ConsentRecord.Method.GPC,
        policy_version=form.cleaned_data["policy_version"],
    )
    if not fetched:
        messages.success(request, "Your cookie choices are saved.")
    return response


@require_POST
def usage_feature(request: HttpRequest) -> HttpResponse:
    """usage.js reports a feature used in the page (only loaded with analytics consent)."""
    name = request.POST.get("name", "")
    if not FEATURE_NAME.fullmatch(name):
        return HttpResponseBadRequest("Unknown feature name.")
    if consent_allows(request, "analytics") and allow(
        "usage-feature",
        request_ip_prefix(request) or "unknown",
        limit=FEATURE_EVENTS_PER_HOUR,
        window_seconds=3600,
    ):
        record_feature(request, name)
    return HttpResponse(status=204)


@require_GET
def gpc_json(request: HttpRequest) -> JsonResponse:
    """The GPC support resource (GPC spec §"GPC Support Resource")."""
    response = JsonResponse({"gpc": True, "lastUpdate": GPC_LAST_UPDATE})
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _back_url(request: HttpRequest) -> str:
    """The page the choice was made on (same-origin posts carry it as Referer), else the
    settings page, which shows the choice."""
    target = request.headers.get("Referer", "")
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        # The settings page shown again after a refused choice lives at this view's URL.
        and urlsplit(target).path != request.path
    ):
        return target
    return reverse("cookie_settings")


def _settings_context(request: HttpRequest, form: ChoiceForm) -> dict[str, Any]:
    gpc = has_gpc(request)
    states = group_states(request)
    rows = [
        {
            "group": group,
            "state": True if group.is_required else states.get(group.varname),
            "gpc_off": gpc and group.varname in GPC_GROUPS,
            "gpc_group": group.varname in GPC_GROUPS,
            "cookies": [
                (cookie, cookie_lifetime(cookie.name))
                for cookie in sorted(group.cookie_set.all(), key=lambda cookie: cookie.pk)
            ],
        }
        for group in CookieGroup.objects.prefetch_related("cookie_set").order_by("ordering")
    ]
    return {
        "form": form,
        "rows": rows,
        "gpc": gpc,
        "record": latest_record(request),
        "policy_version": current_policy_version(),
    }

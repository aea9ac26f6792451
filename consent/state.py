"""Reading a request's consent: the package's consent cookie, with Global Privacy Control
applied on top."""

from __future__ import annotations

from cookie_consent.cache import all_cookie_groups
from cookie_consent.util import get_cookie_value_from_request
from django.http import HttpRequest

from .policy import GPC_GROUPS


def has_gpc(request: HttpRequest) -> bool:
    # GPC spec: the signal is the header with exactly "1"; any other value is no signal.
    return request.headers.get("Sec-GPC", "").strip() == "1"


def group_state(request: HttpRequest, varname: str) -> bool | None:
    """True accepted, False refused, None not decided yet (or no such optional group)."""
    if varname in GPC_GROUPS and has_gpc(request):
        return False
    return get_cookie_value_from_request(request, varname)


def consent_allows(request: HttpRequest, varname: str) -> bool:
    """Whether the visitor accepted this optional group (never a GPC group under GPC)."""
    return group_state(request, varname) is True


def group_states(request: HttpRequest) -> dict[str, bool | None]:
    return {varname: group_state(request, varname) for varname in all_cookie_groups()}

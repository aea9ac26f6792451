from __future__ import annotations

from typing import Any

from cookie_consent.cache import all_cookie_groups
from django import template

from ..policy import GPC_GROUPS, current_policy_version
from ..state import group_states, has_gpc

register = template.Library()

SETTINGS_PAGES = ("cookie_settings", "consent_choose")


@register.simple_tag(takes_context=True)
def consent_state(context: template.Context) -> dict[str, Any]:
    """What banner.html needs: whether to ask, the toggles, and whether analytics may run."""
    request = context.get("request")
    if request is None:
        return {}  # rendered outside a request: nothing to ask
    match = getattr(request, "resolver_match", None)
    gpc = has_gpc(request)
    states = group_states(request)
    # The settings page (also when a choice posted to it is shown again) is the long form of
    # the banner.
    asking = (match is None or match.url_name not in SETTINGS_PAGES) and any(
        state is None for state in states.values()
    )
    groups = all_cookie_groups()
    return {
        "show_banner": asking,
        "gpc": gpc,
        "rows": [
            {
                "group": groups[varname],
                "state": state,
                "gpc_off": gpc and varname in GPC_GROUPS,
                "gpc_group": varname in GPC_GROUPS,
            }
            for varname, state in states.items()
        ]
        if asking
        else [],
        "usage_script": states.get("analytics") is True,  # GPC already applied
        # The cookie-policy version this banner shows; the choice is recorded under it.
        "policy_version": current_policy_version() if asking else "",
    }

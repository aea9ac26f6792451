"""A refused action as the message a person reads: a plan limit or a read-only workspace
comes with a link to the billing page (where the provider says it is), so the next step is
one click away. Every view that shows a UserFacingError passes it through `message_for`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.html import format_html

from . import limits
from .errors import UserFacingError

if TYPE_CHECKING:
    from accounts.models import Workspace


def message_for(exc: UserFacingError, workspace: Workspace | None = None) -> str:
    """The message of `exc`; for PlanLimitExceeded an "Upgrade" link, for ReadOnlyWorkspace a
    "Go to billing" link (safe HTML, so messages and form errors keep the link)."""
    if isinstance(exc, limits.PlanLimitExceeded) and exc.upgrade_url:
        return _with_link(exc, exc.upgrade_url, "Upgrade")
    if isinstance(exc, limits.ReadOnlyWorkspace) and workspace is not None:
        url = limits.entitlements(workspace).upgrade_url
        if url:
            return _with_link(exc, url, "Go to billing")
    return str(exc)


def _with_link(exc: UserFacingError, url: str, label: str) -> str:
    return format_html('{} <a class="refusal-link" href="{}">{}</a>', str(exc), url, label)

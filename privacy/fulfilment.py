"""What completing a privacy request sets going elsewhere in Mixora: the single place that
calls out to exports, account deletion and marketing preferences.

A request reaches an account only once it is tied to it: filed from the account, or
confirmed through the link sent to the account's own address. A request whose address no
account uses is answered plainly: we hold no account for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.deletion import sole_owned_workspaces, start_account_deletion
from exports.services import request_export
from legal.marketing import opt_out as marketing_opt_out

from .models import PrivacyRequest
from .request_links import account_for_address

if TYPE_CHECKING:
    from accounts.models import User, Workspace

Type = PrivacyRequest.Type

# The requests that are about an account, and what "no account" means for each. Support
# messages are the one other thing the policy says we keep about a person (§2.A "Support");
# staff handle those by hand, so the answer speaks only of the account.
_NO_ACCOUNT: dict[str, str] = {
    Type.ACCESS: "so there is no account data to send you",
    Type.PORTABILITY: "so there is no account data to send you",
    Type.CORRECTION: "so there is no account data to correct",
    Type.DELETION: "so there is no account to delete",
    Type.RESTRICTION: "so there is no account whose data we could restrict",
    Type.LIMIT_SENSITIVE: "so there is no account whose data we could limit",
    Type.MARKETING_OPT_OUT: "and we send marketing email only to account holders who opted "
    "in, so this address receives none",
}


def automatic_action(privacy_request: PrivacyRequest) -> str:
    """What completing this request starts by itself, for staff ("" when they do it by hand)."""
    if privacy_request.user is None:
        return ""
    kind = privacy_request.request_type
    if kind in (Type.ACCESS, Type.PORTABILITY):
        return (
            "Completing it starts a data export for the account; the download link is emailed "
            "to the account's address."
        )
    if kind == Type.DELETION:
        return "Completing it starts deletion of the account."
    if kind == Type.MARKETING_OPT_OUT:
        return "Completing it turns marketing emails off for the account."
    return ""


def unconfirmed_account(privacy_request: PrivacyRequest) -> User | None:
    """The account using the request's address when the request is not tied to it yet: its
    holder must confirm through the link sent to that address before anyone acts on it."""
    if privacy_request.user_id is not None:
        return None
    return account_for_address(privacy_request.email)


def no_account_answer(privacy_request: PrivacyRequest) -> str:
    """The plain answer for a request whose address no Mixora account uses ("" otherwise)."""
    reason = _NO_ACCOUNT.get(privacy_request.request_type)
    if privacy_request.user_id is not None or reason is None:
        return ""
    if unconfirmed_account(privacy_request) is not None:
        return ""
    return f"We hold no Mixora account for {privacy_request.email}, {reason}."


def deletion_blockers(privacy_request: PrivacyRequest) -> list[Workspace]:
    """Workspaces the account holder alone owns: each needs another owner, or deleting,
    before the account can go (as on the account's own delete page)."""
    if privacy_request.request_type != Type.DELETION or privacy_request.user is None:
        return []
    return sole_owned_workspaces(privacy_request.user)


def carry_out(privacy_request: PrivacyRequest, *, actor: User | None) -> str:
    """Start what the request asks for, inside the completing transaction; a note for the
    history of what was started ("" when nothing is automatic for it)."""
    if not automatic_action(privacy_request):
        return ""
    user = privacy_request.user
    kind = privacy_request.request_type
    if kind in (Type.ACCESS, Type.PORTABILITY):
        # The export emails its download link to the account's address when it is built.
        request_export(user, privacy_request=privacy_request)
        return "Data export started for the account."
    if kind == Type.DELETION:
        start_account_deletion(
            user, actor=actor, reason=f"privacy request {privacy_request.reference}"
        )
        return "Account deletion started."
    marketing_opt_out(user, source="privacy_request")
    return "Marketing emails turned off for the account."


def what_completing_does(privacy_request: PrivacyRequest) -> str:
    """For staff, before they complete an open request: what will happen, or why not yet."""
    if unconfirmed_account(privacy_request) is not None:
        return (
            "Waiting for the account holder: a Mixora account uses this address, so it is "
            "verified and completed only once they confirm through the link sent to the "
            "account's address. If the link expired, send it again."
        )
    blockers = deletion_blockers(privacy_request)
    if blockers:
        names = ", ".join(workspace.name for workspace in blockers)
        return (
            f"Refused for now: the account holder is the only owner of {names}. Completing "
            "emails them how to make another member owner or delete "
            f"{'it' if len(blockers) == 1 else 'them'}."
        )
    answer = no_account_answer(privacy_request)
    if answer:
        return f"No Mixora account uses this address: completing it answers “{answer}”"
    return automatic_action(privacy_request) or (
        "Starts nothing by itself: carry the request out, then complete it."
    )

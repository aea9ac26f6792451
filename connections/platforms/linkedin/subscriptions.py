"""An organisation page's Organization Social Action Notifications: the connecting admin
subscribes it with the Event Subscription API, keyed by (app, member, organisation, event
type), and the subscription is deleted when the page is disconnected.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-social-action-notifications"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from ...models import ConnectedAccount
from ...services import call_with_refresh
from ..network import EventsStatus
from . import endpoints
from .connector import organization_urn
from .events import EVENT_TYPE

if TYPE_CHECKING:
    from .connector import LinkedInConnector


def webhook_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("webhook", args=["linkedin"])


def _path(account: ConnectedAccount) -> str:
    """/eventSubscriptions/(developerApplication:…,user:…,entity:…,eventType:…): a compound
    key, its URN values encoded (Rest.li protocol 2.0)."""
    key = (
        ("developerApplication", f"urn:li:developerApplication:{settings.LINKEDIN_APP_ID}"),
        ("user", account.provider_user_id),
        ("entity", organization_urn(account)),
        ("eventType", EVENT_TYPE),
    )
    return "/eventSubscriptions/(" + ",".join(f"{k}:{endpoints.key(v)}" for k, v in key) + ")"


def start(client: LinkedInConnector, account: ConnectedAccount) -> EventsStatus:
    """Subscribe the page as the member who connected it: "Subscriptions must be authorized
    with the rw_organization_admin permission", which connecting always asks for (it lists
    the member's pages)."""
    if not settings.LINKEDIN_APP_ID:
        return EventsStatus(
            False,
            "Comments are checked periodically: set LINKEDIN_APP_ID (the app's id in the "
            "LinkedIn Developer Portal) to receive them as they happen.",
        )
    call_with_refresh(
        account,
        lambda: client.rest(
            "PUT", _path(account), account.access_token, json={"webhook": webhook_url()}
        ),
    )
    return EventsStatus(
        True, "LinkedIn sends new comments on the page's public posts as they happen."
    )


def stop(client: LinkedInConnector, account: ConnectedAccount) -> None:
    """Delete the page's subscription, where connecting made one and no other workspace
    connected the page as the same member (the key, so the subscription, is theirs too)."""
    events = account.events
    if not (events and events.get("receiving") and settings.LINKEDIN_APP_ID):
        return
    shared = ConnectedAccount.objects.filter(
        platform=account.platform,
        external_id=account.external_id,
        provider_user_id=account.provider_user_id,
    ).exclude(pk=account.pk)
    if not shared.exists():
        client.rest("DELETE", _path(account), account.access_token)

"""Installing Mixora on a Page so Meta sends its events (and its Instagram account's).

developers.facebook.com/documentation/pages-api/webhooks-for-pages: "Webhook notifications
will only be sent if your Page has installed your Webhooks configured-app". The install is
`POST /{page-id}/subscribed_apps` with the Page token (pages_manage_metadata; Messenger fields
also pages_messaging); an Instagram account's events flow once its linked Page installed the
app with any field (developers.facebook.com/docs/messenger-platform/instagram/features/webhook).

One install serves every connected account of that Page, in any workspace, and a POST sets the
app's fields on the Page (graph-api/reference/page/subscribed_apps): so a connect adds its
fields to those already installed (read first with GET), never posting fewer, and a disconnect
narrows them to what the Page's remaining accounts need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from ... import platforms
from ...errors import Permanent
from ...models import ConnectedAccount
from ..network import EventsStatus, missing_scopes

if TYPE_CHECKING:
    from .connector import MetaConnector

# Page comments and posts; Messenger messages need pages_messaging as well.
COMMENT_FIELDS = ("feed",)
MESSAGE_FIELDS = ("messages",)
MANAGED_FIELDS = frozenset(COMMENT_FIELDS + MESSAGE_FIELDS)
NETWORK_PLATFORMS = (platforms.Platform.FACEBOOK, platforms.Platform.INSTAGRAM)


def page_of(account: ConnectedAccount) -> str:
    """The Page whose installation carries this account's events."""
    return str((account.details or {}).get("page_id") or account.external_id)


def fields_for(account: ConnectedAccount) -> list[str]:
    """The Page fields this account needs and its log-in may subscribe: the same for the Page
    and its Instagram account."""
    fields = list(COMMENT_FIELDS)
    if not missing_scopes(account, "pages_messaging"):
        fields.extend(MESSAGE_FIELDS)
    return fields


def installed_fields(client: MetaConnector, account: ConnectedAccount) -> set[str]:
    """The fields Mixora's app holds on the account's Page now (empty when not installed):
    `GET /{page-id}/subscribed_apps` lists `subscribed_fields` per installed app."""
    app_id, _ = platforms.credentials(platforms.Provider.META)
    body = client.graph_get(f"{page_of(account)}/subscribed_apps", account.access_token)
    return {
        str(name)
        for app in body.get("data") or []
        if str(app.get("id")) == app_id
        for name in app.get("subscribed_fields") or []
    }


def _post(client: MetaConnector, account: ConnectedAccount, fields: set[str]) -> None:
    body = client.graph_post(
        f"{page_of(account)}/subscribed_apps",
        account.access_token,
        subscribed_fields=",".join(sorted(fields)),
    )
    # The doc sample answers {"success": "true"} (a string); clients see true.
    if str(body.get("success")).lower() != "true":
        raise Permanent(f"Facebook did not install Mixora on the Page: {body}", platform="meta")


def _wanted(current: set[str], own: list[str], others: list[ConnectedAccount]) -> set[str]:
    """The fields the Page should hold: this account's own, those installed that another
    connected account (any workspace) needs, and any installed field Mixora does not manage."""
    needed = {name for other in others for name in fields_for(other)}
    return set(own) | (current & needed) | (current - MANAGED_FIELDS)


def install(client: MetaConnector, account: ConnectedAccount) -> EventsStatus:
    own = fields_for(account)
    current = installed_fields(client, account)
    wanted = _wanted(current, own, _others(account))
    if wanted != current:
        # Never fewer than another account needs: e.g. Messenger stays for a log-in that
        # allowed pages_messaging when one that did not connects the same Page.
        _post(client, account, wanted)
    what = "messages and comments" if MESSAGE_FIELDS[0] in own else "comments"
    return EventsStatus(True, f"Facebook sends this account's {what}.")


def _others(account: ConnectedAccount) -> list[ConnectedAccount]:
    """The other connected accounts (any workspace) served by the account's Page install: the
    Page itself and the Instagram account linked to it."""
    page = page_of(account)
    served = Q(details__page_id=page) | Q(platform=platforms.Platform.FACEBOOK, external_id=page)
    return list(
        ConnectedAccount.objects.filter(served, platform__in=NETWORK_PLATFORMS).exclude(
            pk=account.pk
        )
    )


def uninstall(client: MetaConnector, account: ConnectedAccount) -> None:
    others = _others(account)
    if not others:
        client.graph_delete(f"{page_of(account)}/subscribed_apps", account.access_token)
        return
    current = installed_fields(client, account)
    wanted = _wanted(current, [], others)
    # Only ever narrower: the remaining accounts all need feed, so what goes is a Messenger
    # field none of them may use, and the POST needs no permission this token lacks.
    if wanted != current:
        _post(client, account, wanted)

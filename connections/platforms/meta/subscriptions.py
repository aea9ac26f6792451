"""Installing Mixora on a Page so Meta sends its events (and its Instagram account's).

developers.facebook.com/documentation/pages-api/webhooks-for-pages: "Webhook notifications
will only be sent if your Page has installed your Webhooks configured-app". The install is
`POST /{page-id}/subscribed_apps` with the Page token (pages_manage_metadata; Messenger fields
also pages_messaging); an Instagram account's events flow once its linked Page installed the
app with any field (developers.facebook.com/docs/messenger-platform/instagram/features/webhook).
One install serves every connected account of that Page, in any workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import platforms
from ...errors import Permanent
from ...models import ConnectedAccount
from ..network import EventsStatus, missing_scopes

if TYPE_CHECKING:
    from .connector import MetaConnector

# Page comments and posts; Messenger messages need pages_messaging as well.
COMMENT_FIELDS = ("feed",)
MESSAGE_FIELDS = ("messages",)
NETWORK_PLATFORMS = (platforms.Platform.FACEBOOK, platforms.Platform.INSTAGRAM)


def page_of(account: ConnectedAccount) -> str:
    """The Page whose installation carries this account's events."""
    return str((account.details or {}).get("page_id") or account.external_id)


def fields_for(account: ConnectedAccount) -> list[str]:
    """The Page fields this log-in may subscribe: the same for the Page and its Instagram
    account, as a POST replaces the app's fields on the Page."""
    fields = list(COMMENT_FIELDS)
    if not missing_scopes(account, "pages_messaging"):
        fields.extend(MESSAGE_FIELDS)
    return fields


def install(client: MetaConnector, account: ConnectedAccount) -> EventsStatus:
    page, fields = page_of(account), fields_for(account)
    body = client.graph_post(
        f"{page}/subscribed_apps", account.access_token, subscribed_fields=",".join(fields)
    )
    # The doc sample answers {"success": "true"} (a string); clients see true.
    if str(body.get("success")).lower() != "true":
        raise Permanent(f"Facebook did not install Mixora on the Page: {body}", platform="meta")
    what = "messages and comments" if MESSAGE_FIELDS[0] in fields else "comments"
    return EventsStatus(True, f"Facebook sends this account's {what}.")


def still_needed(account: ConnectedAccount) -> bool:
    """Whether another connected account (any workspace) still needs the Page's events: the
    Page itself or an Instagram account linked to it."""
    return (
        ConnectedAccount.objects.filter(
            platform__in=NETWORK_PLATFORMS, details__page_id=page_of(account)
        )
        .exclude(pk=account.pk)
        .exists()
    )


def uninstall(client: MetaConnector, account: ConnectedAccount) -> None:
    if still_needed(account):
        return
    client.graph_delete(f"{page_of(account)}/subscribed_apps", account.access_token)

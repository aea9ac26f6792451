"""Deleting a post Mixora published on X (API v2).

https://docs.x.com/x-api/posts/manage-tweets/quickstart — DELETE /2/tweets/:id with the user's
token (tweet.read, tweet.write, users.read), answered {"data": {"deleted": true}}; a post the
user does not own is refused (403), one X does not know is 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import Permanent

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import XConnector


def delete_post(x: XConnector, account: ConnectedAccount, post_id: str) -> None:
    try:
        body = x.api("DELETE", f"/2/tweets/{post_id}", account.access_token)
    except Permanent as exc:
        if exc.status == 404:  # already gone from X (deleted there): what was asked for
            return
        raise
    if (body.get("data") or {}).get("deleted") is not True:
        raise Permanent("X did not confirm that the post was deleted.", platform="x")

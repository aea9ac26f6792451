"""Deleting a Page post Mixora published (Graph API).

https://developers.facebook.com/docs/pages-api/posts — "Delete a post": DELETE /{page-post-id}
with the Page's access token (pages_manage_posts), answered {"success": true}.

Instagram is not here: the IG Media node documents reading and updating (comment_enabled)
only, no delete operation (developers.facebook.com/docs/instagram-platform/reference/
instagram-media), so Mixora never offers to delete an Instagram post there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import Permanent

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import MetaConnector

MANAGE_POSTS = "pages_manage_posts"


def delete_page_post(meta: MetaConnector, account: ConnectedAccount, post_id: str) -> None:
    # Graph answers a post that is gone like one it may not touch ((#100) subcode 33), so a
    # refusal is always shown: the person can still delete it from Mixora only.
    body = meta.graph_delete(post_id, account.access_token)
    if body.get("success") is not True:
        raise Permanent("Facebook did not confirm that the post was deleted.", platform="meta")

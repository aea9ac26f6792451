"""Deleting a post Mixora published on a LinkedIn organisation page (Posts API).

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api —
"Delete Posts": DELETE /rest/posts/{encoded share or ugcPost URN} with X-RestLi-Method: DELETE
(w_organization_social, as an admin of the page), 204 No Content. Deletes are idempotent: a
post already deleted answers 204 again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import Permanent
from . import endpoints

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import LinkedInConnector


def delete_post(client: LinkedInConnector, account: ConnectedAccount, urn: str) -> None:
    try:
        client.rest(
            "DELETE",
            f"/posts/{endpoints.key(urn)}",
            account.access_token,
            headers={"X-RestLi-Method": "DELETE"},
        )
    except Permanent as exc:
        if exc.status == 404:  # LinkedIn no longer has it: what was asked for
            return
        raise

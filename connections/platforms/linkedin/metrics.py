"""Reading the metrics of posts Mixora published on a LinkedIn organisation page, and the page's
followers.

https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/
share-statistics — GET /rest/organizationalEntityShareStatistics?q=organizationalEntity with
`shares=List(…)` / `ugcPosts=List(…)` (encoded URNs): lifetime ShareStatisticsData per post,
organic only, for posts of the last 12 months; rw_organization_admin as an ADMINISTRATOR. A post
without any activity is left out of the answer ("can be assumed to have counts of 0"), and so is
one deleted since: the two cannot be told apart, so Mixora records no reading for either rather
than overwrite a deleted post's numbers with zeros.
organization-lookup-api — GET /rest/networkSizes/{org urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER:
`firstDegreeSize`, the page's followers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..network import PostMetrics, missing_scopes
from . import endpoints
from .connector import organization_urn

if TYPE_CHECKING:
    from ...models import ConnectedAccount
    from .connector import LinkedInConnector

SCOPE = "rw_organization_admin"
# Post URNs per statistics call (LinkedIn documents no limit; kept well under URL lengths).
BATCH_SIZE = 20
_KINDS = (("urn:li:share:", "shares", "share"), ("urn:li:ugcPost:", "ugcPosts", "ugcPost"))


def refusal(account: ConnectedAccount) -> str:
    if missing_scopes(account, SCOPE):
        return f"Reconnect the page and allow {SCOPE} to see its metrics."
    return ""


def statistics_query(account: ConnectedAccount, urns: list[str]) -> str:
    """The query string: Rest.li 2.0 lists keep `List(`, `,` and `)` literal and encode each URN,
    so it is written out rather than left to `requests`' encoding."""
    parts = [
        "q=organizationalEntity",
        f"organizationalEntity={endpoints.key(organization_urn(account))}",
    ]
    for prefix, parameter, _ in _KINDS:
        chosen = [endpoints.key(urn) for urn in urns if urn.startswith(prefix)]
        if chosen:
            parts.append(f"{parameter}=List({','.join(chosen)})")
    return "&".join(parts)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_statistics(body: dict[str, Any], urns: list[str]) -> dict[str, PostMetrics]:
    """The metrics of the asked posts LinkedIn answered for. Engagements are clicks,
    reactions, comments and reposts, as LinkedIn's `engagement` rate counts them."""
    found: dict[str, PostMetrics] = {}
    for element in body.get("elements") or []:
        urn = element.get("share") or element.get("ugcPost")
        stats = element.get("totalShareStatistics")
        if urn not in urns or not isinstance(stats, dict):
            continue
        likes, comments = _count(stats.get("likeCount")), _count(stats.get("commentCount"))
        shares, clicks = _count(stats.get("shareCount")), _count(stats.get("clickCount"))
        parts = [clicks, likes, comments, shares]
        found[urn] = PostMetrics(
            impressions=_count(stats.get("impressionCount")),
            reach=_count(stats.get("uniqueImpressionsCount")),
            engagements=sum(parts) if None not in parts else None,
            likes=likes,
            comments=comments,
            shares=shares,
            clicks=clicks,
        )
    return found


def post_metrics(
    client: LinkedInConnector, account: ConnectedAccount, urns: list[str]
) -> dict[str, PostMetrics]:
    asked = [urn for urn in urns if urn.startswith(tuple(prefix for prefix, _, _ in _KINDS))]
    if not asked:
        return {}
    path = f"/organizationalEntityShareStatistics?{statistics_query(account, asked)}"
    body = client.rest_json("GET", path, account.access_token)
    return parse_statistics(body, asked)


def followers(client: LinkedInConnector, account: ConnectedAccount) -> int | None:
    path = f"/networkSizes/{endpoints.key(organization_urn(account))}"
    body = client.rest_json(
        "GET", path, account.access_token, params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"}
    )
    return _count(body.get("firstDegreeSize"))

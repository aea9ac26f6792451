"""LinkedIn: an organisation's share statistics and follower count (versioned /rest), answered
from the hidden engagement model (`emulator/engagement.py`).

Docs: learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/ —
share-statistics ("Organization Share Statistics"), organization-lookup-api ("Retrieve
Organization Follower Count").
"""

from __future__ import annotations

import re

from emulator import engagement
from emulator.linkedin import (
    ADMIN_SCOPES,
    ORG,
    REST,
    administered,
    error,
    find_organization,
    illegal,
    render_fault,
    rest,
)
from emulator.posts import Post
from emulator.server import Request, Response, Service, json_response
from emulator.state import STATE

service = Service("linkedin", render_fault)

# share-statistics, Permissions: rw_organization_admin, for ADMINISTRATORs of the organisation.
STATISTICS_SCOPES = {"rw_organization_admin"}
# "returns share data only within the past 12 months, using a rolling 12-month window".
WINDOW = 365 * 86_400
_LIST = re.compile(r"List\((.*)\)")
# Which parameter takes which URN type (share-statistics: `shares`, `ugcPosts`).
_KINDS = {"shares": ("urn:li:share:", "share"), "ugcPosts": ("urn:li:ugcPost:", "ugcPost")}


def _urns(req: Request, name: str) -> list[str]:
    """A Rest.li 2.0 list parameter, `List(urn%3Ali%3Ashare%3A1,…)` (protocol-version page)."""
    raw = req.query.get(name)
    if raw is None:
        return []
    prefix = _KINDS[name][0]
    # As sent: `List(` and `,` literal, the URNs inside encoded (no raw colons).
    sent = re.search(rf"(?:^|&){name}=List\(([^)]*)\)", req.raw_query)
    match = _LIST.fullmatch(raw)
    urns = [urn.strip() for urn in match.group(1).split(",")] if match else []
    bad = not sent or ":" in sent.group(1)
    if bad or not urns or any(not urn.startswith(prefix) for urn in urns):
        raise illegal(f"{name} must be List({prefix}…) of encoded URNs")
    return urns


def _statistics(posts: list[Post]) -> dict:
    """ShareStatisticsData summed over `posts`; engagement is "the number of organic clicks,
    likes, comments and shares over impressions" (share-statistics schema)."""
    now = STATE.now()
    totals = {"impressions": 0, "reach": 0, "clicks": 0, "likes": 0, "comments": 0, "shares": 0}
    for post in posts:
        numbers = engagement.metrics_at(post, now)
        for name in totals:
            totals[name] += numbers[name]
    engaged = totals["clicks"] + totals["likes"] + totals["comments"] + totals["shares"]
    return {
        "impressionCount": totals["impressions"],
        "uniqueImpressionsCount": totals["reach"],
        "clickCount": totals["clicks"],
        "likeCount": totals["likes"],
        "commentCount": totals["comments"],
        "shareCount": totals["shares"],
        "engagement": engaged / totals["impressions"] if totals["impressions"] else 0.0,
    }


@service.route("GET", REST + "/organizationalEntityShareStatistics", "linkedin.share_statistics")
def share_statistics(req: Request) -> Response:
    resource = "organizationalEntityShareStatistics.FINDER-organizationalEntity"
    token, ver = rest(req, resource, STATISTICS_SCOPES)
    if req.query.get("q") != "organizationalEntity":
        raise illegal("Resource method could not be resolved from request parameters.")
    entity = req.query.get("organizationalEntity")
    org = administered(token, entity, resource, ver)
    if "timeIntervals" in req.query:
        raise illegal("The emulator serves lifetime statistics only (no timeIntervals)")
    recent = [
        post
        for post in STATE.posts_of("linkedin", org.id)
        if STATE.now() - post.created_at <= WINDOW
    ]
    asked = {name: _urns(req, name) for name in _KINDS}
    if not any(asked.values()):  # lifetime statistics of the organisation's shares
        element = {"organizationalEntity": entity, "totalShareStatistics": _statistics(recent)}
        return json_response({"elements": [element], "paging": {"start": 0, "count": 10}})
    by_urn = {post.id: post for post in recent}
    elements = []
    for name, urns in asked.items():
        key = _KINDS[name][1]
        for urn in urns:
            post = by_urn.get(urn)
            if post is None:  # another organisation's, older than 12 months, or unknown
                continue
            statistics = _statistics([post])
            # Shares without activity are left out: they "can be assumed to have counts of 0"
            # (share-statistics, statistics for specific shares).
            if not any(v for k, v in statistics.items() if k != "engagement"):
                continue
            elements.append(
                {"organizationalEntity": entity, key: urn, "totalShareStatistics": statistics}
            )
    return json_response({"elements": elements, "paging": {"start": 0, "count": 10}})


@service.route(
    "GET", REST + r"/networkSizes/(?P<urn>urn:li:organization:\d+)", "linkedin.network_sizes"
)
def network_size(req: Request) -> Response:
    # ASSUMPTION: the organisation lookup's admin scopes, as for /organizations/{id}.
    rest(req, "networkSizes.GET", ADMIN_SCOPES)
    # organization-lookup-api: edgeType=COMPANY_FOLLOWED_BY_MEMBER (upper case on /rest).
    if req.query.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER":
        raise illegal("edgeType must be COMPANY_FOLLOWED_BY_MEMBER")
    org_id = req.params["urn"].removeprefix(ORG)
    if find_organization(org_id) is None:
        raise error(404, f"Organization {org_id} not found", "NOT_FOUND")
    followers = engagement.followers_at("linkedin", org_id, STATE.now())
    return json_response({"firstDegreeSize": followers})

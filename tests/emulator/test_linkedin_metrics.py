"""The emulated LinkedIn share statistics and follower count (docs/emulator.md, "Metrics
(LinkedIn)")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from tests.emulator.test_linkedin import ORG, ORG_URN, api, token

OTHER_ORG = "90000002"


def share(emulator, hours: float = 30, org: str = ORG) -> str:
    created = datetime.now(UTC) - timedelta(hours=hours)
    body = {"network": "linkedin", "account_id": org, "created_time": created.isoformat()}
    return emulator.control("POST", "posts", {**body, "text": "We are hiring"})["id"]


def statistics_path(*urns: str, org: str = ORG_URN) -> str:
    listed = ",".join(quote(urn, safe="") for urn in urns)
    entity = quote(org, safe="")
    path = (
        f"/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={entity}"
    )
    return f"{path}&shares=List({listed})" if urns else path


def test_statistics_per_share(emulator):
    access = token(emulator)
    first, second = share(emulator), share(emulator, hours=50)
    answer = api(emulator, "GET", statistics_path(first, second), access)
    assert answer.status_code == 200, answer.text
    elements = answer.json()["elements"]
    assert [e["share"] for e in elements] == [first, second]
    for element in elements:
        stats = element["totalShareStatistics"]
        assert element["organizationalEntity"] == ORG_URN
        assert stats["impressionCount"] > stats["uniqueImpressionsCount"] > 0
        engaged = (
            stats["clickCount"] + stats["likeCount"] + stats["commentCount"] + stats["shareCount"]
        )
        assert abs(stats["engagement"] - engaged / stats["impressionCount"]) < 1e-9


def test_shares_without_activity_and_of_other_pages_are_left_out(emulator):
    access = token(emulator)
    fresh, other = share(emulator, hours=0), share(emulator, org=OTHER_ORG)
    answer = api(emulator, "GET", statistics_path(fresh, other), access)
    assert answer.status_code == 200
    assert answer.json()["elements"] == []


def test_lifetime_statistics_of_the_page(emulator):
    access = token(emulator)
    share(emulator)
    answer = api(emulator, "GET", statistics_path(), access).json()
    (element,) = answer["elements"]
    assert "share" not in element
    assert element["totalShareStatistics"]["impressionCount"] > 0


def test_lists_must_be_rest_li_lists_of_encoded_urns(emulator):
    access = token(emulator)
    urn = share(emulator)
    base = statistics_path()
    raw_colons = api(emulator, "GET", f"{base}&shares=List({urn})", access)
    assert raw_colons.status_code == 400
    encoded_parens = api(emulator, "GET", f"{base}&shares=List%28{quote(urn, safe='')}%29", access)
    assert encoded_parens.status_code == 400
    no_protocol = api(
        emulator,
        "GET",
        statistics_path(urn),
        access,
        headers={"X-Restli-Protocol-Version": None},
    )
    assert no_protocol.status_code == 400


def test_statistics_need_rw_organization_admin_as_an_administrator(emulator):
    urn = share(emulator)
    reader = token(emulator, "r_organization_social w_organization_social")
    refused = api(emulator, "GET", statistics_path(urn), reader)
    assert refused.status_code == 403
    assert refused.json()["code"] == "ACCESS_DENIED"
    stranger = api(emulator, "GET", statistics_path(org="urn:li:organization:1"), token(emulator))
    assert stranger.status_code == 403


def test_network_size_is_the_followers_of_the_model(emulator):
    emulator.control(
        "POST",
        "engagement",
        {"network": "linkedin", "account_id": ORG, "audience": 777, "growth_per_day": 0},
    )
    access = token(emulator)
    path = f"/networkSizes/{quote(ORG_URN, safe='')}"
    answer = api(emulator, "GET", path, access, params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"})
    assert answer.json() == {"firstDegreeSize": 777}
    old_edge = api(emulator, "GET", path, access, params={"edgeType": "CompanyFollowedByMember"})
    assert old_edge.status_code == 400
    unknown = api(
        emulator,
        "GET",
        f"/networkSizes/{quote('urn:li:organization:5', safe='')}",
        access,
        params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
    )
    assert unknown.status_code == 404

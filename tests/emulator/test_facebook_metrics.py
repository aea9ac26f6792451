"""The emulated Facebook Page post insights, the counts on a post and the Page's followers
(docs/emulator.md, "Metrics (Facebook)")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from tests.emulator.publishing import META_SCOPES, meta_page_tokens

PAGE, OTHER_PAGE = "20000000000001", "20000000000002"
INSIGHT_SCOPES = META_SCOPES + ",read_insights"
METRICS = "post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total"


def graph(emulator, path: str, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/graph/v25.0/{path}", params={**params, "access_token": token}, timeout=5
    )


def earlier_post(emulator, hours: float = 30, page: str = PAGE, **extra: str) -> str:
    created = datetime.now(UTC) - timedelta(hours=hours)
    post = emulator.control(
        "POST",
        "posts",
        {
            "network": "facebook",
            "account_id": page,
            "text": "Our new roast is in",
            "created_time": created.isoformat(),
            **extra,
        },
    )
    return post["id"]


def test_post_insights_are_lifetime_values_in_the_graph_shape(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    post_id = earlier_post(emulator)
    answer = graph(emulator, f"{post_id}/insights", token, metric=METRICS)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert [item["name"] for item in data] == METRICS.split(",")
    for item in data:
        assert item["period"] == "lifetime"
        assert item["id"] == f"{post_id}/insights/{item['name']}/lifetime"
        assert item["title"]
        assert item["description"]
    values = {item["name"]: item["values"][0]["value"] for item in data}
    assert values["post_media_view"] > values["post_total_media_view_unique"] > 0
    reactions = values["post_reactions_by_type_total"]
    assert reactions
    assert all(count > 0 for count in reactions.values())  # zero types left out
    assert set(reactions) <= {"like", "love", "haha", "wow", "sorry", "anger"}

    fields = graph(
        emulator,
        post_id,
        token,
        fields="shares,comments.limit(0).summary(true),reactions.limit(0).summary(total_count)",
    ).json()
    assert fields["reactions"]["summary"]["total_count"] == sum(reactions.values())
    assert fields["comments"]["summary"]["total_count"] > 0
    assert fields["comments"]["data"] == []
    assert fields["shares"]["count"] > 0


def test_numbers_grow_as_the_post_ages(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    post_id = earlier_post(emulator, hours=2)

    def views() -> int:
        body = graph(emulator, f"{post_id}/insights", token, metric="post_media_view").json()
        return body["data"][0]["values"][0]["value"]

    early = views()
    emulator.control("POST", "clock", {"advance": 3000})  # within the short-lived token's life
    assert views() > early


def test_a_fresh_post_has_no_shares_field(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    post_id = earlier_post(emulator, hours=0)
    fields = graph(emulator, post_id, token, fields="id,shares").json()
    assert fields == {"id": post_id}


def test_deprecated_and_missing_metrics_are_refused(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    post_id = earlier_post(emulator)
    old = graph(emulator, f"{post_id}/insights", token, metric="post_impressions,post_clicks")
    assert old.status_code == 400
    assert old.json()["error"]["code"] == 100
    assert "must be a valid insights metric" in old.json()["error"]["message"]
    none = graph(emulator, f"{post_id}/insights", token).json()["error"]
    assert (none["code"], none["error_subcode"]) == (3001, 1504028)


def test_insights_need_read_insights_and_the_pages_own_token(emulator):
    post_id = earlier_post(emulator)
    without = meta_page_tokens(emulator)[PAGE]  # no read_insights
    refused = graph(emulator, f"{post_id}/insights", without, metric="post_clicks")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == 10
    assert "read_insights" in refused.json()["error"]["message"]

    tokens = meta_page_tokens(emulator, INSIGHT_SCOPES)
    other = graph(emulator, f"{post_id}/insights", tokens[OTHER_PAGE], metric="post_clicks")
    assert (other.json()["error"]["code"], other.json()["error"]["error_subcode"]) == (100, 33)
    unknown = graph(emulator, f"{PAGE}_999999/insights", tokens[PAGE], metric="post_clicks")
    assert unknown.json()["error"]["error_subcode"] == 33


def test_a_page_under_100_followers_has_no_insights(emulator):
    emulator.control(
        "POST",
        "engagement",
        {"network": "facebook", "account_id": PAGE, "audience": 40, "growth_per_day": 0},
    )
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    post_id = earlier_post(emulator)
    answer = graph(emulator, f"{post_id}/insights", token, metric=METRICS)
    assert answer.status_code == 200
    assert answer.json() == {"data": []}


def test_video_views_come_with_video_posts(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    video = earlier_post(emulator, format="video")
    text = earlier_post(emulator, hours=40)

    def video_views(post_id: str) -> int:
        body = graph(emulator, f"{post_id}/insights", token, metric="post_video_views").json()
        return body["data"][0]["values"][0]["value"]

    assert video_views(video) > 0
    assert video_views(text) == 0


def test_followers_count_is_the_audience_of_the_model(emulator):
    for network, account in (("facebook", PAGE), ("instagram", "17841400000000001")):
        emulator.control(
            "POST",
            "engagement",
            {"network": network, "account_id": account, "audience": 4321, "growth_per_day": 0},
        )
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    assert graph(emulator, PAGE, token, fields="followers_count").json() == {
        "followers_count": 4321
    }
    ig = graph(emulator, "17841400000000001", token, fields="followers_count").json()
    assert ig["followers_count"] == 4321

"""The emulated Instagram media insights (docs/emulator.md, "Metrics (Instagram)")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from publishing.sample_media import image_bytes
from tests.emulator.publishing import META_SCOPES, meta_page_tokens

PAGE, IG = "20000000000001", "17841400000000001"
INSIGHT_SCOPES = META_SCOPES + ",instagram_manage_insights"
METRICS = "views,reach,likes,comments,shares,saved,total_interactions"


def graph(emulator, method: str, path: str, token: str, **params: str) -> requests.Response:
    return requests.request(
        method,
        f"{emulator.url}/graph/v25.0/{path}",
        params={**params, "access_token": token},
        timeout=5,
    )


def earlier_media(emulator, hours: float = 30) -> str:
    created = datetime.now(UTC) - timedelta(hours=hours)
    body = {"network": "instagram", "account_id": IG, "created_time": created.isoformat()}
    return emulator.control("POST", "posts", {**body, "text": "Latte art Friday #coffee"})["id"]


def test_media_insights_are_lifetime_values(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    media_id = earlier_media(emulator)
    answer = graph(emulator, "GET", f"{media_id}/insights", token, metric=METRICS)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert [item["name"] for item in data] == METRICS.split(",")
    assert all(item["period"] == "lifetime" for item in data)
    assert data[0]["id"] == f"{media_id}/insights/views/lifetime"
    values = {item["name"]: item["values"][0]["value"] for item in data}
    assert values["views"] > values["reach"] > 0
    parts = values["likes"] + values["comments"] + values["shares"] + values["saved"]
    assert values["total_interactions"] == parts > 0


def test_deprecated_metrics_are_refused(emulator):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    media_id = earlier_media(emulator)
    for old in ("impressions", "plays", "video_views"):
        answer = graph(emulator, "GET", f"{media_id}/insights", token, metric=f"reach,{old}")
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == 100
        assert answer.json()["error"]["message"].startswith("(#100) metric[1] must be one of")


def test_insights_need_instagram_manage_insights(emulator):
    media_id = earlier_media(emulator)
    token = meta_page_tokens(emulator)[PAGE]
    answer = graph(emulator, "GET", f"{media_id}/insights", token, metric="reach")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == 10


def test_stories_need_five_viewers_and_last_a_day(emulator, media):
    emulator.control(
        "POST",
        "engagement",
        {"network": "instagram", "account_id": IG, "audience": 20, "growth_per_day": 0},
    )
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    url = media.add("/story.jpg", image_bytes())
    container = graph(
        emulator, "POST", f"{IG}/media", token, media_type="STORIES", image_url=url
    ).json()["id"]
    graph(emulator, "GET", container, token, fields="status_code")  # IN_PROGRESS once
    graph(emulator, "GET", container, token, fields="status_code")
    story = graph(emulator, "POST", f"{IG}/media_publish", token, creation_id=container)
    story_id = story.json()["id"]
    likes = graph(emulator, "GET", f"{story_id}/insights", token, metric="likes")
    assert "does not support the likes metric" in likes.json()["error"]["message"]

    emulator.control("POST", "clock", {"advance": 1800})
    few = graph(emulator, "GET", f"{story_id}/insights", token, metric="reach,views")
    assert few.status_code == 400
    assert few.json()["error"] == {
        **few.json()["error"],
        "code": 10,
        "message": "(#10) Not enough viewers for the media to show insights",
    }


def test_carousel_items_have_no_insights(emulator, media):
    token = meta_page_tokens(emulator, INSIGHT_SCOPES)[PAGE]
    url = media.add("/item.jpg", image_bytes())
    item = graph(
        emulator, "POST", f"{IG}/media", token, is_carousel_item="true", image_url=url
    ).json()["id"]
    answer = graph(emulator, "GET", f"{item}/insights", token, metric="reach")
    assert answer.status_code == 400
    assert "within an album" in answer.json()["error"]["message"]

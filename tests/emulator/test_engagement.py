"""The emulator's hidden engagement model: repeatable, growing with a post's age, shaped by when
and what was posted, plantable through `/_control/engagement`, and earlier posts backdated
through `/_control/posts`."""

from __future__ import annotations

import requests

from emulator import engagement
from emulator.posts import Post
from emulator.state import STATE

X_USER = "1500000000000000001"


def _post(created_at: float, text: str = "Hello", fmt: str = "image", post_id: str = "1") -> Post:
    return Post(
        platform="x",
        network="x",
        account_id=X_USER,
        id=post_id,
        kind="tweet",
        text=text,
        created_at=created_at,
        permalink="",
        details={"format": fmt},
    )


def test_metrics_are_repeatable_and_settle_over_time():
    created = engagement.EPOCH + 30 * 86_400
    post = _post(created)
    hour, day, month = (created + s for s in (3600, 86_400, 30 * 86_400))
    assert engagement.metrics_at(post, day) == engagement.metrics_at(post, day)
    early, later, settled = (engagement.metrics_at(post, t) for t in (hour, day, month))
    assert 0 < early["impressions"] < later["impressions"] <= settled["impressions"]
    assert settled["impressions"] >= 0.99 * engagement.lifetime(post)["impressions"]
    assert engagement.metrics_at(post, created - 10) == dict.fromkeys(settled, 0)


def test_planted_window_and_format_shape_the_rate():
    # In this process's state (the model is a plain module; the server's copy is not involved).
    engagement.plant(
        "x",
        X_USER,
        {
            "timezone": "Europe/Paris",
            "good_days": [1],
            "good_hours": [13, 15],
            "good_lift": 2.0,
            "noise": 0.0,
            "format_effects": {"video": 1.5, "image": 1.0, "text": 0.5, "carousel": 1.0},
        },
    )
    assert engagement.model("x", X_USER).timezone == "Europe/Paris"
    # Tuesday 2026-03-03 13:30 in Paris is 12:30 UTC; Wednesday at the same hour is not good.
    tuesday = 1772541000.0
    wednesday = tuesday + 86_400

    def rate(moment: float, fmt: str) -> float:
        totals = engagement.lifetime(_post(moment, fmt=fmt))
        liked = totals["likes"] + totals["comments"] + totals["shares"] + totals["saves"]
        return liked / totals["impressions"]

    assert rate(tuesday, "image") / rate(wednesday, "image") > 1.9
    assert rate(wednesday, "video") > rate(wednesday, "image") > rate(wednesday, "text")
    STATE.reset()
    assert engagement.model("x", X_USER) == engagement.default_model("x", X_USER)


def test_control_refuses_a_bad_model(emulator):
    url = f"{emulator.url}/_control/engagement"
    for body, words in [
        ({"network": "x", "account_id": X_USER, "good_hours": [15, 13]}, "good_hours"),
        ({"network": "x", "account_id": X_USER, "timezone": "Mars/Base"}, "timezone"),
        ({"network": "x", "account_id": X_USER, "colour": "red"}, "not part of the model"),
        ({"network": "myspace", "account_id": X_USER}, "network"),
    ]:
        answer = requests.post(url, json=body, timeout=5)
        assert answer.status_code == 400
        assert words in answer.json()["error"]
    model = requests.get(url, params={"network": "x", "account_id": X_USER}, timeout=5).json()
    assert model == engagement.default_model("x", X_USER).to_json()


def test_earlier_posts_take_a_time_and_a_format(emulator):
    url = f"{emulator.url}/_control/posts"
    made = requests.post(
        url,
        json={
            "network": "x",
            "account_id": X_USER,
            "text": "Spring menu",
            "created_time": "2026-03-03T12:30:00Z",
            "format": "video",
        },
        timeout=5,
    )
    assert made.status_code == 201
    assert made.json()["created_time"] == "2026-03-03T12:30:00Z"
    assert made.json()["details"]["format"] == "video"
    tiktok = emulator.control("GET", "posts?platform=tiktok")
    before = len(tiktok)
    for body, words in [
        ({"created_time": "2999-01-01T00:00:00Z"}, "future"),
        ({"format": "hologram"}, "format"),
        ({"created_time": "yesterday"}, "Invalid isoformat"),
    ]:
        answer = requests.post(
            url, json={"network": "x", "account_id": X_USER, "text": "x", **body}, timeout=5
        )
        assert answer.status_code == 400, body
        assert words in answer.json()["error"]
    assert len(emulator.control("GET", "posts?platform=tiktok")) == before


def test_the_clock_can_be_set_into_the_past(emulator):
    now = emulator.control("POST", "clock", {"offset": -86_400})
    assert now["offset"] == -86_400
    assert emulator.control("POST", "clock", {"offset": 0})["offset"] == 0

"""The emulated YouTube `statistics` part of videos.list and channels.list, and its quota cost."""

from __future__ import annotations

import requests

from tests.emulator.earlier_posts import earlier_post, settled
from tests.emulator.publishing import bearer, google_token

CHANNEL = "UCdemo0000000000000000001"


def videos(emulator, token: str, ids: str, part: str = "statistics") -> requests.Response:
    return requests.get(
        f"{emulator.url}/youtube/v3/videos",
        params={"part": part, "id": ids},
        headers=bearer(token),
        timeout=5,
    )


def channel_statistics(emulator, token: str) -> dict:
    response = requests.get(
        f"{emulator.url}/youtube/v3/channels",
        params={"part": "statistics", "mine": "true"},
        headers=bearer(token),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"][0]["statistics"]


def test_video_statistics_are_the_settled_numbers_as_strings(emulator):
    video = earlier_post(emulator, "youtube", CHANNEL, text="Roasting day")
    model = settled(video)

    response = videos(emulator, google_token(emulator), f"{video['id']},emuMissing01")

    assert response.status_code == 200, response.text
    [item] = response.json()["items"]  # an id YouTube does not have is left out
    assert item["id"] == video["id"]
    assert item["statistics"] == {
        "viewCount": str(model["video_views"]),
        "likeCount": str(model["likes"]),
        "favoriteCount": "0",
        "commentCount": str(model["comments"]),
    }
    assert model["video_views"] > model["likes"] > 0


def test_statistics_grow_as_the_clock_moves(emulator):
    video = earlier_post(emulator, "youtube", CHANNEL, age=3600, text="Fresh")

    def views() -> int:
        token = google_token(emulator)  # a new token each time: one lives an hour
        return int(
            videos(emulator, token, video["id"]).json()["items"][0]["statistics"]["viewCount"]
        )

    first = views()
    emulator.control("POST", "clock", {"advance": 86_400})
    assert 0 < first < views()


def test_each_videos_list_costs_one_unit_of_the_daily_quota(emulator):
    token = google_token(emulator)
    video = earlier_post(emulator, "youtube", CHANNEL, text="Clip")
    emulator.control("POST", "behaviour", {"platform": "google", "daily_quota": 2})

    first, second, refused = (videos(emulator, token, video["id"]) for _ in range(3))

    assert (first.status_code, second.status_code) == (200, 200)
    assert refused.status_code == 403
    assert refused.json()["error"]["errors"][0]["reason"] == "quotaExceeded"


def test_channel_subscribers_are_abbreviated_to_three_significant_figures(emulator):
    emulator.control(
        "POST",
        "engagement",
        {"network": "youtube", "account_id": CHANNEL, "audience": 123_456, "growth_per_day": 0},
    )
    first = earlier_post(emulator, "youtube", CHANNEL, text="One")
    second = earlier_post(emulator, "youtube", CHANNEL, text="Two")

    token = google_token(emulator)

    statistics = channel_statistics(emulator, token)

    assert statistics["subscriberCount"] == "123000"
    assert statistics["hiddenSubscriberCount"] is False
    assert statistics["videoCount"] == "2"
    items = videos(emulator, token, f"{first['id']},{second['id']}").json()["items"]
    assert statistics["viewCount"] == str(sum(int(i["statistics"]["viewCount"]) for i in items))


def test_small_channels_show_their_exact_subscribers(emulator):
    emulator.control(
        "POST",
        "engagement",
        {"network": "youtube", "account_id": CHANNEL, "audience": 987, "growth_per_day": 0},
    )
    assert channel_statistics(emulator, google_token(emulator))["subscriberCount"] == "987"

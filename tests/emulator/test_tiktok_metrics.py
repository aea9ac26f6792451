"""The emulated TikTok video query (`POST /v2/video/query/`), the counts every video object
carries, and the follower count of user/info."""

from __future__ import annotations

import requests

from tests.emulator.earlier_posts import earlier_post, settled
from tests.emulator.publishing import bearer, tiktok_token
from tests.emulator.test_publish_tiktok import SMALL, init_upload, put_chunk, status

OPEN_ID = "tt-open-000001"
API = "/tiktok-api/v2"
COUNTS = "id,like_count,comment_count,share_count,view_count"


def query(emulator, token: str, ids: list[str], fields: str = COUNTS) -> requests.Response:
    return requests.post(
        f"{emulator.url}{API}/video/query/?fields={fields}",
        json={"filters": {"video_ids": ids}},
        headers=bearer(token),
        timeout=5,
    )


def assert_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_video_counts_are_the_settled_numbers_in_tiktok_words(emulator):
    video = earlier_post(emulator, "tiktok", OPEN_ID, text="Latte art #coffee")
    model = settled(video)
    token = tiktok_token(emulator)

    response = query(emulator, token, [video["id"]])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"]["code"] == "ok"
    assert body["data"]["videos"] == [
        {
            "id": video["id"],
            "like_count": model["likes"],
            "comment_count": model["comments"],
            "share_count": model["shares"],
            "view_count": model["video_views"],
        }
    ]
    assert model["video_views"] > 0
    # The video list carries the same counts.
    listed = requests.post(
        f"{emulator.url}{API}/video/list/?fields={COUNTS}",
        json={},
        headers=bearer(token),
        timeout=5,
    )
    assert listed.json()["data"]["videos"] == body["data"]["videos"]


def test_only_the_callers_own_public_videos_are_answered_in_the_order_asked(emulator):
    token = tiktok_token(emulator)
    first = earlier_post(emulator, "tiktok", OPEN_ID, text="First")
    second = earlier_post(emulator, "tiktok", OPEN_ID, text="Second")
    other = emulator.control("POST", "users", {"platform": "tiktok", "name": "Rival Roasters"})
    theirs = earlier_post(emulator, "tiktok", other["id"], text="Not yours")
    init = init_upload(emulator, token, len(SMALL), len(SMALL), 1, privacy="SELF_ONLY").json()
    put_chunk(init["data"]["upload_url"], SMALL, 0, len(SMALL))
    *_, done = [status(emulator, token, init["data"]["publish_id"]) for _ in range(2)]
    private = str(done["publicaly_available_post_id"][0])

    asked = [second["id"], theirs["id"], private, "7999999999999999999", first["id"]]
    videos = query(emulator, token, asked, fields="id").json()["data"]["videos"]

    assert videos == [{"id": second["id"]}, {"id": first["id"]}]


def test_the_query_needs_video_list_and_1_to_20_ids(emulator):
    token = tiktok_token(emulator)
    assert_error(query(emulator, token, []), 400, "invalid_params")
    assert_error(query(emulator, token, [str(n) for n in range(21)]), 400, "invalid_params")
    assert_error(query(emulator, token, ["1"], fields=""), 400, "invalid_params")
    assert_error(query(emulator, token, ["1"], fields="id,play_count"), 400, "invalid_params")
    basic = tiktok_token(emulator, "user.info.basic,video.publish")
    assert_error(query(emulator, basic, ["1"]), 401, "scope_not_authorized")
    assert_error(query(emulator, "act.dead", ["1"]), 401, "access_token_invalid")
    emulator.fail_next("tiktok", "tiktok.video_query", "rate_limit")
    assert_error(query(emulator, token, ["1"]), 429, "rate_limit_exceeded")


def user_info(emulator, token: str, fields: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}{API}/user/info/",
        params={"fields": fields},
        headers=bearer(token),
        timeout=5,
    )


def test_follower_count_comes_from_the_model_and_needs_user_info_stats(emulator):
    emulator.control(
        "POST",
        "engagement",
        {"network": "tiktok", "account_id": OPEN_ID, "audience": 4321, "growth_per_day": 0},
    )
    stats = tiktok_token(emulator, "user.info.basic,user.info.stats")
    answer = user_info(emulator, stats, "open_id,follower_count").json()
    assert answer["data"]["user"] == {"open_id": OPEN_ID, "follower_count": 4321}

    basic = tiktok_token(emulator, "user.info.basic")
    assert_error(user_info(emulator, basic, "follower_count"), 400, "scope_permission_missed")
    assert user_info(emulator, basic, "open_id").status_code == 200

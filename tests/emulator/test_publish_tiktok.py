"""Direct posts to the emulated TikTok Content Posting API, and the Display API's video list."""

from __future__ import annotations

import hashlib

import pytest
import requests

from publishing.sample_media import mp4_bytes
from tests.emulator.publishing import bearer, behave, posts, tiktok_token

OPEN_ID = "tt-open-000001"
API = "/tiktok-api/v2"
MIB = 1024 * 1024
SMALL = bytes(range(256)) * 1024  # 256 KiB: sent whole
LARGE = bytes(range(256)) * (11 * 4096)  # 11 MiB: two chunks of 5 MiB, the last one 6 MiB
JPEG = b"\xff\xd8\xff\xe0" + bytes(500)


@pytest.fixture
def token(emulator) -> str:
    return tiktok_token(emulator)


def post(emulator, path: str, token: str, body: dict | None = None, **kwargs: object):
    return requests.post(
        f"{emulator.url}{API}/{path}",
        json=body,
        headers=bearer(token),
        timeout=kwargs.pop("timeout", 5),
        **kwargs,
    )


def assert_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["log_id"]


def post_info(title: str = "Morning pour #coffee", privacy: str = "PUBLIC_TO_EVERYONE") -> dict:
    return {
        "title": title,
        "privacy_level": privacy,
        "disable_duet": False,
        "disable_comment": False,
    }


def init_upload(emulator, token: str, size: int, chunk: int, count: int, **info: str):
    source = {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": chunk,
        "total_chunk_count": count,
    }
    return post(
        emulator,
        "post/publish/video/init/",
        token,
        {"post_info": post_info(**info), "source_info": source},
    )


def put_chunk(url: str, data: bytes, first: int, total: int, content_type: str = "video/mp4"):
    headers = {
        "Content-Type": content_type,
        "Content-Range": f"bytes {first}-{first + len(data) - 1}/{total}",
    }
    return requests.put(url, data=data, headers=headers, timeout=5)


def status(emulator, token: str, publish_id: str) -> dict:
    response = post(emulator, "post/publish/status/fetch/", token, {"publish_id": publish_id})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def video_list(
    emulator, token: str, body: dict | None = None, fields: str = "id,title,create_time,share_url"
):
    return post(emulator, f"video/list/?fields={fields}", token, body or {})


def test_file_upload_then_status_progression_then_listing(emulator, token):
    behave(emulator, "tiktok", status_polls=2)
    options = post(emulator, "post/publish/creator_info/query/", token).json()["data"]
    assert "PUBLIC_TO_EVERYONE" in options["privacy_level_options"]

    init = init_upload(emulator, token, len(SMALL), len(SMALL), 1)
    data = init.json()["data"]
    assert data["publish_id"].startswith("v_pub_file~v2-1.")
    assert data["upload_url"].startswith(f"{emulator.url}/tiktok-upload/video/?upload_id=")
    before = status(emulator, token, data["publish_id"])
    uploaded = put_chunk(data["upload_url"], SMALL, 0, len(SMALL))
    states = [status(emulator, token, data["publish_id"]) for _ in range(3)]

    assert before == {
        "status": "PROCESSING_UPLOAD",
        "uploaded_bytes": 0,
        "publicaly_available_post_id": [],
    }
    assert uploaded.status_code == 201
    assert [s["status"] for s in states] == [
        "PROCESSING_UPLOAD",
        "PROCESSING_UPLOAD",
        "PUBLISH_COMPLETE",
    ]
    [video_id] = states[-1]["publicaly_available_post_id"]
    [stored] = posts(emulator, "tiktok", OPEN_ID)
    assert stored["id"] == str(video_id)
    assert stored["media"][0]["sha256"] == hashlib.sha256(SMALL).hexdigest()
    videos = video_list(emulator, token).json()["data"]["videos"]
    assert videos == [
        {
            "id": str(video_id),
            "title": "Morning pour #coffee",
            "create_time": videos[0]["create_time"],
            "share_url": f"https://www.tiktok.com/@democo/video/{video_id}",
        }
    ]


def test_chunked_upload_follows_the_chunk_rules(emulator, token):
    size, chunk = len(LARGE), 5 * MIB
    data = init_upload(emulator, token, size, chunk, 2).json()["data"]
    url = data["upload_url"]

    wrong_type = put_chunk(url, LARGE[:chunk], 0, size, "text/plain")
    out_of_order = put_chunk(url, LARGE[chunk:], chunk, size)
    first = put_chunk(url, LARGE[:chunk], 0, size)
    retry = put_chunk(url, LARGE[:chunk], 0, size)
    halfway = status(emulator, token, data["publish_id"])
    short = put_chunk(url, LARGE[chunk : chunk + MIB], chunk, size)
    last = put_chunk(url, LARGE[chunk:], chunk, size)

    assert_error(wrong_type, 400, "invalid_params")
    assert out_of_order.status_code == 416
    assert (first.status_code, retry.status_code) == (206, 206)
    assert halfway == {
        "status": "PROCESSING_UPLOAD",
        "uploaded_bytes": chunk,
        "publicaly_available_post_id": [],
    }
    assert short.status_code == 400
    assert last.status_code == 201
    [stored] = posts(emulator, "tiktok")
    assert stored["media"][0] == {
        "size": size,
        "sha256": hashlib.sha256(LARGE).hexdigest(),
        "content_type": "video/mp4",
        "source": "upload",
    }
    bad_range = requests.put(url, data=b"x", headers={"Content-Type": "video/mp4"}, timeout=5)
    assert bad_range.status_code == 400


@pytest.mark.parametrize(
    ("size", "chunk", "count"),
    [
        (len(SMALL), 100_000, 2),  # under 5 MB: one chunk of the whole size
        (20 * MIB, 4 * MIB, 5),  # chunks under 5 MB
        (20 * MIB, 5 * MIB, 3),  # the count is not floor(size / chunk)
        (200 * MIB, 65 * MIB, 3),  # chunks over 64 MB
        (300 * MIB, 64 * MIB, 2),  # the last chunk over 128 MB
    ],
)
def test_init_refuses_bad_chunk_plans(emulator, token, size, chunk, count):
    assert_error(init_upload(emulator, token, size, chunk, count), 400, "invalid_params")


def test_privacy_level_must_be_one_the_creator_offers(emulator, token):
    response = init_upload(
        emulator, token, len(SMALL), len(SMALL), 1, privacy="FOLLOWER_OF_CREATOR"
    )

    assert_error(response, 403, "privacy_level_option_mismatch")
    assert posts(emulator, "tiktok") == []


def set_creator(emulator, **settings: object) -> dict:
    return emulator.control("POST", "tiktok/creator", {"user_id": OPEN_ID, **settings})


def creator_info(emulator, token: str) -> requests.Response:
    return post(emulator, "post/publish/creator_info/query/", token)


def test_creator_settings_are_set_per_account_and_enforced(emulator, token):
    private = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    set_creator(
        emulator,
        privacy_level_options=private,
        duet_disabled=True,
        stitch_disabled=True,
        max_video_post_duration_sec=60,
    )

    info = creator_info(emulator, token).json()["data"]
    public = init_upload(emulator, token, len(SMALL), len(SMALL), 1, privacy="PUBLIC_TO_EVERYONE")
    followers = init_upload(
        emulator, token, len(SMALL), len(SMALL), 1, privacy="FOLLOWER_OF_CREATOR"
    )

    assert info == {
        "creator_avatar_url": info["creator_avatar_url"],
        "creator_username": "democo",
        "creator_nickname": "Demo Co",
        "privacy_level_options": private,
        "comment_disabled": False,
        "duet_disabled": True,
        "stitch_disabled": True,
        "max_video_post_duration_sec": 60,
    }
    assert_error(public, 403, "privacy_level_option_mismatch")
    assert followers.status_code == 200


@pytest.mark.parametrize(
    "settings",
    [
        {"privacy_level_options": ["EVERYONE"]},
        {"privacy_level_options": []},
        {"duet_disabled": "yes"},
        {"daily_post_cap": -1},
        {"colour": "red"},
        {"user_id": "tt-open-999999"},
    ],
)
def test_creator_settings_refuse_bad_values(emulator, settings):
    response = requests.post(
        f"{emulator.url}/_control/tiktok/creator",
        json={"user_id": OPEN_ID, **settings},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["error"]


def test_the_daily_post_cap_counts_a_rolling_24_hours(emulator, token, media):
    behave(emulator, "tiktok", status_polls=0)
    set_creator(emulator, daily_post_cap=1)
    url = media.add("/tt/cap.mp4", SMALL, "video/mp4")
    body = {"post_info": post_info(), "source_info": {"source": "PULL_FROM_URL", "video_url": url}}
    assert post(emulator, "post/publish/video/init/", token, body).status_code == 200

    capped_info = creator_info(emulator, token)
    capped_init = post(emulator, "post/publish/video/init/", token, body)
    emulator.control("POST", "clock", {"advance": 86_401})
    later = creator_info(emulator, tiktok_token(emulator))  # the first token expired meanwhile

    assert_error(capped_info, 200, "spam_risk_too_many_posts")  # HTTP 200, intentionally
    assert capped_info.json()["data"] == {}
    assert_error(capped_init, 403, "spam_risk_too_many_posts")
    assert later.json()["error"]["code"] == "ok"
    assert len(posts(emulator, "tiktok")) == 1


def test_a_banned_creator_cannot_post(emulator, token):
    set_creator(emulator, banned_from_posting=True)

    assert_error(creator_info(emulator, token), 200, "spam_risk_user_banned_from_posting")
    assert_error(
        init_upload(emulator, token, len(SMALL), len(SMALL), 1),
        403,
        "spam_risk_user_banned_from_posting",
    )


def test_the_upload_url_expires_after_an_hour(emulator, token):
    data = init_upload(emulator, token, len(SMALL), len(SMALL), 1).json()["data"]
    emulator.control("POST", "clock", {"advance": 3601})

    assert put_chunk(data["upload_url"], SMALL, 0, len(SMALL)).status_code == 403
    assert status(emulator, token, data["publish_id"])["uploaded_bytes"] == 0
    assert posts(emulator, "tiktok") == []


@pytest.mark.parametrize(("seconds", "outcome"), [(5.0, "FAILED"), (2.0, "PUBLISH_COMPLETE")])
def test_a_video_longer_than_the_creators_maximum_fails(emulator, token, seconds, outcome):
    behave(emulator, "tiktok", status_polls=0)
    set_creator(emulator, max_video_post_duration_sec=3)
    video = mp4_bytes(duration=seconds)
    data = init_upload(emulator, token, len(video), len(video), 1).json()["data"]
    assert put_chunk(data["upload_url"], video, 0, len(video)).status_code == 201

    result = status(emulator, token, data["publish_id"])

    assert result["status"] == outcome
    if outcome == "FAILED":
        assert result["fail_reason"] == "duration_check_failed"
        assert posts(emulator, "tiktok") == []


def test_title_and_source_validation(emulator, token):
    long_title = init_upload(emulator, token, len(SMALL), len(SMALL), 1, title="😀" * 1101)
    no_source = post(
        emulator,
        "post/publish/video/init/",
        token,
        {"post_info": post_info(), "source_info": {"source": "X"}},
    )

    assert_error(long_title, 400, "invalid_params")  # 2202 UTF-16 code units
    assert_error(no_source, 400, "invalid_params")
    assert_error(status_response(emulator, token, "v_pub_file~v2-1.1"), 400, "invalid_params")


def status_response(emulator, token: str, publish_id: str) -> requests.Response:
    return post(emulator, "post/publish/status/fetch/", token, {"publish_id": publish_id})


def test_pull_from_url_downloads_the_video(emulator, token, media):
    url = media.add("/tt/clip.mp4", SMALL, "video/mp4")
    body = {"post_info": post_info(), "source_info": {"source": "PULL_FROM_URL", "video_url": url}}

    data = post(emulator, "post/publish/video/init/", token, body).json()["data"]
    first, second = (
        status(emulator, token, data["publish_id"]),
        status(emulator, token, data["publish_id"]),
    )

    assert set(data) == {"publish_id"}
    assert data["publish_id"].startswith("v_pub_url~")
    assert first == {
        "status": "PROCESSING_DOWNLOAD",
        "downloaded_bytes": len(SMALL),
        "publicaly_available_post_id": [],
    }
    assert second["status"] == "PUBLISH_COMPLETE"
    [stored] = posts(emulator, "tiktok")
    assert stored["media"][0]["source"] == url


def test_a_video_url_that_fails_ends_in_failed(emulator, token, media):
    behave(emulator, "tiktok", status_polls=0, media_fetch_timeout=0.3)
    outcomes = []
    for url in (media.url("/tt/missing.mp4"), media.silent_url):
        body = {
            "post_info": post_info(),
            "source_info": {"source": "PULL_FROM_URL", "video_url": url},
        }
        publish_id = post(emulator, "post/publish/video/init/", token, body).json()["data"][
            "publish_id"
        ]
        outcomes.append(status(emulator, token, publish_id))

    assert [(o["status"], o["fail_reason"]) for o in outcomes] == [
        ("FAILED", "video_pull_failed")
    ] * 2
    assert posts(emulator, "tiktok") == []


def test_fail_reason_knob_fails_new_posts(emulator, token):
    behave(emulator, "tiktok", status_polls=0, fail_reason="duration_check_failed")
    data = init_upload(emulator, token, len(SMALL), len(SMALL), 1).json()["data"]
    put_chunk(data["upload_url"], SMALL, 0, len(SMALL))

    outcome = status(emulator, token, data["publish_id"])

    assert (outcome["status"], outcome["fail_reason"]) == ("FAILED", "duration_check_failed")
    assert posts(emulator, "tiktok") == []


def test_photo_post(emulator, token, media):
    behave(emulator, "tiktok", status_polls=0)
    urls = [media.add(f"/tt/p{n}.jpg", JPEG + bytes([n])) for n in range(2)]
    body = {
        "media_type": "PHOTO",
        "post_mode": "DIRECT_POST",
        "post_info": {**post_info("Two cups"), "description": "Flat white and cortado"},
        "source_info": {"source": "PULL_FROM_URL", "photo_images": urls, "photo_cover_index": 1},
    }

    publish_id = post(emulator, "post/publish/content/init/", token, body).json()["data"][
        "publish_id"
    ]
    outcome = status(emulator, token, publish_id)
    failed_body = {
        **body,
        "source_info": {"source": "PULL_FROM_URL", "photo_images": [media.url("/no.jpg")]},
    }
    failed_id = post(emulator, "post/publish/content/init/", token, failed_body).json()["data"][
        "publish_id"
    ]

    assert publish_id.startswith("p_pub_url~")
    assert outcome["status"] == "PUBLISH_COMPLETE"
    [stored] = posts(emulator, "tiktok")
    assert (stored["kind"], stored["text"], stored["media_count"]) == ("photo", "Two cups", 2)
    assert "/photo/" in stored["permalink"]
    assert video_list(emulator, token).json()["data"]["videos"] == []  # photos are not videos
    assert status(emulator, token, failed_id)["fail_reason"] == "photo_pull_failed"
    bad_mode = post(emulator, "post/publish/content/init/", token, {**body, "post_mode": "LATER"})
    assert_error(bad_mode, 400, "invalid_params")
    too_many = {**body, "source_info": {"source": "PULL_FROM_URL", "photo_images": urls * 18}}
    assert_error(
        post(emulator, "post/publish/content/init/", token, too_many), 400, "invalid_params"
    )


def test_video_list_shows_public_videos_newest_first_with_paging(emulator, token, media):
    url = media.add("/tt/v.mp4", SMALL, "video/mp4")
    for title, privacy in (
        ("one", "PUBLIC_TO_EVERYONE"),
        ("private", "SELF_ONLY"),
        ("two", "PUBLIC_TO_EVERYONE"),
    ):
        body = {
            "post_info": post_info(title, privacy),
            "source_info": {"source": "PULL_FROM_URL", "video_url": url},
        }
        post(emulator, "post/publish/video/init/", token, body)
        emulator.control("POST", "clock", {"advance": 1})

    first = video_list(emulator, token, {"max_count": 1}).json()["data"]
    rest = video_list(emulator, token, {"max_count": 1, "cursor": first["cursor"]}).json()["data"]

    assert ([v["title"] for v in first["videos"]], first["has_more"]) == (["two"], True)
    assert ([v["title"] for v in rest["videos"]], rest["has_more"]) == (["one"], False)
    assert len(posts(emulator, "tiktok")) == 3  # the private one exists, it is just not listed
    assert_error(video_list(emulator, token, fields=""), 400, "invalid_params")
    assert_error(video_list(emulator, token, {"max_count": 21}), 400, "invalid_params")


def test_scopes_are_enforced(emulator):
    basic = tiktok_token(emulator, "user.info.basic")

    assert_error(
        init_upload(emulator, basic, len(SMALL), len(SMALL), 1), 401, "scope_not_authorized"
    )
    assert_error(video_list(emulator, basic), 401, "scope_not_authorized")


def test_accept_then_timeout_on_the_last_chunk_still_posts(emulator, token):
    data = init_upload(emulator, token, len(SMALL), len(SMALL), 1).json()["data"]
    emulator.fail_next("tiktok", "tiktok.upload", "accept_then_timeout", delay=0.6)

    with pytest.raises(requests.ReadTimeout):
        requests.put(
            data["upload_url"],
            data=SMALL,
            headers={
                "Content-Type": "video/mp4",
                "Content-Range": f"bytes 0-{len(SMALL) - 1}/{len(SMALL)}",
            },
            timeout=0.2,
        )

    assert len(posts(emulator, "tiktok")) == 1
    assert status(emulator, token, data["publish_id"])["uploaded_bytes"] == len(SMALL)
    assert (
        put_chunk(data["upload_url"], SMALL, 0, len(SMALL)).status_code == 201
    )  # a retry is harmless
    assert len(posts(emulator, "tiktok")) == 1


def test_error_faults_use_the_envelope(emulator, token):
    emulator.fail_next("tiktok", "tiktok.video_init", "rate_limit")

    assert_error(
        init_upload(emulator, token, len(SMALL), len(SMALL), 1), 429, "rate_limit_exceeded"
    )


def test_photos_for_the_inbox_end_in_send_to_user_inbox(emulator, token, media):
    behave(emulator, "tiktok", status_polls=0)
    body = {
        "media_type": "PHOTO",
        "post_mode": "MEDIA_UPLOAD",
        "post_info": {"title": "Draft"},
        "source_info": {"source": "PULL_FROM_URL", "photo_images": [media.add("/tt/d.jpg", JPEG)]},
    }

    publish_id = post(emulator, "post/publish/content/init/", token, body).json()["data"][
        "publish_id"
    ]

    assert status(emulator, token, publish_id)["status"] == "SEND_TO_USER_INBOX"
    assert posts(emulator, "tiktok") == []  # the user finishes it in the app


def test_unknown_upload_urls_are_refused(emulator, token):
    data = init_upload(emulator, token, len(SMALL), len(SMALL), 1).json()["data"]
    forged = data["upload_url"].replace("upload_token=", "upload_token=x")

    assert put_chunk(forged, SMALL, 0, len(SMALL)).status_code == 404

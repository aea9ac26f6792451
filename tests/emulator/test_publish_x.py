"""Posting to the emulated X API v2: posts, media upload, the user timeline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests

from emulator.x_publish import weighted_length
from tests.emulator.publishing import bearer, behave, posts, x_token

USER_ID = "1500000000000000001"
API = "/x-api/2"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
VIDEO = bytes(range(256)) * 4096  # 1 MiB
CONTRACTS = Path(__file__).parents[1] / "contracts" / "x"


@pytest.fixture
def token(emulator) -> str:
    return x_token(emulator)


def api(emulator, method: str, path: str, token: str, **kwargs: object) -> requests.Response:
    timeout = kwargs.pop("timeout", 5)
    return requests.request(
        method, f"{emulator.url}{API}/{path}", headers=bearer(token), timeout=timeout, **kwargs
    )


def tweet(emulator, token: str, text: str, **body: object) -> requests.Response:
    return api(emulator, "POST", "tweets", token, json={"text": text, **body})


def timeline(emulator, token: str, **params: str) -> dict:
    response = api(emulator, "GET", f"users/{USER_ID}/tweets", token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def assert_problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    return body


def upload_video(emulator, token: str, data: bytes = VIDEO, segment: int = 400_000) -> str:
    init = api(
        emulator,
        "POST",
        "media/upload/initialize",
        token,
        json={"media_type": "video/mp4", "total_bytes": len(data), "media_category": "tweet_video"},
    )
    media_id = init.json()["data"]["id"]
    for index, start in enumerate(range(0, len(data), segment)):
        chunk = data[start : start + segment]
        appended = api(
            emulator,
            "POST",
            f"media/upload/{media_id}/append",
            token,
            data={"segment_index": str(index)},
            files={"media": ("chunk", chunk, "application/octet-stream")},
        )
        assert appended.status_code == 200, appended.text
    return media_id


def media_status(emulator, token: str, media_id: str) -> dict:
    params = {"command": "STATUS", "media_id": media_id}
    return api(emulator, "GET", "media/upload", token, params=params).json()["data"]


def test_weighted_length_follows_twitter_text():
    assert weighted_length("a" * 280) == 280
    assert weighted_length("日本" * 70) == 280  # CJK weighs 2
    assert weighted_length("see https://example.com/" + "a" * 200) == 4 + 23
    assert weighted_length("docs at example.com.") == 8 + 23 + 1
    assert weighted_length("👍🏽") == 2  # a skin tone belongs to its emoji
    assert weighted_length("👨‍👩‍👧") == 2  # so does a zero-width-joined family
    assert weighted_length("🇫🇷") == 2  # and a flag's regional indicator pair
    assert weighted_length("é") == weighted_length("e\u0301") == 1  # NFC first
    assert weighted_length("“quotes” and — dashes") == 21


def test_posts_come_back_newest_first_in_the_timeline(emulator, token):
    first = tweet(emulator, token, "Hello from Demo Co")
    second = tweet(emulator, token, "Second post")

    assert first.status_code == second.status_code == 201
    data = first.json()["data"]
    assert data == {
        "id": data["id"],
        "text": "Hello from Demo Co",
        "edit_history_tweet_ids": [data["id"]],
    }
    listed = timeline(emulator, token, max_results="5", **{"tweet.fields": "created_at,text"})
    assert [t["text"] for t in listed["data"]] == ["Second post", "Hello from Demo Co"]
    assert listed["data"][0]["created_at"].endswith(".000Z")
    assert listed["meta"] == {
        "result_count": 2,
        "newest_id": second.json()["data"]["id"],
        "oldest_id": data["id"],
    }
    [one, two] = posts(emulator, "x", USER_ID)
    assert (one["text"], one["permalink"]) == (
        "Hello from Demo Co",
        f"https://x.com/democo/status/{data['id']}",
    )
    assert two["id"] == second.json()["data"]["id"]


def test_text_length_is_weighted(emulator, token):
    assert tweet(emulator, token, "a" * 280).status_code == 201
    assert tweet(emulator, token, "字" * 140).status_code == 201
    assert tweet(emulator, token, "b" * 256 + " https://example.com/" + "c" * 90).status_code == 201

    too_long = tweet(emulator, token, "d" * 281)
    too_wide = tweet(emulator, token, "字" * 141)

    assert assert_problem(too_long, 400)["errors"][0]["parameters"] == {"text": ["d" * 281]}
    assert_problem(too_wide, 400)
    assert len(posts(emulator, "x")) == 3


def test_duplicate_text_is_refused_for_a_day(emulator, token):
    tweet(emulator, token, "Same words")

    duplicate = tweet(emulator, token, "Same words")
    emulator.control("POST", "clock", {"advance": 86401})
    later = tweet(emulator, x_token(emulator), "Same words")  # the old token has expired

    assert "duplicate content" in assert_problem(duplicate, 403)["detail"]
    assert later.status_code == 201


def test_replies_and_their_fields(emulator, token):
    parent = tweet(emulator, token, "Thread 1/2").json()["data"]["id"]

    reply = tweet(emulator, token, "Thread 2/2", reply={"in_reply_to_tweet_id": parent})
    orphan = tweet(emulator, token, "Lost", reply={"in_reply_to_tweet_id": "1"})

    assert reply.status_code == 201
    assert "deleted or not visible" in assert_problem(orphan, 403)["detail"]
    fields = {"tweet.fields": "conversation_id,referenced_tweets,author_id"}
    newest = timeline(emulator, token, **fields)["data"][0]
    assert newest["conversation_id"] == parent
    assert newest["referenced_tweets"] == [{"type": "replied_to", "id": parent}]
    assert newest["author_id"] == USER_ID
    no_replies = timeline(emulator, token, exclude="replies")["data"]
    assert [t["text"] for t in no_replies] == ["Thread 1/2"]


def _customer(emulator, text: str, **body: object) -> str:
    """A post by another X user; its id."""
    other = emulator.control("POST", "users", {"platform": "x", "name": "Casey"})
    response = tweet(emulator, x_token(emulator, user=other["id"]), text, **body)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def test_self_serve_apps_reply_only_when_the_author_summoned_them(emulator, token):
    fixture = json.loads((CONTRACTS / "tweets_create_403_reply_not_summoned.json").read_text())
    unsummoned = _customer(emulator, "Coffee is overrated")
    refused = tweet(emulator, token, "Is it?", reply={"in_reply_to_tweet_id": unsummoned})
    assert (refused.status_code, refused.json()) == (fixture["status"], fixture["payload"])

    mention = _customer(emulator, "@DemoCo is it open?")
    ours = tweet(emulator, token, "Our menu").json()["data"]["id"]
    quote = _customer(emulator, "Look at this", quote_tweet_id=ours)
    for target in (mention, quote, ours):
        answer = tweet(emulator, token, f"Yes {target}", reply={"in_reply_to_tweet_id": target})
        assert answer.status_code == 201, answer.text

    behave(emulator, "x", api_plan="enterprise")  # Enterprise is not affected
    answer = tweet(emulator, token, "It is not", reply={"in_reply_to_tweet_id": unsummoned})
    assert answer.status_code == 201


def test_timeline_pages_and_validates(emulator, token):
    for n in range(6):
        tweet(emulator, token, f"post {n}")

    first = timeline(emulator, token, max_results="5")
    rest = timeline(emulator, token, max_results="5", pagination_token=first["meta"]["next_token"])
    since = timeline(emulator, token, since_id=first["data"][1]["id"])

    assert [t["text"] for t in first["data"]] == [f"post {n}" for n in (5, 4, 3, 2, 1)]
    assert [t["text"] for t in rest["data"]] == ["post 0"]
    assert "next_token" not in rest["meta"]
    assert [t["text"] for t in since["data"]] == ["post 5"]
    params = {"max_results": "4"}
    assert_problem(api(emulator, "GET", f"users/{USER_ID}/tweets", token, params=params), 400)
    params = {"tweet.fields": "likes"}
    assert_problem(api(emulator, "GET", f"users/{USER_ID}/tweets", token, params=params), 400)
    unknown = api(emulator, "GET", "users/42/tweets", token)
    assert unknown.json()["errors"][0]["resource_type"] == "user"
    assert timeline(emulator, token, start_time="2999-01-01T00:00:00Z") == {
        "meta": {"result_count": 0}
    }


def test_image_upload_in_one_request_then_attach(emulator, token):
    upload = api(
        emulator,
        "POST",
        "media/upload",
        token,
        data={"media_category": "tweet_image"},
        files={"media": ("cup.png", PNG, "image/png")},
    )

    assert upload.status_code == 200, upload.text
    media = upload.json()["data"]
    assert media["media_key"] == f"3_{media['id']}"
    assert "processing_info" not in media
    created = tweet(emulator, token, "With a picture", media={"media_ids": [media["id"]]})
    assert created.status_code == 201, created.text
    [post] = posts(emulator, "x")
    assert post["media"][0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    listed = timeline(emulator, token, **{"tweet.fields": "attachments"})
    assert listed["data"][0]["attachments"] == {"media_keys": [media["media_key"]]}


def test_video_upload_processes_before_it_can_be_attached(emulator, token):
    behave(emulator, "x", media_processing_polls=2)
    media_id = upload_video(emulator, token)

    finalized = api(emulator, "POST", f"media/upload/{media_id}/finalize", token).json()["data"]
    early = tweet(emulator, token, "Too soon", media={"media_ids": [media_id]})
    states = [media_status(emulator, token, media_id)["processing_info"]["state"] for _ in range(3)]
    created = tweet(emulator, token, "Now", media={"media_ids": [media_id]})

    assert finalized["processing_info"] == {"state": "pending", "check_after_secs": 1}
    assert finalized["size"] == len(VIDEO)
    assert "media IDs are invalid" in assert_problem(early, 400)["detail"]
    assert states == ["in_progress", "in_progress", "succeeded"]
    assert created.status_code == 201
    [post] = posts(emulator, "x")
    assert post["media"][0]["sha256"] == hashlib.sha256(VIDEO).hexdigest()


def test_video_processing_can_fail(emulator, token):
    behave(emulator, "x", media_processing_polls=0, media_processing_error="Unsupported codec")
    media_id = upload_video(emulator, token)
    api(emulator, "POST", f"media/upload/{media_id}/finalize", token)

    info = media_status(emulator, token, media_id)["processing_info"]

    assert (info["state"], info["error"]["message"]) == ("failed", "Unsupported codec")
    refused = tweet(emulator, token, "Broken", media={"media_ids": [media_id]})
    assert_problem(refused, 400)


def test_media_upload_validation(emulator, token):
    init = api(
        emulator,
        "POST",
        "media/upload/initialize",
        token,
        json={"media_type": "video/mp4", "total_bytes": 10, "media_category": "tweet_video"},
    )
    media_id = init.json()["data"]["id"]

    def append(index: int, chunk: bytes) -> requests.Response:
        return api(
            emulator,
            "POST",
            f"media/upload/{media_id}/append",
            token,
            data={"segment_index": str(index)},
            files={"media": ("c", chunk)},
        )

    assert_problem(append(1, b"12345"), 400)  # out of order
    assert append(0, b"12345").status_code == 200
    assert append(0, b"12345").status_code == 200  # the same segment again: a retry
    assert_problem(api(emulator, "POST", f"media/upload/{media_id}/finalize", token), 400)
    bad_type = {"media_type": "application/zip", "total_bytes": 10}
    assert_problem(api(emulator, "POST", "media/upload/initialize", token, json=bad_type), 400)
    too_big = {"media_type": "image/png", "total_bytes": 6 * 1024 * 1024}
    assert_problem(api(emulator, "POST", "media/upload/initialize", token, json=too_big), 400)
    retired = api(
        emulator,
        "POST",
        "media/upload",
        token,
        data={"command": "INIT"},
        files={"media": ("m", b"1")},
    )
    assert_problem(retired, 400)
    no_scope = x_token(emulator, "tweet.read tweet.write users.read")
    assert_problem(api(emulator, "POST", "media/upload/initialize", no_scope, json=too_big), 403)


def test_posting_needs_tweet_write(emulator):
    reader = x_token(emulator, "tweet.read users.read")

    assert_problem(tweet(emulator, reader, "Hello"), 403)
    assert posts(emulator, "x") == []


def test_delete_removes_the_post(emulator, token):
    post_id = tweet(emulator, token, "Oops").json()["data"]["id"]

    deleted = api(emulator, "DELETE", f"tweets/{post_id}", token)
    again = api(emulator, "DELETE", f"tweets/{post_id}", token)

    assert deleted.json() == {"data": {"deleted": True}}
    assert_problem(again, 404)
    assert posts(emulator, "x") == []
    assert timeline(emulator, token) == {"meta": {"result_count": 0}}


def test_accept_then_timeout_posts_and_a_retry_is_a_duplicate(emulator, token):
    emulator.fail_next("x", "x.tweets", "accept_then_timeout", delay=0.6)

    with pytest.raises(requests.ReadTimeout):
        api(emulator, "POST", "tweets", token, json={"text": "Launch day"}, timeout=0.2)
    retry = tweet(emulator, token, "Launch day")

    assert [t["text"] for t in timeline(emulator, token)["data"]] == ["Launch day"]
    assert_problem(retry, 403)
    assert len(posts(emulator, "x", USER_ID)) == 1


def test_drop_posts_then_closes_the_connection(emulator, token):
    emulator.fail_next("x", "x.tweets", "drop")

    with pytest.raises(requests.ConnectionError):
        tweet(emulator, token, "Dropped")

    assert [p["text"] for p in posts(emulator, "x")] == ["Dropped"]


def test_new_endpoints_carry_rate_limit_headers_and_take_faults(emulator, token):
    ok = tweet(emulator, token, "Counted")
    emulator.fail_next("x", "x.user_tweets", "rate_limit", reset_after=30)
    limited = api(emulator, "GET", f"users/{USER_ID}/tweets", token)

    assert ok.headers["x-rate-limit-limit"] == "100"
    assert ok.headers["x-rate-limit-remaining"] == "99"
    assert_problem(limited, 429)


def test_knobs_are_checked_and_reset_clears_posts_and_restarts_ids(emulator, token):
    first_id = tweet(emulator, token, "Before reset").json()["data"]["id"]
    knobs = behave(emulator, "x", media_processing_polls=3)

    emulator.control("POST", "reset")
    again = tweet(emulator, x_token(emulator), "After reset").json()["data"]["id"]

    assert knobs == {
        "media_processing_polls": 3,
        "media_processing_error": None,
        "api_plan": "self_serve",
    }
    assert again == first_id
    assert [p["text"] for p in posts(emulator)] == ["After reset"]
    assert emulator.control("GET", "behaviour")["x"]["media_processing_polls"] == 1
    for bad in ({"media_processing_polls": -1}, {"media_processing_polls": "2"}, {"no_such": 1}):
        response = requests.post(
            f"{emulator.url}/_control/behaviour", json={"platform": "x", **bad}, timeout=5
        )
        assert response.status_code == 400, bad
    bad_platform = requests.post(
        f"{emulator.url}/_control/behaviour", json={"platform": "myspace"}, timeout=5
    )
    assert bad_platform.status_code == 400


def test_media_limits_per_post_and_ownership(emulator, token):
    ids = []
    for n in range(5):
        upload = api(
            emulator,
            "POST",
            "media/upload",
            token,
            data={"media_category": "tweet_image"},
            files={"media": (f"{n}.png", PNG + bytes([n]), "image/png")},
        )
        ids.append(upload.json()["data"]["id"])
    other = emulator.control("POST", "users", {"platform": "x", "name": "Other"})
    stranger = x_token(emulator, user=other["id"])

    five = tweet(emulator, token, "Five", media={"media_ids": ids})
    theirs = tweet(emulator, stranger, "Not mine", media={"media_ids": ids[:1]})
    four = tweet(emulator, token, "Four", media={"media_ids": ids[:4]})
    not_yours = api(emulator, "DELETE", f"tweets/{four.json()['data']['id']}", stranger)

    assert_problem(five, 400)
    assert_problem(theirs, 400)
    assert four.status_code == 201
    assert_problem(not_yours, 403)

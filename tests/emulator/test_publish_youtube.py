"""Resumable uploads to the emulated YouTube, and reading the videos back."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.emulator.publishing import bearer, behave, google_token, posts

CHANNEL_ID = "UCdemo0000000000000000001"
UPLOAD = "/youtube-upload/v3/videos"
VIDEO = bytes(range(256)) * 3072  # 768 KiB
CHUNK = 256 * 1024


@pytest.fixture
def token(emulator) -> str:
    return google_token(emulator)


def metadata(title: str | None = "Latte art in 60 seconds", **status: object) -> dict:
    snippet = {"description": "How we pour", "tags": ["coffee", "latte"], "categoryId": "26"}
    if title is not None:
        snippet["title"] = title
    return {"snippet": snippet, "status": {"privacyStatus": "unlisted", **status}}


def start(emulator, token: str, body: dict | None = None, **headers: str) -> requests.Response:
    return requests.post(
        f"{emulator.url}{UPLOAD}",
        params={"uploadType": "resumable", "part": "snippet,status"},
        json=metadata() if body is None else body,
        headers={
            **bearer(token),
            "X-Upload-Content-Length": str(len(VIDEO)),
            "X-Upload-Content-Type": "video/mp4",
            **headers,
        },
        timeout=5,
    )


def session_uri(emulator, token: str, body: dict | None = None) -> str:
    response = start(emulator, token, body)
    assert response.status_code == 200, response.text
    return response.headers["Location"]


def put(token: str, uri: str, data: bytes, content_range: str | None = None, timeout: float = 5):
    headers = {"Content-Type": "video/mp4", **bearer(token)}
    if content_range:
        headers["Content-Range"] = content_range
    return requests.put(uri, data=data, headers=headers, timeout=timeout)


def api(emulator, path: str, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/youtube/v3/{path}", params=params, headers=bearer(token), timeout=5
    )


def assert_api_error(response: requests.Response, status: int, reason: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["errors"][0]["reason"]) == (status, reason)


def test_whole_file_upload_returns_the_video_and_lists_it(emulator, token):
    uri = session_uri(emulator, token)
    assert uri.startswith(f"{emulator.url}{UPLOAD}?uploadType=resumable&upload_id=")

    response = put(token, uri, VIDEO)

    assert response.status_code == 200, response.text
    video = response.json()
    assert video["kind"] == "youtube#video"
    assert video["snippet"]["title"] == "Latte art in 60 seconds"
    assert video["snippet"]["channelId"] == CHANNEL_ID
    assert video["status"]["privacyStatus"] == "unlisted"
    assert video["status"]["uploadStatus"] == "uploaded"
    [stored] = posts(emulator, "youtube", CHANNEL_ID)
    assert stored["permalink"] == f"https://www.youtube.com/watch?v={video['id']}"
    assert stored["media"][0]["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    listed = api(emulator, "videos", token, part="snippet,status", id=video["id"]).json()
    assert [item["snippet"]["title"] for item in listed["items"]] == ["Latte art in 60 seconds"]
    assert listed["items"][0]["status"]["uploadStatus"] == "processed"


def test_chunks_answer_308_with_the_range_until_complete(emulator, token):
    uri = session_uri(emulator, token)
    total = len(VIDEO)

    empty = put(token, uri, b"", f"bytes */{total}")
    first = put(token, uri, VIDEO[:CHUNK], f"bytes 0-{CHUNK - 1}/{total}")
    query = put(token, uri, b"", f"bytes */{total}")
    second = put(token, uri, VIDEO[CHUNK : 2 * CHUNK], f"bytes {CHUNK}-{2 * CHUNK - 1}/*")
    last = put(token, uri, VIDEO[2 * CHUNK :], f"bytes {2 * CHUNK}-{total - 1}/{total}")
    after = put(token, uri, b"", f"bytes */{total}")

    assert (empty.status_code, "Range" in empty.headers) == (308, False)
    assert (first.status_code, first.headers["Range"]) == (308, f"bytes=0-{CHUNK - 1}")
    assert (query.status_code, query.headers["Range"]) == (308, f"bytes=0-{CHUNK - 1}")
    assert second.headers["Range"] == f"bytes=0-{2 * CHUNK - 1}"
    assert last.status_code == 200
    assert after.status_code == 200
    assert after.json()["id"] == last.json()["id"]
    [stored] = posts(emulator, "youtube")
    assert stored["media"][0]["size"] == total
    assert stored["media"][0]["sha256"] == hashlib.sha256(VIDEO).hexdigest()


def test_resuming_skips_bytes_already_received_and_refuses_gaps(emulator, token):
    uri = session_uri(emulator, token)
    total = len(VIDEO)
    put(token, uri, VIDEO[:CHUNK], f"bytes 0-{CHUNK - 1}/{total}")

    gap = put(token, uri, VIDEO[2 * CHUNK :], f"bytes {2 * CHUNK}-{total - 1}/{total}")
    overlap = put(token, uri, VIDEO[CHUNK // 2 :], f"bytes {CHUNK // 2}-{total - 1}/{total}")
    wrong_total = put(
        token, session_uri(emulator, token), VIDEO, f"bytes 0-{total - 1}/{total + 1}"
    )

    assert_api_error(gap, 400, "badRequest")
    assert "exceeds already uploaded size" in gap.json()["error"]["message"]
    assert overlap.status_code == 200
    assert posts(emulator, "youtube")[0]["media"][0]["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert_api_error(wrong_total, 400, "badRequest")
    assert_api_error(put(token, f"{emulator.url}{UPLOAD}?upload_id=nope", VIDEO), 404, "notFound")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (metadata(title=None), "invalidTitle"),
        (metadata(title="x" * 101), "invalidTitle"),
        (metadata(title="a <b> title"), "invalidTitle"),
        ({"snippet": {"title": "t", "description": "<script>"}}, "invalidDescription"),
        ({"snippet": {"title": "t", "tags": ["x" * 501]}}, "invalidTags"),
        (metadata(privacyStatus="friends"), "invalidVideoMetadata"),
        (metadata(privacyStatus="private", publishAt="next tuesday"), "invalidPublishAt"),
    ],
)
def test_session_refuses_bad_metadata(emulator, token, body, reason):
    assert_api_error(start(emulator, token, body), 400, reason)


def test_session_checks_the_request(emulator, token):
    wrong_type = start(emulator, token, **{"X-Upload-Content-Type": "text/plain"})
    multipart = requests.post(
        f"{emulator.url}{UPLOAD}",
        params={"uploadType": "multipart", "part": "snippet"},
        json=metadata(),
        headers=bearer(token),
        timeout=5,
    )
    readonly = google_token(emulator, "https://www.googleapis.com/auth/youtube.readonly")
    no_channel_user = emulator.control(
        "POST", "users", {"platform": "google", "name": "No Channel"}
    )
    no_channel = google_token(emulator, user=no_channel_user["id"])

    assert_api_error(wrong_type, 400, "badContent")
    assert_api_error(multipart, 400, "badRequest")
    assert_api_error(start(emulator, readonly), 403, "insufficientPermissions")
    assert_api_error(start(emulator, no_channel), 401, "youtubeSignupRequired")


def test_publish_at_is_kept_for_private_videos_only(emulator, token):
    scheduled = put(
        token,
        session_uri(
            emulator, token, metadata(privacyStatus="private", publishAt="2030-01-01T10:00:00Z")
        ),
        VIDEO,
    )
    public = put(
        token,
        session_uri(
            emulator, token, metadata(privacyStatus="public", publishAt="2030-01-01T10:00:00Z")
        ),
        VIDEO,
    )

    assert scheduled.json()["status"]["publishAt"] == "2030-01-01T10:00:00Z"
    assert "publishAt" not in public.json()["status"]


def test_an_unaudited_project_uploads_private(emulator, token):
    behave(emulator, "google", force_private=True)

    video = put(token, session_uri(emulator, token, metadata(privacyStatus="public")), VIDEO).json()

    assert video["status"]["privacyStatus"] == "private"


def test_search_for_mine_lists_newest_first(emulator, token):
    for title in ("First video", "Second video"):
        put(token, session_uri(emulator, token, metadata(title)), VIDEO)
        emulator.control("POST", "clock", {"advance": 1})

    found = api(
        emulator, "search", token, forMine="true", type="video", order="date", part="snippet"
    )
    paged = api(
        emulator, "search", token, forMine="true", type="video", part="snippet", maxResults="1"
    )
    rest = api(
        emulator,
        "search",
        token,
        forMine="true",
        type="video",
        part="snippet",
        maxResults="1",
        pageToken=paged.json()["nextPageToken"],
    )

    assert [item["snippet"]["title"] for item in found.json()["items"]] == [
        "Second video",
        "First video",
    ]
    assert found.json()["items"][0]["id"]["kind"] == "youtube#video"
    assert [item["snippet"]["title"] for item in rest.json()["items"]] == ["First video"]
    assert "nextPageToken" not in rest.json()
    assert_api_error(
        api(emulator, "search", token, forMine="true", part="snippet"), 400, "invalidSearchFilter"
    )
    assert_api_error(
        api(emulator, "videos", token, part="snippet"), 400, "missingRequiredParameter"
    )


def test_private_videos_are_visible_to_their_owner_only(emulator, token):
    video = put(
        token, session_uri(emulator, token, metadata(privacyStatus="private")), VIDEO
    ).json()
    other = emulator.control(
        "POST", "users", {"platform": "google", "name": "Other", "channel": {"title": "Other TV"}}
    )
    stranger = google_token(emulator, user=other["id"])

    mine = api(emulator, "videos", token, part="status", id=video["id"]).json()["items"]
    theirs = api(emulator, "videos", stranger, part="status", id=video["id"]).json()["items"]

    assert [item["id"] for item in mine] == [video["id"]]
    assert theirs == []


def test_accept_then_timeout_on_the_upload_then_a_resume_query_finds_the_video(emulator, token):
    uri = session_uri(emulator, token)
    emulator.fail_next("google", "youtube.upload", "accept_then_timeout", delay=0.6)

    with pytest.raises(requests.ReadTimeout):
        put(token, uri, VIDEO, timeout=0.2)
    resumed = put(token, uri, b"", f"bytes */{len(VIDEO)}")

    assert resumed.status_code == 200
    assert [p["id"] for p in posts(emulator, "youtube")] == [resumed.json()["id"]]
    found = api(emulator, "search", token, forMine="true", type="video", part="snippet").json()
    assert len(found["items"]) == 1


def test_error_faults_use_the_google_shape(emulator, token):
    emulator.fail_next("google", "youtube.upload_session", "rate_limit")

    assert_api_error(start(emulator, token), 403, "rateLimitExceeded")


def test_list_parameters_are_checked(emulator, token):
    assert_api_error(api(emulator, "videos", token, part="fileDetails", id="x"), 400, "unknownPart")
    assert_api_error(
        api(
            emulator, "search", token, forMine="true", type="video", part="snippet", maxResults="51"
        ),
        400,
        "invalidParameter",
    )
    assert_api_error(api(emulator, "search", token, part="status"), 400, "unknownPart")


def test_every_put_to_the_session_needs_the_bearer_token(emulator, token):
    """The resumable guide sends Authorization on the upload and on the status query."""
    uri = session_uri(emulator, token)

    anonymous = requests.put(uri, data=VIDEO, headers={"Content-Type": "video/mp4"}, timeout=5)
    probe = requests.put(
        uri, data=b"", headers={"Content-Range": f"bytes */{len(VIDEO)}"}, timeout=5
    )
    wrong = put("ya29.not-a-token", uri, VIDEO)

    assert_api_error(anonymous, 401, "required")
    assert anonymous.json()["error"]["errors"][0]["location"] == "Authorization"
    assert_api_error(probe, 401, "required")
    assert_api_error(wrong, 401, "authError")
    assert posts(emulator, "youtube") == []
    assert put(token, uri, VIDEO).status_code == 200

"""The emulated YouTube inbox: comments found by polling commentThreads, replies with
comments.insert."""

from __future__ import annotations

import requests

from tests.emulator.publishing import GOOGLE_SCOPES, bearer, google_token

CHANNEL = "UCdemo0000000000000000001"
VIEWER = {"id": "UCviewer000000000000000042", "name": "Casey Viewer"}


def upload_video(emulator, token: str) -> str:
    data = b"\0" * 1024
    session = requests.post(
        f"{emulator.url}/youtube-upload/v3/videos",
        params={"uploadType": "resumable", "part": "snippet,status"},
        json={"snippet": {"title": "Latte art"}, "status": {"privacyStatus": "public"}},
        headers={
            **bearer(token),
            "X-Upload-Content-Length": str(len(data)),
            "X-Upload-Content-Type": "video/mp4",
        },
        timeout=5,
    )
    video = requests.put(session.headers["Location"], data=data, timeout=5)
    return video.json()["id"]


def comment(emulator, video: str, text: str) -> dict:
    payload = {
        "platform": "google",
        "kind": "comment",
        "account_id": CHANNEL,
        "post_id": video,
        "from": VIEWER,
        "text": text,
    }
    return emulator.control("POST", "inbound", payload)


def threads(emulator, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/youtube/v3/commentThreads",
        params={"part": "snippet,replies", **params},
        headers=bearer(token),
        timeout=5,
    )


def test_comments_appear_in_the_polled_listing_and_replies_are_recorded(emulator):
    token = google_token(emulator)
    video = upload_video(emulator, token)
    assert threads(emulator, token, allThreadsRelatedToChannelId=CHANNEL).json()["items"] == []
    first = comment(emulator, video, "How long did this take?")
    emulator.control("POST", "clock", {"advance": 60})
    second = comment(emulator, video, "Beautiful")
    assert first["webhook"] is None
    assert first["deliveries"] == []
    listing = threads(emulator, token, allThreadsRelatedToChannelId=CHANNEL).json()
    assert listing["kind"] == "youtube#commentThreadListResponse"
    assert [item["id"] for item in listing["items"]] == [second["id"], first["id"]]
    top = listing["items"][1]["snippet"]["topLevelComment"]["snippet"]
    assert top["textOriginal"] == "How long did this take?"
    assert top["videoId"] == video
    assert top["authorChannelId"] == {"value": VIEWER["id"]}
    paged = threads(emulator, token, videoId=video, maxResults="1").json()
    assert len(paged["items"]) == 1
    assert paged["nextPageToken"]

    reply = requests.post(
        f"{emulator.url}/youtube/v3/comments",
        params={"part": "snippet"},
        json={"snippet": {"parentId": first["id"], "textOriginal": "About a minute!"}},
        headers=bearer(token),
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["snippet"]["parentId"] == first["id"]
    thread = threads(emulator, token, videoId=video).json()["items"][1]
    assert thread["snippet"]["totalReplyCount"] == 1
    assert thread["replies"]["comments"][0]["snippet"]["textOriginal"] == "About a minute!"
    sent = emulator.control("GET", "replies?platform=google")
    assert [(r["text"], r["in_reply_to"]) for r in sent] == [("About a minute!", first["id"])]


def test_what_youtube_refuses(emulator):
    token = google_token(emulator)
    video = upload_video(emulator, token)
    assert threads(emulator, token).json()["error"]["errors"][0]["reason"] == (
        "missingRequiredParameter"
    )
    url = f"{emulator.url}/youtube/v3/comments"
    unknown = requests.post(
        url,
        params={"part": "snippet"},
        json={"snippet": {"parentId": "nope", "textOriginal": "Hi"}},
        headers=bearer(token),
        timeout=5,
    )
    assert unknown.status_code == 404
    read_only = google_token(
        emulator, GOOGLE_SCOPES.replace("youtube.force-ssl", "youtube.readonly")
    )
    thread = comment(emulator, video, "Hi")
    denied = requests.post(
        url,
        params={"part": "snippet"},
        json={"snippet": {"parentId": thread["id"], "textOriginal": "Hi"}},
        headers=bearer(read_only),
        timeout=5,
    )
    assert denied.status_code == 403
    no_text = requests.post(
        url,
        params={"part": "snippet"},
        json={"snippet": {"parentId": thread["id"]}},
        headers=bearer(token),
        timeout=5,
    )
    assert no_text.json()["error"]["errors"][0]["reason"] == "commentTextRequired"
    message = {"platform": "google", "kind": "message", "account_id": CHANNEL, "from": VIEWER}
    refused = requests.post(
        f"{emulator.url}/_control/inbound", json={**message, "text": "x"}, timeout=5
    )
    assert refused.status_code == 400

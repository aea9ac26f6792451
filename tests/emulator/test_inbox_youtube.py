"""The emulated YouTube inbox: comments found by polling commentThreads, replies with
comments.insert."""

from __future__ import annotations

import json
from pathlib import Path

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
    video = requests.put(session.headers["Location"], data=data, headers=bearer(token), timeout=5)
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
    assert top["textDisplay"] == "How long did this take?"
    assert "textOriginal" not in top  # only the comment's author gets it
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


def reply_as_viewer(emulator, thread_id: str, text: str, viewer: dict = VIEWER) -> dict:
    payload = {
        "platform": "google",
        "kind": "comment",
        "account_id": CHANNEL,
        "parent_id": thread_id,
        "from": viewer,
        "text": text,
    }
    return emulator.control("POST", "inbound", payload)


def reply_as_channel(emulator, token: str, thread_id: str, text: str) -> requests.Response:
    return requests.post(
        f"{emulator.url}/youtube/v3/comments",
        params={"part": "snippet"},
        json={"snippet": {"parentId": thread_id, "textOriginal": text}},
        headers=bearer(token),
        timeout=5,
    )


def replies_of(emulator, token: str, parent: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/youtube/v3/comments",
        params={"part": "snippet", "parentId": parent, **params},
        headers=bearer(token),
        timeout=5,
    )


def test_text_display_is_html_unless_plain_text_is_asked(emulator):
    token = google_token(emulator)
    text = "Tips & tricks: <b>see</b> https://example.com/a?b=1&c=2\nThanks"
    thread = comment(emulator, upload_video(emulator, token), text)

    html = threads(emulator, token, id=thread["id"]).json()["items"][0]
    plain = threads(emulator, token, id=thread["id"], textFormat="plainText").json()["items"][0]
    wrong = threads(emulator, token, id=thread["id"], textFormat="markdown")

    html_top = html["snippet"]["topLevelComment"]["snippet"]
    assert html_top["textDisplay"] == (
        "Tips &amp; tricks: &lt;b&gt;see&lt;/b&gt; "
        '<a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>'
        "<br>Thanks"
    )
    plain_top = plain["snippet"]["topLevelComment"]["snippet"]
    assert plain_top["textDisplay"] == text
    assert "textOriginal" not in plain_top
    assert wrong.status_code == 400


def test_the_author_of_a_reply_gets_its_text_original(emulator):
    token = google_token(emulator)
    thread = comment(emulator, upload_video(emulator, token), "Open on Sundays?")
    assert reply_as_channel(emulator, token, thread["id"], "Yes, <9 to 5>").status_code == 200

    listed = threads(emulator, token, id=thread["id"]).json()["items"][0]

    [ours] = listed["replies"]["comments"]
    assert ours["snippet"]["textOriginal"] == "Yes, <9 to 5>"
    assert ours["snippet"]["textDisplay"] == "Yes, &lt;9 to 5&gt;"
    assert "textOriginal" not in listed["snippet"]["topLevelComment"]["snippet"]


def test_threads_hold_some_replies_and_comments_list_has_them_all(emulator):
    token = google_token(emulator)
    thread = comment(emulator, upload_video(emulator, token), "Question")
    sent = [reply_as_viewer(emulator, thread["id"], f"Reply {n}")["id"] for n in range(7)]

    listed = threads(emulator, token, id=thread["id"]).json()["items"][0]
    first = replies_of(emulator, token, thread["id"], maxResults="5").json()
    rest = replies_of(
        emulator, token, thread["id"], maxResults="5", pageToken=first["nextPageToken"]
    ).json()

    assert listed["snippet"]["totalReplyCount"] == 7
    assert len(listed["replies"]["comments"]) == 5
    assert first["kind"] == "youtube#commentListResponse"
    assert [c["id"] for c in first["items"] + rest["items"]] == sent
    assert all(c["snippet"]["parentId"] == thread["id"] for c in first["items"])
    assert "nextPageToken" not in rest
    assert replies_of(emulator, token, "nope").status_code == 404


def test_order_time_is_when_the_thread_started_not_its_last_reply(emulator):
    token = google_token(emulator)
    video = upload_video(emulator, token)
    old = comment(emulator, video, "Old thread")
    emulator.control("POST", "clock", {"advance": 60})
    new = comment(emulator, video, "New thread")
    emulator.control("POST", "clock", {"advance": 60})
    reply_as_viewer(emulator, old["id"], "A late reply")

    listing = threads(emulator, token, allThreadsRelatedToChannelId=CHANNEL, order="time").json()

    assert [t["id"] for t in listing["items"]] == [new["id"], old["id"]]
    assert listing["items"][1]["snippet"]["totalReplyCount"] == 1


def test_thread_filters_are_exactly_one(emulator):
    token = google_token(emulator)
    video = upload_video(emulator, token)
    first, second = comment(emulator, video, "One"), comment(emulator, video, "Two")

    by_id = threads(emulator, token, id=f"{first['id']},{second['id']},nope").json()
    both = threads(emulator, token, videoId=video, allThreadsRelatedToChannelId=CHANNEL)

    assert [t["id"] for t in by_id["items"]] == [first["id"], second["id"]]
    assert both.status_code == 400
    assert threads(emulator, token, videoId=video, order="newest").status_code == 400


def test_a_viewer_reply_needs_a_thread_of_that_channel(emulator):
    refused = requests.post(
        f"{emulator.url}/_control/inbound",
        json={
            "platform": "google",
            "kind": "comment",
            "account_id": CHANNEL,
            "parent_id": "nope",
            "from": VIEWER,
            "text": "Hi",
        },
        timeout=5,
    )

    assert refused.status_code == 400


QUOTA_FIXTURE = Path(__file__).parents[1] / "contracts" / "youtube" / "error_quotaExceeded_403.json"


def test_replies_cost_50_units_and_an_exhausted_project_gets_quota_exceeded(emulator):
    token = google_token(emulator)
    thread = comment(emulator, upload_video(emulator, token), "Hi")
    emulator.control("POST", "behaviour", {"platform": "google", "daily_quota": 52})

    answered = reply_as_channel(emulator, token, thread["id"], "Hello!")  # 50
    missing = threads(emulator, token)  # an invalid request costs too: 51
    listed = threads(emulator, token, id=thread["id"])  # 52
    refused = threads(emulator, token, id=thread["id"])
    refused_reply = reply_as_channel(emulator, token, thread["id"], "Again")

    assert answered.status_code == 200
    assert missing.status_code == 400
    assert listed.status_code == 200
    assert refused.status_code == 403
    assert refused.json() == json.loads(QUOTA_FIXTURE.read_text())["payload"]
    assert refused_reply.status_code == 403
    assert len(emulator.control("GET", "replies?platform=youtube")) == 1

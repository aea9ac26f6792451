"""Publishing to Facebook Pages and Instagram on the emulated Graph, and reading it back."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.emulator.publishing import behave, meta_page_tokens, meta_user_token, posts

GRAPH = "/graph/v25.0"
COFFEE, BAKERY, COFFEE_IG = "20000000000001", "20000000000002", "17841400000000001"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(200) * 50


@pytest.fixture
def page_token(emulator) -> str:
    return meta_page_tokens(emulator)[COFFEE]


def call(emulator, method: str, path: str, token: str | None, **kwargs: object):
    params = kwargs.pop("params", {})
    if token:
        params["access_token"] = token
    url = f"{emulator.url}{GRAPH}/{path}"
    return requests.request(method, url, params=params, timeout=kwargs.pop("timeout", 5), **kwargs)


def assert_graph_error(response, status: int, code: int, subcode: int | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"], error.get("error_subcode")) == (
        "OAuthException",
        code,
        subcode,
    )
    return error


def publish_image(emulator, token: str, url: str, caption: str = "Fresh beans") -> str:
    """Create an image container and publish it (instagram_container_polls must be 0)."""
    created = call(
        emulator, "POST", f"{COFFEE_IG}/media", token, data={"image_url": url, "caption": caption}
    )
    assert created.status_code == 200, created.text
    published = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media_publish",
        token,
        data={"creation_id": created.json()["id"]},
    )
    assert published.status_code == 200, published.text
    return published.json()["id"]


# --- Facebook Pages ------------------------------------------------------------------------


def test_feed_posts_come_back_newest_first_with_their_text(emulator, page_token):
    first = call(emulator, "POST", f"{COFFEE}/feed", page_token, data={"message": "Open at 8"})
    second = call(
        emulator,
        "POST",
        f"{COFFEE}/feed",
        page_token,
        json={"message": "New roast", "link": "https://democo.example/roast"},
    )

    assert first.status_code == second.status_code == 200
    first_id, second_id = first.json()["id"], second.json()["id"]
    assert first_id.startswith(f"{COFFEE}_")
    assert second_id != first_id
    fields = "id,message,created_time,permalink_url"
    listed = call(
        emulator, "GET", f"{COFFEE}/published_posts", page_token, params={"fields": fields}
    )
    data = listed.json()["data"]
    assert [(p["id"], p["message"]) for p in data] == [
        (second_id, "New roast"),
        (first_id, "Open at 8"),
    ]
    assert data[0]["permalink_url"] == (
        f"https://www.facebook.com/{COFFEE}/posts/{second_id.split('_')[1]}"
    )
    assert data[0]["created_time"].endswith("+0000")
    node = call(emulator, "GET", first_id, page_token, params={"fields": fields}).json()
    assert node == data[1]
    for edge in ("posts", "feed"):
        assert (
            call(emulator, "GET", f"{COFFEE}/{edge}", page_token).json()["data"][0]["id"]
            == second_id
        )
    [one, two] = posts(emulator, "facebook", COFFEE)
    assert (one["id"], one["text"], one["media_count"]) == (first_id, "Open at 8", 0)
    assert two["permalink"] == data[0]["permalink_url"]


def test_the_post_listing_pages_with_limit_and_next(emulator, page_token):
    for n in range(3):
        call(emulator, "POST", f"{COFFEE}/feed", page_token, data={"message": f"post {n}"})

    page = call(
        emulator, "GET", f"{COFFEE}/published_posts", page_token, params={"limit": 2}
    ).json()
    rest = requests.get(page["paging"]["next"], timeout=5).json()

    assert [p["message"] for p in page["data"]] == ["post 2", "post 1"]
    assert [p["message"] for p in rest["data"]] == ["post 0"]
    assert "next" not in rest["paging"]


def test_feed_refuses_what_facebook_refuses(emulator, page_token):
    without_scope = meta_page_tokens(emulator, "pages_show_list")[COFFEE]
    user_token = meta_user_token(emulator)

    assert_graph_error(call(emulator, "POST", f"{COFFEE}/feed", page_token, data={}), 400, 100)
    call(emulator, "POST", f"{COFFEE}/feed", page_token, data={"message": "Same"})
    duplicate = call(emulator, "POST", f"{COFFEE}/feed", page_token, data={"message": "Same"})
    assert_graph_error(duplicate, 400, 506)
    bad_link = call(emulator, "POST", f"{COFFEE}/feed", page_token, data={"link": "not a url"})
    assert_graph_error(bad_link, 400, 100)
    other_page = call(emulator, "POST", f"{BAKERY}/feed", page_token, data={"message": "Hi"})
    assert_graph_error(other_page, 400, 100, 33)
    no_scope = call(emulator, "POST", f"{COFFEE}/feed", without_scope, data={"message": "Hi"})
    assert_graph_error(no_scope, 403, 200)
    with_user_token = call(emulator, "POST", f"{COFFEE}/feed", user_token, data={"message": "Hi"})
    assert_graph_error(with_user_token, 400, 210)
    unknown_field = call(
        emulator, "POST", f"{COFFEE}/feed", page_token, data={"message": "Hi", "fields": "likes"}
    )
    assert_graph_error(unknown_field, 400, 100)
    scheduled = call(
        emulator,
        "POST",
        f"{COFFEE}/feed",
        page_token,
        data={"message": "Later", "published": "false", "scheduled_publish_time": "2000000000"},
    )
    assert_graph_error(scheduled, 400, 100)
    assert len(posts(emulator, "facebook")) == 1


def test_publish_calls_can_ask_for_the_permalink(emulator, page_token):
    response = call(
        emulator,
        "POST",
        f"{COFFEE}/feed",
        page_token,
        data={"message": "Link back", "fields": "id,permalink_url"},
    )

    [post] = posts(emulator, "facebook")
    assert response.json() == {"id": post["id"], "permalink_url": post["permalink"]}


def test_photo_from_a_url_is_downloaded_and_posted(emulator, page_token, media):
    url = media.add("/pics/latte.jpg", JPEG)

    response = call(
        emulator, "POST", f"{COFFEE}/photos", page_token, data={"url": url, "caption": "Latte art"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"id": body["id"], "post_id": f"{COFFEE}_{body['id']}"}
    [post] = posts(emulator, "facebook")
    assert (post["id"], post["text"], post["media_count"]) == (body["post_id"], "Latte art", 1)
    assert post["media"][0]["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert post["media"][0]["source"] == url
    photo = call(
        emulator, "GET", body["id"], page_token, params={"fields": "id,name,page_story_id"}
    )
    assert photo.json() == {"id": body["id"], "name": "Latte art", "page_story_id": body["post_id"]}


def test_unpublished_photos_attach_to_one_feed_post(emulator, page_token):
    ids = []
    for n in range(2):
        upload = call(
            emulator,
            "POST",
            f"{COFFEE}/photos",
            page_token,
            data={"published": "false"},
            files={"source": (f"p{n}.jpg", JPEG + bytes([n]), "image/jpeg")},
        )
        assert set(upload.json()) == {"id"}
        ids.append(upload.json()["id"])
    indexed = {f"attached_media[{i}]": f'{{"media_fbid":"{pid}"}}' for i, pid in enumerate(ids)}

    response = call(
        emulator, "POST", f"{COFFEE}/feed", page_token, data={"message": "Two cups", **indexed}
    )
    again = call(
        emulator,
        "POST",
        f"{COFFEE}/feed",
        page_token,
        json={"message": "x", "attached_media": [{"media_fbid": pid} for pid in ids]},
    )

    assert response.status_code == 200, response.text
    [post] = posts(emulator, "facebook")
    assert (post["id"], post["media_count"]) == (response.json()["id"], 2)
    assert [r["files"]["source"]["size"] for r in emulator.requests("meta", "meta.photos")] == [
        len(JPEG) + 1
    ] * 2
    assert_graph_error(again, 400, 100)  # each unpublished photo is used once


def test_a_media_url_that_fails_fails_the_call(emulator, page_token, media):
    behave(emulator, "meta", media_fetch_timeout=0.3)
    missing = call(
        emulator, "POST", f"{COFFEE}/photos", page_token, data={"url": media.url("/none.jpg")}
    )
    silent = call(emulator, "POST", f"{COFFEE}/photos", page_token, data={"url": media.silent_url})
    video = call(
        emulator, "POST", f"{COFFEE}/videos", page_token, data={"file_url": media.url("/none.mp4")}
    )

    assert_graph_error(missing, 400, 324)
    assert_graph_error(silent, 400, 324)
    assert_graph_error(video, 400, 389, 1363057)
    assert posts(emulator) == []


def test_video_from_a_url(emulator, page_token, media):
    url = media.add("/clips/pour.mp4", MP4, "video/mp4")

    response = call(
        emulator,
        "POST",
        f"{COFFEE}/videos",
        page_token,
        data={"file_url": url, "description": "The pour", "title": "Pour"},
    )

    assert response.status_code == 200, response.text
    video_id = response.json()["id"]
    [post] = posts(emulator, "facebook")
    assert (post["kind"], post["text"], post["details"]["video_id"]) == (
        "added_video",
        "The pour",
        video_id,
    )
    status = call(emulator, "GET", video_id, page_token, params={"fields": "status,title"}).json()
    assert status == {
        "status": {"video_status": "ready", "processing_progress": 100},
        "title": "Pour",
    }
    # The feed post is its own object, named by the Video's post_id.
    video = call(emulator, "GET", video_id, page_token, params={"fields": "post_id,permalink_url"})
    assert video.json() == {"post_id": post["id"], "permalink_url": post["permalink"]}
    assert post["id"].startswith(f"{COFFEE}_")
    assert post["id"] != f"{COFFEE}_{video_id}"


def test_accept_then_timeout_still_publishes(emulator, page_token):
    emulator.fail_next("meta", "meta.feed", "accept_then_timeout", delay=1)

    with pytest.raises(requests.ReadTimeout):
        call(
            emulator,
            "POST",
            f"{COFFEE}/feed",
            page_token,
            data={"message": "Did it go?"},
            timeout=0.3,
        )

    listed = call(emulator, "GET", f"{COFFEE}/published_posts", page_token).json()["data"]
    assert [p["message"] for p in listed] == ["Did it go?"]
    assert len(posts(emulator, "meta", COFFEE)) == 1


def test_drop_closes_the_connection_after_publishing(emulator, page_token, media):
    emulator.fail_next("meta", "meta.photos", "drop")
    url = media.add("/pics/drop.jpg", JPEG)

    with pytest.raises(requests.ConnectionError):
        call(
            emulator,
            "POST",
            f"{COFFEE}/photos",
            page_token,
            data={"url": url, "caption": "Dropped"},
        )

    assert [p["text"] for p in posts(emulator)] == ["Dropped"]


# --- Instagram -----------------------------------------------------------------------------


def test_image_container_waits_then_publishes_once(emulator, page_token, media):
    behave(emulator, "meta", instagram_container_polls=2)
    url = media.add("/ig/cup.jpg", JPEG)
    container = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"image_url": url, "caption": "Cup #coffee"},
    ).json()["id"]

    def status() -> dict:
        return call(
            emulator, "GET", container, page_token, params={"fields": "status_code,status"}
        ).json()

    def publish():
        return call(
            emulator,
            "POST",
            f"{COFFEE_IG}/media_publish",
            page_token,
            data={"creation_id": container},
        )

    assert status()["status_code"] == "IN_PROGRESS"
    assert_graph_error(publish(), 400, 9007, 2207027)
    assert status()["status_code"] == "IN_PROGRESS"
    assert status() == {
        "status_code": "FINISHED",
        "status": "Finished: Media has been uploaded and it is complete.",
    }
    published = publish()
    assert published.status_code == 200, published.text
    assert_graph_error(publish(), 400, 9004, 2207008)
    assert status()["status_code"] == "PUBLISHED"

    media_id = published.json()["id"]
    fields = "id,caption,media_type,permalink,timestamp"
    listed = call(
        emulator, "GET", f"{COFFEE_IG}/media", page_token, params={"fields": fields}
    ).json()
    [item] = listed["data"]
    assert (item["id"], item["caption"], item["media_type"]) == (media_id, "Cup #coffee", "IMAGE")
    assert item["permalink"].startswith("https://www.instagram.com/p/")
    assert item["timestamp"].endswith("+0000")
    node = call(
        emulator, "GET", media_id, page_token, params={"fields": "permalink,caption"}
    ).json()
    assert node == {"permalink": item["permalink"], "caption": "Cup #coffee"}
    [post] = posts(emulator, "instagram", COFFEE_IG)
    assert post["media"][0]["sha256"] == hashlib.sha256(JPEG).hexdigest()


def test_reels_and_carousels(emulator, page_token, media):
    behave(emulator, "meta", instagram_container_polls=0)
    video = media.add("/ig/reel.mp4", MP4, "video/mp4")
    image = media.add("/ig/one.jpg", JPEG)
    reel = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"media_type": "REELS", "video_url": video, "caption": "Reel"},
    ).json()["id"]
    children = [
        call(
            emulator,
            "POST",
            f"{COFFEE_IG}/media",
            page_token,
            data={"is_carousel_item": "true", "image_url": image},
        ).json()["id"]
        for _ in range(2)
    ]
    lonely = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"media_type": "CAROUSEL", "children": children[0]},
    )
    carousel = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"media_type": "CAROUSEL", "children": ",".join(children), "caption": "Both"},
    ).json()["id"]
    child_publish = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media_publish",
        page_token,
        data={"creation_id": children[0]},
    )

    for container in (reel, carousel):
        response = call(
            emulator,
            "POST",
            f"{COFFEE_IG}/media_publish",
            page_token,
            data={"creation_id": container},
        )
        assert response.status_code == 200, response.text

    assert_graph_error(lonely, 400, 100)
    assert_graph_error(child_publish, 400, 100)
    listed = call(
        emulator,
        "GET",
        f"{COFFEE_IG}/media",
        page_token,
        params={"fields": "caption,media_type,permalink"},
    ).json()["data"]
    assert [(m["caption"], m["media_type"]) for m in listed] == [
        ("Both", "CAROUSEL_ALBUM"),
        ("Reel", "VIDEO"),
    ]
    assert "/reel/" in listed[1]["permalink"]
    assert [p["media_count"] for p in posts(emulator, "instagram")] == [1, 2]


def test_container_validation(emulator, page_token, media):
    image = media.add("/ig/v.jpg", JPEG)
    cases = [
        {"caption": "no image"},
        {"image_url": image, "caption": " ".join(f"#tag{n}" for n in range(31))},
        {"image_url": image, "caption": "x" * 2201},
        {"media_type": "VIDEO", "video_url": image},
        {"media_type": "REELS", "image_url": image},
    ]
    for data in cases:
        response = call(emulator, "POST", f"{COFFEE_IG}/media", page_token, data=data)
        assert_graph_error(response, 400, 100)
    unknown = call(
        emulator, "POST", f"{COFFEE_IG}/media_publish", page_token, data={"creation_id": "1"}
    )
    assert_graph_error(unknown, 400, 100)


def test_container_can_end_in_error(emulator, page_token, media):
    behave(
        emulator, "meta", instagram_container_polls=0, instagram_container_error="Video too short"
    )
    container = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"image_url": media.add("/ig/e.jpg", JPEG)},
    ).json()["id"]

    status = call(emulator, "GET", container, page_token, params={"fields": "status_code,status"})
    publish = call(
        emulator, "POST", f"{COFFEE_IG}/media_publish", page_token, data={"creation_id": container}
    )

    assert status.json() == {"status_code": "ERROR", "status": "Error: Video too short"}
    assert_graph_error(publish, 400, 9007, 2207027)


def test_media_download_failures_give_instagrams_errors(emulator, page_token, media):
    behave(emulator, "meta", media_fetch_timeout=0.3)

    missing = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"image_url": media.url("/gone.jpg")},
    )
    silent = call(
        emulator, "POST", f"{COFFEE_IG}/media", page_token, data={"image_url": media.silent_url}
    )

    error = assert_graph_error(missing, 400, 9004, 2207052)
    assert error["error_user_title"] == "Media download has failed."
    assert_graph_error(silent, 400, -2, 2207003)


def test_publishing_quota(emulator, page_token, media):
    behave(emulator, "meta", instagram_container_polls=0, instagram_publish_quota=1)
    url = media.add("/ig/q.jpg", JPEG)
    publish_image(emulator, page_token, url)
    container = call(
        emulator, "POST", f"{COFFEE_IG}/media", page_token, data={"image_url": url}
    ).json()["id"]

    refused = call(
        emulator, "POST", f"{COFFEE_IG}/media_publish", page_token, data={"creation_id": container}
    )
    limit = call(
        emulator,
        "GET",
        f"{COFFEE_IG}/content_publishing_limit",
        page_token,
        params={"fields": "quota_usage,config"},
    )

    assert_graph_error(refused, 400, 9, 2207042)
    assert limit.json() == {
        "data": [{"quota_usage": 1, "config": {"quota_total": 1, "quota_duration": 86400}}]
    }


def test_instagram_needs_its_publish_permission(emulator, media):
    token = meta_page_tokens(emulator, "pages_show_list,instagram_basic")[COFFEE]

    response = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        token,
        data={"image_url": media.add("/ig/p.jpg", JPEG)},
    )

    assert_graph_error(response, 403, 10)


def test_accept_then_timeout_on_media_publish(emulator, page_token, media):
    behave(emulator, "meta", instagram_container_polls=0)
    container = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"image_url": media.add("/ig/t.jpg", JPEG), "caption": "Timed out"},
    ).json()["id"]
    emulator.fail_next("meta", "meta.ig_publish", "accept_then_timeout", delay=1)

    with pytest.raises(requests.ReadTimeout):
        call(
            emulator,
            "POST",
            f"{COFFEE_IG}/media_publish",
            page_token,
            data={"creation_id": container},
            timeout=0.3,
        )

    status = call(emulator, "GET", container, page_token, params={"fields": "status_code"}).json()
    assert status["status_code"] == "PUBLISHED"  # look before you retry
    assert [p["text"] for p in posts(emulator, "instagram")] == ["Timed out"]


def test_error_faults_on_the_new_endpoints_use_the_graph_shape(emulator, page_token):
    emulator.fail_next("meta", "meta.ig_container", "rate_limit")
    emulator.fail_next("meta", "meta.posts", "server")

    limited = call(
        emulator, "GET", "17889000000000001", page_token, params={"fields": "status_code"}
    )
    broken = call(emulator, "GET", f"{COFFEE}/published_posts", page_token)

    assert_graph_error(limited, 403, 4)
    assert assert_graph_error(broken, 500, 2)["is_transient"] is True


def test_photo_size_and_presence_are_checked(emulator, page_token):
    big = {"source": ("big.jpg", bytes(4 * 1024 * 1024 + 1), "image/jpeg")}

    too_big = call(emulator, "POST", f"{COFFEE}/photos", page_token, files=big)
    nothing = call(emulator, "POST", f"{COFFEE}/photos", page_token, data={"caption": "No file"})
    no_video = call(emulator, "POST", f"{COFFEE}/videos", page_token, data={"title": "No file"})

    assert_graph_error(too_big, 400, 100, 1366046)
    assert_graph_error(nothing, 400, 324)
    assert_graph_error(no_video, 400, 100)
    assert posts(emulator) == []


def test_containers_expire_and_stories_stay_off_the_media_edge(emulator, page_token, media):
    behave(emulator, "meta", instagram_container_polls=0)
    url = media.add("/ig/s.jpg", JPEG)
    old = call(emulator, "POST", f"{COFFEE_IG}/media", page_token, data={"image_url": url})
    story = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media",
        page_token,
        data={"media_type": "STORIES", "image_url": url},
    )
    published = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media_publish",
        page_token,
        data={"creation_id": story.json()["id"]},
    )
    emulator.control("POST", "clock", {"advance": 86401})
    fresh = meta_page_tokens(emulator)[COFFEE]  # the first token expired with the clock

    expired = call(
        emulator,
        "POST",
        f"{COFFEE_IG}/media_publish",
        fresh,
        data={"creation_id": old.json()["id"]},
    )

    assert published.status_code == 200
    assert_graph_error(expired, 400, -2, 2207020)
    assert call(emulator, "GET", f"{COFFEE_IG}/media", fresh).json() == {"data": []}
    [story_post] = posts(emulator, "instagram")
    assert story_post["details"]["media_product_type"] == "STORY"
    assert "/stories/democo.coffee/" in story_post["permalink"]

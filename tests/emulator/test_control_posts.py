"""`POST /_control/posts`: posts an account published before, outside Mixora, made the way each
network's publish path makes them, so customers can comment on them."""

from __future__ import annotations

import pytest
import requests

from tests.emulator.publishing import meta_page_tokens, x_token

COFFEE, COFFEE_IG = "20000000000001", "17841400000000001"
X_USER, CHANNEL = "1500000000000000001", "UCdemo0000000000000000001"
CUSTOMER = {"id": "6100000000000042", "name": "Casey Customer"}


def create(emulator, **payload: object) -> requests.Response:
    return requests.post(f"{emulator.url}/_control/posts", json=payload, timeout=5)


@pytest.mark.parametrize(
    ("network", "account", "post_id", "kind", "permalink"),
    [
        (
            "facebook",
            COFFEE,
            f"{COFFEE}_40000000000001",
            "mobile_status_update",
            f"https://www.facebook.com/{COFFEE}/posts/40000000000001",
        ),
        (
            "instagram",
            COFFEE_IG,
            "17900000000000001",
            "IMAGE",
            "https://www.instagram.com/p/{shortcode}/",
        ),
        (
            "x",
            X_USER,
            "1900000000000000001",
            "post",
            "https://x.com/democo/status/1900000000000000001",
        ),
        ("youtube", CHANNEL, "emuVideo001", "video", "https://www.youtube.com/watch?v=emuVideo001"),
    ],
)
def test_an_earlier_post_gets_the_ids_and_permalink_of_its_network(
    emulator, network, account, post_id, kind, permalink
):
    response = create(emulator, network=network, account_id=account, text="Spring menu")
    assert response.status_code == 201, response.text
    post = response.json()
    assert (post["network"], post["account_id"], post["id"], post["kind"]) == (
        network,
        account,
        post_id,
        kind,
    )
    assert post["permalink"] == permalink.format(shortcode=post["details"].get("shortcode"))
    assert post["text"] == "Spring menu"
    assert (post["media_count"], post["media"]) == (0, [])
    # Rendered exactly as the listing renders it.
    assert emulator.control("GET", f"posts?platform={network}") == [post]


def test_details_match_the_publish_path(emulator):
    instagram = create(emulator, network="instagram", account_id=COFFEE_IG).json()
    assert instagram["text"] == ""
    assert instagram["details"] == {
        "media_product_type": "FEED",
        "shortcode": instagram["details"]["shortcode"],
        "container_id": None,
        "username": "democo.coffee",
        "page_id": COFFEE,
    }
    x_post = create(emulator, network="x", account_id=X_USER, text="Hello").json()
    assert x_post["details"]["conversation_id"] == x_post["id"]
    assert x_post["details"]["reply_settings"] == "everyone"
    video = create(emulator, network="youtube", account_id=CHANNEL).json()
    assert video["text"] == "Untitled video"  # a video always has a title
    assert video["details"]["privacy_status"] == "public"
    assert video["details"]["channel_title"] == "Demo Co TV"
    facebook = create(emulator, network="facebook", account_id=COFFEE, text="Hi").json()
    assert facebook["details"] == {"published": True}


def test_earlier_posts_share_the_counters_and_listings_of_published_ones(emulator):
    earlier = create(emulator, network="facebook", account_id=COFFEE, text="Old news").json()
    token = meta_page_tokens(emulator)[COFFEE]
    graph = f"{emulator.url}/graph/v25.0"
    published = requests.post(
        f"{graph}/{COFFEE}/feed", data={"message": "New", "access_token": token}, timeout=5
    ).json()
    assert published["id"] == f"{COFFEE}_40000000000002"
    listing = requests.get(
        f"{graph}/{COFFEE}/published_posts", params={"access_token": token}, timeout=5
    ).json()["data"]
    assert [p["id"] for p in listing] == [published["id"], earlier["id"]]

    old_tweet = create(emulator, network="x", account_id=X_USER, text="Old tweet").json()
    timeline = requests.get(
        f"{emulator.url}/x-api/2/users/{X_USER}/tweets",
        headers={"Authorization": f"Bearer {x_token(emulator)}"},
        timeout=5,
    ).json()
    assert [(t["id"], t["text"]) for t in timeline["data"]] == [(old_tweet["id"], "Old tweet")]


@pytest.mark.parametrize(
    ("network", "account", "platform"),
    [
        ("facebook", COFFEE, "meta"),
        ("instagram", COFFEE_IG, "meta"),
        ("x", X_USER, "x"),
        ("youtube", CHANNEL, "google"),
    ],
)
def test_customers_can_comment_on_an_earlier_post(emulator, network, account, platform):
    post = create(emulator, network=network, account_id=account, text="Before Mixora").json()
    comment = emulator.control(
        "POST",
        "inbound",
        {
            "platform": platform,
            "kind": "comment",
            "account_id": account,
            "post_id": post["id"],
            "from": CUSTOMER,
            "text": "Still available?",
            "deliver": False,
        },
    )
    assert (comment["network"], comment["post_id"]) == (network, post["id"])


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"network": "tiktok", "account_id": "tt-open-999999"}, "TikTok open_id"),
        ({"account_id": COFFEE}, "network must be one of"),
        ({"network": "facebook", "account_id": COFFEE_IG}, "Page id"),
        ({"network": "instagram", "account_id": COFFEE}, "Instagram account id"),
        ({"network": "x", "account_id": "42"}, "X user id"),
        ({"network": "youtube"}, "YouTube channel id"),
        ({"network": "facebook", "account_id": COFFEE, "text": 5}, "text must be a string"),
        ({"network": "x", "account_id": X_USER, "text": "a" * 281}, "at most 280"),
        ({"network": "youtube", "account_id": CHANNEL, "text": "<b>"}, "YouTube title"),
        ({"network": "instagram", "account_id": COFFEE_IG, "text": "a" * 2201}, "2200"),
        ({"network": "tiktok", "account_id": "tt-open-000001", "text": "é" * 2201}, "2200"),
    ],
)
def test_bad_earlier_posts_are_refused(emulator, payload, error):
    response = create(emulator, **payload)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert emulator.control("GET", "posts") == []

"""The emulated X post lookup (`GET /2/tweets?ids=`) and the public metrics it reports."""

from __future__ import annotations

import requests

from tests.emulator.earlier_posts import DAY, earlier_post, settled
from tests.emulator.publishing import bearer, x_token

USER_ID = "1500000000000000001"


def lookup(emulator, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/x-api/2/tweets", params=params, headers=bearer(token), timeout=5
    )


def test_public_metrics_are_the_settled_numbers_in_x_words(emulator):
    post = earlier_post(emulator, "x", USER_ID, text="Our spring menu is here #coffee")
    model = settled(post)

    response = lookup(
        emulator, x_token(emulator), ids=post["id"], **{"tweet.fields": "public_metrics"}
    )

    assert response.status_code == 200, response.text
    [tweet] = response.json()["data"]
    metrics = tweet["public_metrics"]
    assert tweet["id"] == post["id"]
    assert metrics["impression_count"] == model["impressions"] > 0
    assert metrics["like_count"] == model["likes"]
    assert metrics["reply_count"] == model["comments"]
    assert metrics["retweet_count"] + metrics["quote_count"] == model["shares"]
    assert 0 < metrics["quote_count"] < metrics["retweet_count"]
    assert metrics["bookmark_count"] == model["saves"]
    assert set(metrics) == {
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "bookmark_count",
        "impression_count",
    }
    # The user timeline reports the same numbers.
    timeline = requests.get(
        f"{emulator.url}/x-api/2/users/{USER_ID}/tweets",
        params={"tweet.fields": "public_metrics"},
        headers=bearer(x_token(emulator)),
        timeout=5,
    ).json()
    assert timeline["data"][0]["public_metrics"] == metrics


def test_metrics_grow_after_publishing_and_start_at_zero(emulator):
    post = earlier_post(emulator, "x", USER_ID, age=0, text="Just out")
    fields = {"tweet.fields": "public_metrics"}

    def impressions() -> int:  # a new token each time: one lives two hours
        body = lookup(emulator, x_token(emulator), ids=post["id"], **fields).json()
        return body["data"][0]["public_metrics"]["impression_count"]

    first = impressions()
    emulator.control("POST", "clock", {"advance": 3600})
    after_an_hour = impressions()
    emulator.control("POST", "clock", {"advance": 2 * DAY})
    after_two_days = impressions()

    assert first == 0
    assert 0 < after_an_hour < after_two_days <= settled(post)["impressions"]


def test_posts_x_does_not_have_come_back_as_partial_errors(emulator):
    token = x_token(emulator)
    post = earlier_post(emulator, "x", USER_ID, text="Still here")

    response = lookup(emulator, token, ids=f"{post['id']},1900000000000000999")

    assert response.status_code == 200
    body = response.json()
    assert [t["id"] for t in body["data"]] == [post["id"]]
    assert "public_metrics" not in body["data"][0]  # only the fields asked for
    [error] = body["errors"]
    assert error["resource_id"] == "1900000000000000999"
    assert error["resource_type"] == "tweet"
    assert error["title"] == "Not Found Error"
    assert error["detail"] == "Could not find tweet with id: [1900000000000000999]."


def test_ids_must_be_1_to_100_post_ids(emulator):
    token = x_token(emulator)
    too_many = lookup(emulator, token, ids=",".join(str(n) for n in range(1, 102)))
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["message"] == (
        "The number of values in the `ids` query parameter list [101] is not between 1 and 100"
    )
    assert lookup(emulator, token).status_code == 400
    assert lookup(emulator, token, ids="12ab").status_code == 400
    assert lookup(emulator, token, ids="1", fields="x").status_code == 400  # unknown parameter
    unknown_field = lookup(emulator, token, ids="1", **{"tweet.fields": "clicks"})
    assert unknown_field.status_code == 400


def test_lookup_needs_tweet_read_and_users_read(emulator):
    without = x_token(emulator, scopes="tweet.read tweet.write offline.access")
    response = lookup(emulator, without, ids="1")
    assert response.status_code == 403
    assert "users.read" in response.json()["detail"]
    assert lookup(emulator, "not-a-token", ids="1").status_code == 401


def test_lookup_reports_its_rate_limit_and_a_429_says_when_to_come_back(emulator):
    token = x_token(emulator)
    response = lookup(emulator, token, ids="1")
    assert response.headers["x-rate-limit-limit"] == "5000"
    assert response.headers["x-rate-limit-remaining"] == "4999"

    emulator.fail_next("x", "x.tweets_lookup", "rate_limit", reset_after=120)
    throttled = lookup(emulator, token, ids="1")

    assert throttled.status_code == 429
    reset = int(throttled.headers["x-rate-limit-reset"])
    now = emulator.control("POST", "clock", {})["now"]
    assert 100 < reset - now <= 120


def test_followers_come_from_the_model(emulator):
    emulator.control(
        "POST",
        "engagement",
        {"network": "x", "account_id": USER_ID, "audience": 5000, "growth_per_day": 0},
    )
    me = requests.get(
        f"{emulator.url}/x-api/2/users/me",
        params={"user.fields": "public_metrics"},
        headers=bearer(x_token(emulator)),
        timeout=5,
    ).json()
    assert me["data"]["public_metrics"]["followers_count"] == 5000

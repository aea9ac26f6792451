"""The emulated X refuses what the real one refuses: the 101st POST /2/tweets of a user in a
15-minute window (docs.x.com/x-api/fundamentals/rate-limits), per user, until the window resets."""

from __future__ import annotations

import time

import requests

from emulator.x import RATE_LIMITS, RATE_WINDOW
from tests.emulator.publishing import bearer, posts, x_token

API = "/x-api/2"


def tweet(emulator, token: str, text: str) -> requests.Response:
    return requests.post(
        f"{emulator.url}{API}/tweets", headers=bearer(token), json={"text": text}, timeout=5
    )


def test_the_101st_post_of_a_user_in_a_window_is_refused_until_the_reset(emulator):
    token = x_token(emulator)
    limit = RATE_LIMITS["x.tweets"]
    assert limit == 100

    answers = [tweet(emulator, token, f"Post number {n}") for n in range(limit)]
    refused = tweet(emulator, token, "One too many")

    assert {a.status_code for a in answers} == {201}
    assert answers[-1].headers["x-rate-limit-remaining"] == "0"
    assert refused.status_code == 429
    assert refused.json()["title"] == "Too Many Requests"
    reset = int(refused.headers["x-rate-limit-reset"])
    assert refused.headers["x-rate-limit-remaining"] == "0"
    assert abs(reset - (time.time() + RATE_WINDOW)) <= 30
    assert "One too many" not in [p["text"] for p in posts(emulator, "x")]  # nothing happened

    emulator.control("POST", "clock", {"advance": RATE_WINDOW})
    again = tweet(emulator, token, "After the reset")
    assert again.status_code == 201
    assert again.headers["x-rate-limit-remaining"] == str(limit - 1)


def test_the_window_is_per_user(emulator):
    first = x_token(emulator)
    other = emulator.control("POST", "users", {"platform": "x", "name": "Other Co"})
    second = x_token(emulator, user=other["id"])
    for n in range(RATE_LIMITS["x.tweets"]):
        assert tweet(emulator, first, f"First user's post {n}").status_code == 201

    assert tweet(emulator, first, "Over the first user's limit").status_code == 429
    assert tweet(emulator, second, "The second user still has a window").status_code == 201

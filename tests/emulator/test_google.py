"""The emulated Google OAuth web-server flow and YouTube channels list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.emulator import REDIRECT_URI, consent
from tests.emulator.publishing import google_token

CHANNEL_ID = "UCdemo0000000000000000001"
SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload "
    "https://www.googleapis.com/auth/youtube.readonly "
    "https://www.googleapis.com/auth/youtube.force-ssl"
)
CLIENT = {"client_id": "g-client.apps.googleusercontent.com", "client_secret": "g-secret"}


def authorize_params(**extra: str) -> dict[str, str]:
    return {
        "client_id": CLIENT["client_id"],
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": SCOPES,
        "state": "st-g",
        "access_type": "offline",
        "prompt": "consent",
        **extra,
    }


def authorize(emulator, params: dict | None = None, **kwargs: object) -> dict[str, str]:
    return consent(
        f"{emulator.url}/google/o/oauth2/v2/auth", params or authorize_params(), **kwargs
    )


def token_call(emulator, **form: str) -> requests.Response:
    return requests.post(f"{emulator.url}/google/token", data={**CLIENT, **form}, timeout=5)


def exchange(emulator, code: str, **extra: str) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    return token_call(emulator, **{**form, **extra})


def tokens(emulator, params: dict | None = None, **kwargs: object) -> dict:
    response = exchange(emulator, authorize(emulator, params, **kwargs)["code"])
    assert response.status_code == 200, response.text
    return response.json()


def channels(emulator, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/youtube/v3/channels",
        params={"part": "snippet,statistics", "mine": "true", **params},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def assert_api_error(response: requests.Response, status: int, reason: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == status
    assert error["message"]
    assert error["errors"][0]["reason"] == reason


def test_consent_page_shows_scopes_and_buttons(emulator):
    page = requests.get(
        f"{emulator.url}/google/o/oauth2/v2/auth", params=authorize_params(), timeout=5
    )

    assert page.status_code == 200
    for text in (
        "Google (emulated)",
        CLIENT["client_id"],
        "Demo Co",
        ">Allow</button>",
        ">Cancel</button>",
    ):
        assert text in page.text
    for scope in SCOPES.split():
        assert f'value="{scope}" checked' in page.text


def test_consent_without_client_id_is_an_html_400(emulator):
    params = authorize_params()
    del params["client_id"]

    response = requests.get(
        f"{emulator.url}/google/o/oauth2/v2/auth", params=params, allow_redirects=False, timeout=5
    )

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_allow_and_cancel_redirect_back_with_state(emulator):
    allowed = authorize(emulator)
    denied = authorize(emulator, decision="deny")

    assert allowed["code"].startswith("4/0")
    assert allowed["state"] == "st-g"
    assert denied == {"error": "access_denied", "state": "st-g"}


def test_offline_exchange_returns_a_refresh_token_and_the_code_works_once(emulator):
    code = authorize(emulator, untick=("https://www.googleapis.com/auth/youtube.upload",))["code"]

    first = exchange(emulator, code)
    again = exchange(emulator, code)

    body = first.json()
    assert body["access_token"].startswith("ya29.")
    assert body["refresh_token"].startswith("1//")
    assert body["expires_in"] == 3599
    assert body["token_type"] == "Bearer"
    assert "youtube.upload" not in body["scope"]
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_refresh_tokens_need_offline_access_and_come_once_without_prompt_consent(emulator):
    online = tokens(emulator, authorize_params(access_type="online"))
    first = tokens(emulator, authorize_params(prompt="select_account"))
    second = tokens(emulator, authorize_params(prompt="select_account"))
    forced = tokens(emulator)

    assert "refresh_token" not in online
    assert "refresh_token" in first
    assert "refresh_token" not in second
    assert "refresh_token" in forced


def test_redirect_uri_mismatch_fails(emulator):
    code = authorize(emulator)["code"]

    response = exchange(emulator, code, redirect_uri="https://elsewhere.example.test/cb")

    assert (response.status_code, response.json()["error"]) == (400, "redirect_uri_mismatch")


def test_refresh_keeps_the_refresh_token_until_it_is_revoked(emulator):
    body = tokens(emulator)

    refreshed = token_call(
        emulator, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    revoked = requests.post(
        f"{emulator.url}/google/revoke", params={"token": body["refresh_token"]}, timeout=5
    )
    dead = token_call(emulator, grant_type="refresh_token", refresh_token=body["refresh_token"])

    assert refreshed.status_code == 200
    assert "refresh_token" not in refreshed.json()
    assert refreshed.json()["access_token"] != body["access_token"]
    assert revoked.status_code == 200
    assert dead.status_code == 400
    assert dead.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    assert_api_error(channels(emulator, body["access_token"]), 401, "authError")


def test_revoking_an_unknown_token_is_invalid_token(emulator):
    response = requests.post(f"{emulator.url}/google/revoke", params={"token": "nope"}, timeout=5)

    assert (response.status_code, response.json()["error"]) == (400, "invalid_token")


def test_channels_mine_returns_the_seeded_channel(emulator):
    response = channels(emulator, tokens(emulator)["access_token"])

    body = response.json()
    assert body["kind"] == "youtube#channelListResponse"
    [channel] = body["items"]
    assert channel["id"] == CHANNEL_ID
    assert channel["snippet"]["title"] == "Demo Co TV"
    assert channel["snippet"]["customUrl"] == "@democotv"
    assert channel["snippet"]["thumbnails"]["default"]["url"].startswith(emulator.url)
    assert channel["statistics"]["subscriberCount"].isdigit()


def test_created_users_with_and_without_a_channel(emulator):
    with_channel = emulator.control(
        "POST", "users", {"platform": "google", "name": "Ana", "channel": {"title": "Ana Cooks"}}
    )
    without = emulator.control(
        "POST", "users", {"platform": "google", "name": "Ben", "channel": None}
    )

    ana = channels(emulator, tokens(emulator, user=with_channel["id"])["access_token"]).json()
    ben = channels(emulator, tokens(emulator, user=without["id"])["access_token"]).json()

    assert with_channel["channel"]["id"] == "UCdemo0000000000000000002"
    assert [item["snippet"]["title"] for item in ana["items"]] == ["Ana Cooks"]
    assert ben["items"] == []


def test_the_clock_expires_access_tokens(emulator):
    token = tokens(emulator)["access_token"]

    emulator.control("POST", "clock", {"advance": 3600})

    assert_api_error(channels(emulator, token), 401, "authError")


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("rate_limit", 403, "rateLimitExceeded"),
        ("auth", 401, "authError"),
        ("validation", 400, "badRequest"),
        ("server", 503, "backendError"),
    ],
)
def test_injected_faults_answer_in_google_shape_then_stop(emulator, kind, status, reason):
    token = tokens(emulator)["access_token"]
    emulator.fail_next("google", "youtube.channels", kind, count=2)

    failures = [channels(emulator, token) for _ in range(2)]
    after = channels(emulator, token)

    for response in failures:
        assert_api_error(response, status, reason)
    assert after.status_code == 200


def seconds_to_pacific_midnight(now: float) -> float:
    pacific = datetime.fromtimestamp(now, ZoneInfo("America/Los_Angeles"))
    midnight = datetime.combine(pacific.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=pacific.tzinfo).timestamp() - now


def test_quota_is_counted_per_project_and_resets_at_midnight_pacific(emulator):
    mine, theirs = tokens(emulator)["access_token"], google_token(emulator)  # two clients
    emulator.control("POST", "behaviour", {"platform": "google", "daily_quota": 2})

    first = channels(emulator, mine)
    no_part = channels(emulator, mine, part="")  # refused as invalid, still charged
    refused = channels(emulator, mine)
    other_project = channels(emulator, theirs)
    clock = emulator.control("POST", "clock", {"advance": 0})
    emulator.control("POST", "clock", {"advance": seconds_to_pacific_midnight(clock["now"]) + 1})
    next_day = channels(emulator, tokens(emulator)["access_token"])

    assert first.status_code == 200
    assert no_part.status_code == 400
    fixture = Path(__file__).parents[1] / "contracts" / "youtube" / "error_quotaExceeded_403.json"
    assert (refused.status_code, refused.json()) == (
        403,
        json.loads(fixture.read_text())["payload"],
    )
    assert other_project.status_code == 200
    assert next_day.status_code == 200


def test_a_call_without_credentials_is_401_required(emulator):
    response = requests.get(
        f"{emulator.url}/youtube/v3/channels", params={"part": "id", "mine": "true"}, timeout=5
    )

    fixture = (
        Path(__file__).parents[1] / "contracts" / "youtube" / "error_missing_credentials_401.json"
    )
    expected = json.loads(fixture.read_text())["payload"]["error"]
    assert_api_error(response, 401, "required")
    assert response.json()["error"]["errors"] == expected["errors"]
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"

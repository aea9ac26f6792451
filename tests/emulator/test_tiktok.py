"""The emulated TikTok Login Kit OAuth and v2 API."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.emulator import REDIRECT_URI, consent

OPEN_ID = "tt-open-000001"
SCOPES = "user.info.basic,user.info.profile,video.publish"
CLIENT = {"client_key": "tt-key", "client_secret": "tt-secret"}
API = "/tiktok-api/v2"


def authorize_params(**extra: str) -> dict[str, str]:
    return {
        "client_key": "tt-key",
        "scope": SCOPES,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "state": "st-tt",
        **extra,
    }


def authorize(emulator, params: dict | None = None, **kwargs: object) -> dict[str, str]:
    return consent(
        f"{emulator.url}/tiktok/v2/auth/authorize/", params or authorize_params(), **kwargs
    )


def token_call(emulator, **form: str) -> requests.Response:
    return requests.post(f"{emulator.url}{API}/oauth/token/", data={**CLIENT, **form}, timeout=5)


def exchange(emulator, code: str, **extra: str) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    return token_call(emulator, **{**form, **extra})


def tokens(emulator, **kwargs: object) -> dict:
    response = exchange(emulator, authorize(emulator, **kwargs)["code"])
    assert response.status_code == 200, response.text
    return response.json()


def user_info(
    emulator, token: str, fields: str = "open_id,union_id,avatar_url,display_name,username"
):
    return requests.get(
        f"{emulator.url}{API}/user/info/",
        params={"fields": fields},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def assert_api_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["log_id"]


def test_authorize_page_shows_scopes_and_buttons(emulator):
    page = requests.get(
        f"{emulator.url}/tiktok/v2/auth/authorize/", params=authorize_params(), timeout=5
    )

    assert page.status_code == 200
    for text in (
        "TikTok (emulated)",
        "tt-key",
        "Demo Co (@democo)",
        ">Allow</button>",
        ">Cancel</button>",
    ):
        assert text in page.text
    for scope in SCOPES.split(","):
        assert f'value="{scope}" checked' in page.text


def test_authorize_with_a_relative_redirect_uri_is_an_html_400(emulator):
    response = requests.get(
        f"{emulator.url}/tiktok/v2/auth/authorize/",
        params=authorize_params(redirect_uri="/cb"),
        timeout=5,
    )

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")


def test_allow_and_cancel_redirect_back_with_state(emulator):
    allowed = authorize(emulator, untick=("video.publish",))
    denied = authorize(emulator, decision="deny")

    # Real TikTok codes carry "*" and "!"; they survive the round trip URL-decoded.
    assert "*" in allowed["code"]
    assert "!" in allowed["code"]
    assert allowed["scopes"] == "user.info.basic,user.info.profile"
    assert allowed["state"] == "st-tt"
    assert denied["error"] == "access_denied"
    assert denied["state"] == "st-tt"


def test_code_exchange_works_once_and_needs_the_same_redirect_uri(emulator):
    code = authorize(emulator)["code"]

    mismatch = exchange(emulator, code, redirect_uri=REDIRECT_URI + "/x")
    first = exchange(emulator, code)
    again = exchange(emulator, code)

    body = first.json()
    assert body["open_id"] == OPEN_ID
    assert body["scope"] == SCOPES
    assert body["access_token"].startswith("act.")
    assert body["refresh_token"].startswith("rft.")
    assert (body["expires_in"], body["refresh_expires_in"], body["token_type"]) == (
        7200,
        15552000,
        "Bearer",
    )
    for failure in (mismatch, again):
        assert failure.status_code == 400
        assert failure.json()["error"] == "invalid_grant"
        assert failure.json()["log_id"]


def test_pkce_with_a_hex_s256_challenge(emulator):
    verifier = "tiktok-desktop-verifier-0123456789"
    params = authorize_params(code_challenge=hashlib.sha256(verifier.encode()).hexdigest())
    code = authorize(emulator, params)["code"]

    wrong = exchange(emulator, code, code_verifier="nope")
    right = exchange(emulator, code, code_verifier=verifier)

    assert wrong.json()["error"] == "invalid_grant"
    assert right.status_code == 200


def test_refresh_rotates_the_refresh_token(emulator):
    first = tokens(emulator)

    second = token_call(emulator, grant_type="refresh_token", refresh_token=first["refresh_token"])
    reuse = token_call(emulator, grant_type="refresh_token", refresh_token=first["refresh_token"])

    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["access_token"] != first["access_token"]
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")


def test_revoke_then_the_api_answers_access_token_invalid(emulator):
    body = tokens(emulator)

    response = requests.post(
        f"{emulator.url}{API}/oauth/revoke/",
        data={**CLIENT, "token": body["access_token"]},
        timeout=5,
    )
    refresh = token_call(emulator, grant_type="refresh_token", refresh_token=body["refresh_token"])

    assert response.status_code == 200
    assert response.json() == {}
    assert_api_error(user_info(emulator, body["access_token"]), 401, "access_token_invalid")
    assert refresh.json()["error"] == "invalid_grant"


def test_user_info_and_creator_info_return_the_seeded_user(emulator):
    token = tokens(emulator)["access_token"]

    info = user_info(emulator, token).json()
    creator = requests.post(
        f"{emulator.url}{API}/post/publish/creator_info/query/",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=UTF-8",
        },
        timeout=5,
    ).json()

    assert info["error"]["code"] == "ok"
    user = info["data"]["user"]
    assert (user["open_id"], user["display_name"], user["username"]) == (
        OPEN_ID,
        "Demo Co",
        "democo",
    )
    assert set(user) == {"open_id", "union_id", "avatar_url", "display_name", "username"}
    assert creator["error"]["code"] == "ok"
    assert creator["data"]["creator_username"] == "democo"
    assert creator["data"]["creator_nickname"] == "Demo Co"
    assert creator["data"]["privacy_level_options"] == [
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert creator["data"]["max_video_post_duration_sec"] > 0


def test_unknown_user_info_fields_are_invalid_params(emulator):
    assert_api_error(
        user_info(emulator, tokens(emulator)["access_token"], "open_id,shoe_size"),
        400,
        "invalid_params",
    )


def test_the_clock_expires_access_tokens(emulator):
    token = tokens(emulator)["access_token"]

    emulator.control("POST", "clock", {"advance": 7201})

    assert_api_error(user_info(emulator, token), 401, "access_token_invalid")


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("rate_limit", 429, "rate_limit_exceeded"),
        ("auth", 401, "access_token_invalid"),
        ("validation", 400, "invalid_params"),
        ("server", 500, "internal_error"),
    ],
)
def test_injected_faults_answer_in_the_envelope_then_stop(emulator, kind, status, code):
    token = tokens(emulator)["access_token"]
    emulator.fail_next("tiktok", "tiktok.user_info", kind, count=2)

    failures = [user_info(emulator, token) for _ in range(2)]
    after = user_info(emulator, token)

    for response in failures:
        assert_api_error(response, status, code)
        assert response.json()["data"] == {}
    assert after.json()["error"]["code"] == "ok"


def test_an_auth_fault_on_the_token_endpoint_is_an_oauth_invalid_grant(emulator):
    refresh_token = tokens(emulator)["refresh_token"]
    emulator.fail_next("tiktok", "tiktok.token", "auth")

    response = token_call(emulator, grant_type="refresh_token", refresh_token=refresh_token)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"

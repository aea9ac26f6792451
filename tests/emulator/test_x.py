"""The emulated X OAuth 2.0 (PKCE) flow and /2/users/me."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
import requests

from tests.emulator import REDIRECT_URI, consent

USER_ID = "1500000000000000001"
VERIFIER = "a-verifier-of-at-least-forty-three-characters-000000"
CHALLENGE = (
    base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
)
SCOPES = "tweet.read tweet.write users.read offline.access"
BASIC = ("x-client", "x-secret")


def authorize_params(**extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "x-client",
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": "st-x",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **extra,
    }


def authorize(emulator, params: dict | None = None, **kwargs: object) -> dict[str, str]:
    return consent(f"{emulator.url}/x/i/oauth2/authorize", params or authorize_params(), **kwargs)


def token_call(emulator, auth: tuple | None = BASIC, **form: str) -> requests.Response:
    return requests.post(f"{emulator.url}/x-api/2/oauth2/token", data=form, auth=auth, timeout=5)


def exchange(emulator, code: str, verifier: str = VERIFIER, **extra: str) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    return token_call(emulator, **{**form, "code_verifier": verifier, **extra})


def tokens(emulator, **kwargs: object) -> dict:
    response = exchange(emulator, authorize(emulator, **kwargs)["code"])
    assert response.status_code == 200, response.text
    return response.json()


def users_me(emulator, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/x-api/2/users/me",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def test_authorize_page_shows_scopes_and_buttons(emulator):
    page = requests.get(
        f"{emulator.url}/x/i/oauth2/authorize", params=authorize_params(), timeout=5
    )

    assert page.status_code == 200
    for text in (
        "X (emulated)",
        "x-client",
        "Demo Co (@democo)",
        ">Allow</button>",
        ">Cancel</button>",
    ):
        assert text in page.text
    for scope in SCOPES.split():
        assert f'value="{scope}" checked' in page.text


def test_allow_and_cancel_redirect_back_with_state(emulator):
    allowed = authorize(emulator)
    denied = authorize(emulator, decision="deny")

    assert set(allowed) == {"code", "state"}
    assert allowed["state"] == "st-x"
    assert denied == {"error": "access_denied", "state": "st-x"}


def test_authorize_without_a_code_challenge_redirects_with_invalid_request(emulator):
    params = authorize_params()
    del params["code_challenge"]

    response = requests.get(
        f"{emulator.url}/x/i/oauth2/authorize", params=params, allow_redirects=False, timeout=5
    )

    assert response.status_code == 302
    assert "error=invalid_request" in response.headers["Location"]


def test_code_exchange_with_s256_pkce_and_basic_auth_returns_tokens_once(emulator):
    code = authorize(emulator)["code"]

    first = exchange(emulator, code)
    again = exchange(emulator, code)

    body = first.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 7200
    assert body["scope"] == SCOPES
    assert body["access_token"]
    assert body["refresh_token"]
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_public_client_with_plain_pkce(emulator):
    params = authorize_params(code_challenge="plain-verifier", code_challenge_method="plain")
    code = authorize(emulator, params)["code"]

    response = exchange(emulator, code, verifier="plain-verifier", client_id="x-client")

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_verifier": "not-the-verifier"}, "invalid_grant"),
        ({"redirect_uri": REDIRECT_URI + "/elsewhere"}, "invalid_grant"),
        ({"code_verifier": ""}, "invalid_request"),
    ],
)
def test_pkce_or_redirect_uri_mismatch_fails(emulator, change, error):
    code = authorize(emulator)["code"]

    response = exchange(emulator, code, **change)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_client_auth_is_required_and_a_changed_secret_refused(emulator):
    tokens(emulator)
    code = authorize(emulator)["code"]

    anonymous = exchange(emulator, code, auth=None)
    wrong = token_call(
        emulator,
        auth=("x-client", "other"),
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=VERIFIER,
    )

    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_client")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")


def test_no_refresh_token_without_offline_access(emulator):
    body = tokens(emulator, untick=("offline.access",))

    assert "refresh_token" not in body
    assert body["scope"] == "tweet.read tweet.write users.read"


def test_refresh_rotates_both_tokens_and_kills_the_old_refresh_token(emulator):
    first = tokens(emulator)

    second = token_call(emulator, grant_type="refresh_token", refresh_token=first["refresh_token"])
    reuse = token_call(emulator, grant_type="refresh_token", refresh_token=first["refresh_token"])

    body = second.json()
    assert body["access_token"] != first["access_token"]
    assert body["refresh_token"] != first["refresh_token"]
    assert (reuse.status_code, reuse.json()["error"]) == (400, "invalid_grant")
    assert users_me(emulator, body["access_token"]).status_code == 200


def test_revoke_kills_the_token_and_the_api_answers_401(emulator):
    body = tokens(emulator)

    response = requests.post(
        f"{emulator.url}/x-api/2/oauth2/revoke",
        data={"token": body["refresh_token"]},
        auth=BASIC,
        timeout=5,
    )
    me = users_me(emulator, body["access_token"])

    assert response.json() == {"revoked": True}
    assert me.status_code == 401
    assert me.json() == {
        "title": "Unauthorized",
        "detail": "Unauthorized",
        "type": "about:blank",
        "status": 401,
    }


def test_users_me_returns_the_seeded_user_with_rate_limit_headers(emulator):
    token = tokens(emulator)["access_token"]

    first = users_me(emulator, token, **{"user.fields": "profile_image_url,verified"})
    second = users_me(emulator, token)

    data = first.json()["data"]
    assert (data["id"], data["name"], data["username"], data["verified"]) == (
        USER_ID,
        "Demo Co",
        "democo",
        False,
    )
    assert data["profile_image_url"].startswith(emulator.url)
    assert second.json()["data"] == {"id": USER_ID, "name": "Demo Co", "username": "democo"}
    assert first.headers["x-rate-limit-limit"] == "75"
    assert first.headers["x-rate-limit-remaining"] == "74"
    assert second.headers["x-rate-limit-remaining"] == "73"
    assert int(first.headers["x-rate-limit-reset"]) > time.time()


def test_unknown_user_fields_are_an_invalid_request(emulator):
    response = users_me(emulator, tokens(emulator)["access_token"], **{"user.fields": "shoe_size"})

    assert response.status_code == 400
    assert response.json()["type"] == "https://api.x.com/2/problems/invalid-request"


def test_the_clock_expires_codes_after_30_seconds_and_tokens_after_2_hours(emulator):
    code = authorize(emulator)["code"]
    token = tokens(emulator)["access_token"]

    emulator.control("POST", "clock", {"advance": 31})
    late = exchange(emulator, code)
    emulator.control("POST", "clock", {"advance": 7200})

    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")
    assert users_me(emulator, token).status_code == 401


@pytest.mark.parametrize(
    ("kind", "status", "problem"),
    [
        ("rate_limit", 429, "about:blank"),
        ("auth", 401, "about:blank"),
        ("validation", 400, "https://api.x.com/2/problems/invalid-request"),
        ("server", 503, "about:blank"),
    ],
)
def test_injected_faults_answer_as_problems_then_stop(emulator, kind, status, problem):
    token = tokens(emulator)["access_token"]
    emulator.fail_next("x", "x.users_me", kind, count=2, reset_after=120)

    failures = [users_me(emulator, token) for _ in range(2)]
    after = users_me(emulator, token)

    for response in failures:
        assert response.status_code == status
        assert response.json()["type"] == problem
        assert response.json()["status"] == status
    assert after.status_code == 200
    if kind == "rate_limit":
        assert failures[0].headers["x-rate-limit-remaining"] == "0"
        assert abs(int(failures[0].headers["x-rate-limit-reset"]) - (time.time() + 120)) <= 2


def test_faults_on_the_token_endpoint(emulator):
    code = authorize(emulator)["code"]
    emulator.fail_next("x", "x.token", "server")

    failed = exchange(emulator, code)
    retried = exchange(emulator, code)

    assert failed.status_code == 503
    assert retried.status_code == 200

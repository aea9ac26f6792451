"""The emulator's control API, request log and process life cycle."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.emulator import REDIRECT_URI, consent

ROOT = Path(__file__).resolve().parents[2]


def x_token(emulator) -> str:
    params = {
        "response_type": "code",
        "client_id": "x-client",
        "redirect_uri": REDIRECT_URI,
        "scope": "users.read tweet.read",
        "state": "s",
        "code_challenge": "plain-challenge",
        "code_challenge_method": "plain",
    }
    code = consent(f"{emulator.url}/x/i/oauth2/authorize", params)["code"]
    response = requests.post(
        f"{emulator.url}/x-api/2/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": "plain-challenge",
            "client_id": "x-client",
        },
        timeout=5,
    )
    return response.json()["access_token"]


def users_me(emulator, token: str) -> requests.Response:
    return requests.get(
        f"{emulator.url}/x-api/2/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )


def test_health(emulator):
    assert emulator.control("GET", "health") == {"ok": True}


def test_reset_restores_the_seed_and_restarts_the_ids(emulator):
    created = emulator.control("POST", "users", {"platform": "x", "name": "Extra Person"})
    emulator.fail_next("x", "x.users_me", "server")

    emulator.control("POST", "reset")
    again = emulator.control("POST", "users", {"platform": "x", "name": "Extra Person"})

    assert (
        created
        == again
        == {
            "platform": "x",
            "id": "1500000000000000002",
            "name": "Extra Person",
            "handle": "extraperson",
        }
    )
    assert emulator.requests() == []
    assert users_me(emulator, x_token(emulator)).status_code == 200


def test_created_users_can_be_chosen_on_the_consent_page(emulator):
    created = emulator.control(
        "POST", "users", {"platform": "x", "name": "Second Brand", "handle": "second"}
    )

    token = x_token(emulator)
    page = requests.get(
        f"{emulator.url}/x/i/oauth2/authorize",
        params={
            "client_id": "c",
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "users.read",
            "state": "s",
            "code_challenge": "c",
        },
        timeout=5,
    )

    assert f'value="{created["id"]}"' in page.text
    assert "Second Brand (@second)" in page.text
    assert users_me(emulator, token).json()["data"]["username"] == "democo"


@pytest.mark.parametrize(
    "payload",
    [
        {"platform": "x", "endpoint": "x.nope", "kind": "server", "count": 1},
        {"platform": "x", "endpoint": "meta.me", "kind": "server", "count": 1},
        {"platform": "x", "endpoint": "x.users_me", "kind": "gremlins", "count": 1},
        {"platform": "x", "endpoint": "x.users_me", "kind": "server", "count": 0},
        {"platform": "x", "endpoint": "x.authorize", "kind": "server", "count": 1},
        {"platform": "myspace", "endpoint": "x.users_me", "kind": "server", "count": 1},
    ],
)
def test_malformed_faults_are_refused(emulator, payload):
    response = requests.post(f"{emulator.url}/_control/faults", json=payload, timeout=5)

    assert response.status_code == 400
    assert response.json()["error"]


def test_tokens_expire_one_at_a_time_or_all_of_a_user(emulator):
    first, second = x_token(emulator), x_token(emulator)

    one = emulator.control("POST", "tokens/expire", {"platform": "x", "token": first})
    after_one = (users_me(emulator, first).status_code, users_me(emulator, second).status_code)
    everyone = emulator.control(
        "POST", "tokens/expire", {"platform": "x", "user_id": "1500000000000000001"}
    )

    assert one == {"expired": 1}
    assert after_one == (401, 200)
    assert everyone == {"expired": 2}
    assert users_me(emulator, second).status_code == 401


def test_tokens_revoke_kills_every_token_of_the_user(emulator):
    token = x_token(emulator)

    result = emulator.control(
        "POST", "tokens/revoke", {"platform": "x", "user_id": "1500000000000000001"}
    )

    assert result == {"revoked": 1}
    assert users_me(emulator, token).status_code == 401


def test_the_request_log_records_method_path_query_form_json_and_headers(emulator):
    x_token(emulator)
    requests.post(
        f"{emulator.url}/tiktok-api/v2/post/publish/creator_info/query/",
        json={"hello": "tiktok"},
        headers={"Authorization": "Bearer act.nope"},
        timeout=5,
    )

    [token_call] = emulator.requests("x", "x.token")
    [creator_call] = emulator.requests(endpoint="tiktok.creator_info")

    assert token_call["method"] == "POST"
    assert token_call["path"] == "/x-api/2/oauth2/token"
    assert token_call["form"]["code_verifier"] == "plain-challenge"
    assert token_call["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert creator_call["json"] == {"hello": "tiktok"}
    assert creator_call["headers"]["authorization"] == "Bearer act.nope"
    assert [r["endpoint"] for r in emulator.requests("x")] == [
        "x.authorize",
        "x.authorize",
        "x.token",
    ]


def test_unknown_paths_are_404_and_logged(emulator):
    response = requests.get(f"{emulator.url}/graph/v25.0/me/feedz/extra", timeout=5)

    assert response.status_code == 404
    assert emulator.requests("meta", "unmatched")[0]["path"] == "/graph/v25.0/me/feedz/extra"


def test_the_clock_only_moves_forward(emulator):
    response = requests.post(f"{emulator.url}/_control/clock", json={"advance": -5}, timeout=5)

    assert response.status_code == 400


def test_the_process_prints_its_address_and_stops_cleanly_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("emulator listening on http://127.0.0.1:")
        assert requests.get(line.rsplit(" ", 1)[1] + "/_control/health", timeout=5).json() == {
            "ok": True
        }
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        process.kill()
        process.stdout.close()

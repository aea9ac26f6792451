"""The emulated Facebook Login dialog and Graph API."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.emulator import REDIRECT_URI, consent

USER_ID = "10000000000001"
COFFEE, BAKERY, COFFEE_IG = "20000000000001", "20000000000002", "17841400000000001"
SCOPES = "pages_show_list,pages_manage_posts,instagram_basic"
APP = {"client_id": "meta-app", "client_secret": "meta-secret"}


def dialog_params(**extra: str) -> dict[str, str]:
    return {
        "client_id": "meta-app",
        "redirect_uri": REDIRECT_URI,
        "state": "st-1",
        "scope": SCOPES,
        **extra,
    }


def graph(emulator, path: str, token: str | None, **params: str) -> requests.Response:
    if token:
        params["access_token"] = token
    return requests.get(f"{emulator.url}/graph/v25.0/{path}", params=params, timeout=5)


def authorize(emulator, **kwargs: object) -> dict[str, str]:
    return consent(f"{emulator.url}/facebook/v25.0/dialog/oauth", dialog_params(), **kwargs)


def exchange(emulator, code: str, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    return graph(emulator, "oauth/access_token", None, code=code, redirect_uri=redirect_uri, **APP)


def user_token(emulator, **kwargs: object) -> str:
    response = exchange(emulator, authorize(emulator, **kwargs)["code"])
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def long_lived(emulator, short: str) -> requests.Response:
    return graph(
        emulator,
        "oauth/access_token",
        None,
        grant_type="fb_exchange_token",
        fb_exchange_token=short,
        **APP,
    )


def page_tokens(emulator, token: str) -> dict[str, str]:
    data = graph(emulator, "me/accounts", token, fields="id,access_token").json()["data"]
    return {page["id"]: page["access_token"] for page in data}


def assert_graph_error(
    response: requests.Response, status: int, code: int, subcode: int | None = None
):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == "OAuthException"
    assert error["code"] == code
    assert error.get("error_subcode") == subcode
    assert error["fbtrace_id"]
    return error


def test_dialog_shows_scopes_users_and_buttons(emulator):
    page = requests.get(
        f"{emulator.url}/facebook/v25.0/dialog/oauth", params=dialog_params(), timeout=5
    )

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    for text in (
        "Facebook (emulated)",
        "meta-app",
        "Dana Demo",
        ">Allow</button>",
        ">Cancel</button>",
    ):
        assert text in page.text
    for scope in SCOPES.split(","):
        assert f'name="scope" value="{scope}" checked' in page.text


@pytest.mark.parametrize(
    "params",
    [
        {"redirect_uri": REDIRECT_URI},
        {"client_id": "meta-app"},
        {"client_id": "a", "redirect_uri": "/relative"},
    ],
)
def test_dialog_without_a_valid_client_or_redirect_is_an_html_400(emulator, params):
    page = requests.get(
        f"{emulator.url}/facebook/v25.0/dialog/oauth",
        params=params,
        allow_redirects=False,
        timeout=5,
    )

    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "Something went wrong" in page.text


def test_allow_redirects_with_code_and_state_and_cancel_with_the_denial(emulator):
    allowed = authorize(emulator)
    denied = authorize(emulator, decision="deny")

    assert allowed["code"].startswith("AQ")
    assert allowed["state"] == "st-1"
    assert denied == {
        "error": "access_denied",
        "error_code": "200",
        "error_description": "Permissions error",
        "error_reason": "user_denied",
        "state": "st-1",
    }


def test_code_exchange_gives_a_short_lived_token_once(emulator):
    code = authorize(emulator)["code"]

    first = exchange(emulator, code)
    again = exchange(emulator, code)

    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    assert body["access_token"].startswith("EAAG")
    assert_graph_error(again, 400, 100, 36009)


def test_code_exchange_with_another_redirect_uri_fails(emulator):
    code = authorize(emulator)["code"]

    response = exchange(emulator, code, redirect_uri=REDIRECT_URI + "/other")

    error = assert_graph_error(response, 400, 100)
    assert "redirect_uri" in error["message"]


def test_a_client_secret_that_changes_is_refused(emulator):
    exchange(emulator, authorize(emulator)["code"])
    code = authorize(emulator)["code"]

    response = graph(
        emulator,
        "oauth/access_token",
        None,
        client_id="meta-app",
        client_secret="another",
        code=code,
        redirect_uri=REDIRECT_URI,
    )

    assert_graph_error(response, 400, 1)


def test_long_lived_exchange_and_an_expired_token_cannot_be_exchanged(emulator):
    short = user_token(emulator)

    response = long_lived(emulator, short)
    emulator.control("POST", "clock", {"advance": 5401})
    too_late = long_lived(emulator, short)

    assert response.json()["expires_in"] == 5183944
    assert response.json()["access_token"] != short
    assert_graph_error(too_late, 400, 190, 463)


def test_me_and_permissions_show_the_seeded_user_and_declined_scopes(emulator):
    token = user_token(emulator, untick=("instagram_basic",))

    me = graph(emulator, "me", token, fields="id,name,picture").json()
    permissions = graph(emulator, "me/permissions", token).json()["data"]

    assert me["id"] == USER_ID
    assert me["name"] == "Dana Demo"
    assert me["picture"]["data"]["url"].startswith(emulator.url)
    assert (
        requests.get(me["picture"]["data"]["url"], timeout=5).headers["Content-Type"] == "image/png"
    )
    assert {"permission": "pages_manage_posts", "status": "granted"} in permissions
    assert {"permission": "instagram_basic", "status": "declined"} in permissions


def test_unknown_fields_are_refused_like_the_graph_does(emulator):
    response = graph(emulator, "me", user_token(emulator), fields="id,favourite_colour")

    error = assert_graph_error(response, 400, 100)
    assert "favourite_colour" in error["message"]


def test_accounts_paginate_with_limit_and_next(emulator):
    token = user_token(emulator)
    fields = "id,name,username,access_token,picture.type(large),instagram_business_account"

    first = graph(emulator, "me/accounts", token, fields=fields, limit="1").json()
    second = requests.get(first["paging"]["next"], timeout=5).json()

    assert first["paging"]["next"].startswith(f"{emulator.url}/graph/v25.0/me/accounts?")
    [coffee], [bakery] = first["data"], second["data"]
    assert coffee["id"] == COFFEE
    assert coffee["name"] == "Demo Co Coffee"
    assert coffee["username"] == "demococoffee"
    assert coffee["instagram_business_account"] == {"id": COFFEE_IG}
    assert coffee["access_token"].startswith("EAAG")
    assert bakery["id"] == BAKERY
    assert "instagram_business_account" not in bakery
    assert "next" not in second["paging"]


def test_page_and_instagram_nodes_with_the_page_token(emulator):
    token = page_tokens(emulator, user_token(emulator))[COFFEE]

    page = graph(emulator, COFFEE, token, fields="id,name,username,picture").json()
    ig = graph(emulator, COFFEE_IG, token, fields="id,username,name,profile_picture_url").json()
    other = graph(emulator, BAKERY, token, fields="id,name")

    assert (page["id"], page["name"], page["username"]) == (
        COFFEE,
        "Demo Co Coffee",
        "demococoffee",
    )
    assert (ig["id"], ig["username"]) == (COFFEE_IG, "democo.coffee")
    assert ig["profile_picture_url"].startswith(emulator.url)
    assert_graph_error(other, 400, 100, 33)


def test_revoking_permissions_kills_the_user_token_and_its_page_tokens(emulator):
    token = user_token(emulator)
    page_token = page_tokens(emulator, token)[COFFEE]

    response = requests.delete(
        f"{emulator.url}/graph/v25.0/me/permissions", params={"access_token": token}, timeout=5
    )

    assert response.json() == {"success": True}
    assert_graph_error(graph(emulator, "me", token), 400, 190, 460)
    assert_graph_error(graph(emulator, COFFEE, page_token), 400, 190, 460)


def test_the_clock_expires_user_tokens_but_not_page_tokens_from_a_long_lived_one(emulator):
    token = long_lived(emulator, user_token(emulator)).json()["access_token"]
    page_token = page_tokens(emulator, token)[COFFEE]

    emulator.control("POST", "clock", {"advance": 5183944 + 1})

    assert_graph_error(graph(emulator, "me", token), 400, 190, 463)
    assert graph(emulator, COFFEE, page_token).json()["id"] == COFFEE


def test_bearer_header_works_and_every_response_carries_app_usage(emulator):
    token = user_token(emulator)

    response = requests.get(
        f"{emulator.url}/graph/v25.0/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )

    assert response.json()["id"] == USER_ID
    usage = json.loads(response.headers["X-App-Usage"])
    assert set(usage) == {"call_count", "total_cputime", "total_time"}


@pytest.mark.parametrize(
    ("kind", "status", "code", "subcode", "transient"),
    [
        ("rate_limit", 403, 4, None, True),
        ("auth", 400, 190, 463, False),
        ("validation", 400, 100, None, False),
        ("server", 500, 2, None, True),
    ],
)
def test_injected_faults_answer_in_graph_shape_then_stop(
    emulator, kind, status, code, subcode, transient
):
    token = user_token(emulator)
    emulator.fail_next("meta", "meta.me", kind, count=2, reset_after=300)

    failures = [graph(emulator, "me", token) for _ in range(2)]
    after = graph(emulator, "me", token)

    for response in failures:
        error = assert_graph_error(response, status, code, subcode)
        assert error["is_transient"] is transient
    assert after.status_code == 200
    if kind == "rate_limit":
        assert json.loads(failures[0].headers["X-App-Usage"])["call_count"] == 100
        buc = json.loads(failures[0].headers["X-Business-Use-Case-Usage"])
        [usage] = next(iter(buc.values()))
        assert usage["estimated_time_to_regain_access"] == 5


def test_created_users_bring_their_pages_and_instagram_accounts(emulator):
    created = emulator.control(
        "POST",
        "users",
        {
            "platform": "meta",
            "name": "Robin Roaster",
            "pages": [{"name": "Roastery", "instagram": {"username": "roastery.ig"}}],
        },
    )
    [page] = created["pages"]

    token = user_token(emulator, user=created["id"])
    accounts = graph(
        emulator, "me/accounts", token, fields="id,name,instagram_business_account"
    ).json()
    ig = graph(emulator, page["instagram"]["id"], token, fields="id,username").json()

    assert created["id"] == "10000000000002"
    assert accounts["data"] == [
        {
            "id": page["id"],
            "name": "Roastery",
            "instagram_business_account": {"id": page["instagram"]["id"]},
        }
    ]
    assert ig == {"id": page["instagram"]["id"], "username": "roastery.ig"}


def test_the_request_log_records_what_the_client_sent(emulator):
    token = user_token(emulator)
    graph(emulator, "me", token, fields="id")

    [token_call] = emulator.requests("meta", "meta.token")
    [me_call] = emulator.requests("meta", "meta.me")

    assert token_call["method"] == "GET"
    assert token_call["query"]["redirect_uri"] == REDIRECT_URI
    assert token_call["query"]["client_secret"] == "meta-secret"
    assert me_call["path"] == "/graph/v25.0/me"
    assert me_call["query"] == {"fields": "id", "access_token": token}


def test_slow_fault_delays_then_answers_normally(emulator):
    token = user_token(emulator)
    emulator.fail_next("meta", "meta.me", "slow", delay=0.3)

    started = time.monotonic()
    response = graph(emulator, "me", token)

    assert time.monotonic() - started >= 0.3
    assert response.json()["id"] == USER_ID

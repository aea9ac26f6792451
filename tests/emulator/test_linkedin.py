"""The emulated LinkedIn: OAuth, the rules every /rest call shares, organisations, the Images
and Posts APIs, and comments (docs/emulator.md, LinkedIn)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from publishing.sample_media import image_bytes
from tests.emulator import REDIRECT_URI, consent
from tests.emulator.publishing import behave, posts

SCOPES = "r_organization_social w_organization_social rw_organization_admin"
ORG = "90000001"  # the seeded member's organisations: Demo Co, Demo Co Careers
ORG_URN = f"urn:li:organization:{ORG}"
CLIENT = {"client_id": "li-client", "client_secret": "li-secret"}
VERSION = "202611"


def authorize(emulator, scopes: str = SCOPES, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT["client_id"],
        "redirect_uri": REDIRECT_URI,
        "state": "s",
        "scope": scopes,
    }
    return consent(f"{emulator.url}/linkedin/oauth/v2/authorization", params, **extra)


def exchange(emulator, code: str, **overrides: str) -> requests.Response:
    form = {
        **CLIENT,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        **overrides,
    }
    return requests.post(
        f"{emulator.url}/linkedin/oauth/v2/accessToken",
        data={k: v for k, v in form.items() if v is not None},
        timeout=5,
    )


def token(emulator, scopes: str = SCOPES, user: str | None = None) -> str:
    answer = exchange(emulator, authorize(emulator, scopes, user=user)["code"])
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def headers(access: str | None, version: str | None = VERSION, protocol: bool = True) -> dict:
    found = {}
    if access is not None:
        found["Authorization"] = f"Bearer {access}"
    if version is not None:
        found["LinkedIn-Version"] = version
    if protocol:
        found["X-Restli-Protocol-Version"] = "2.0.0"
    return found


def api(emulator, method: str, path: str, access: str | None, **kwargs) -> requests.Response:
    sent = {**headers(access), **kwargs.pop("headers", {})}
    sent = {k: v for k, v in sent.items() if v is not None}
    return requests.request(
        method, f"{emulator.url}/linkedin-api/rest{path}", headers=sent, timeout=5, **kwargs
    )


def text_post(commentary: str, author: str = ORG_URN, **extra) -> dict:
    return {
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        **extra,
    }


def upload_image(emulator, access: str, data: bytes | None = None, owner: str = ORG_URN) -> str:
    init = api(
        emulator,
        "POST",
        "/images",
        access,
        params={"action": "initializeUpload"},
        json={"initializeUploadRequest": {"owner": owner}},
    )
    assert init.status_code == 200, init.text
    value = init.json()["value"]
    put = requests.put(
        value["uploadUrl"],
        data=image_bytes() if data is None else data,
        headers={"Authorization": f"Bearer {access}"},
        timeout=5,
    )
    assert put.status_code == 201, put.text
    return value["image"]


def image_status(emulator, access: str, urn: str) -> str:
    return api(emulator, "GET", f"/images/{quote(urn, safe='')}", access).json()["status"]


# --- OAuth --------------------------------------------------------------------------------


def test_the_code_exchange_gives_a_60_day_token_and_no_refresh_token(emulator):
    code = authorize(emulator)["code"]
    answer = exchange(emulator, code)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 5184000
    assert set(body["scope"].split(",")) == set(SCOPES.split())
    assert "refresh_token" not in body
    # A code is single use.
    again = exchange(emulator, code)
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_request"


def test_the_token_endpoint_refuses_a_wrong_redirect_uri_and_missing_parameters(emulator):
    code = authorize(emulator)["code"]
    wrong = exchange(emulator, code, redirect_uri="https://elsewhere.test/cb")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_redirect_uri")
    missing = exchange(emulator, code, client_secret=None)
    assert missing.status_code == 400
    assert missing.json()["error_description"] == (
        'A required parameter "client_secret" is missing'
    )


def test_a_grant_with_other_scopes_invalidates_the_member_s_earlier_tokens(emulator):
    def works(access: str) -> bool:
        answer = api(emulator, "GET", "/organizationAcls", access, params={"q": "roleAssignee"})
        return answer.status_code == 200

    first = token(emulator)
    same = token(emulator)
    assert works(first)
    assert works(same)
    other = token(emulator, "rw_organization_admin")
    assert works(other)
    assert not works(first)
    assert not works(same)


def test_cancelling_consent_redirects_with_user_cancelled_authorize(emulator):
    assert authorize(emulator, decision="deny")["error"] == "user_cancelled_authorize"


def test_refresh_tokens_only_for_apps_enabled_for_them(emulator):
    code = authorize(emulator)["code"]
    access = exchange(emulator, code).json()
    form = {**CLIENT, "grant_type": "refresh_token", "refresh_token": "AQW-anything"}
    refused = requests.post(f"{emulator.url}/linkedin/oauth/v2/accessToken", data=form, timeout=5)
    assert refused.status_code == 400
    assert "refresh_token" not in access

    behave(emulator, "linkedin", refresh_tokens=True)
    first = exchange(emulator, authorize(emulator)["code"]).json()
    assert first["refresh_token_expires_in"] == 365 * 86400
    form["refresh_token"] = first["refresh_token"]
    emulator.control("POST", "clock", {"advance": 86400})
    renewed = requests.post(f"{emulator.url}/linkedin/oauth/v2/accessToken", data=form, timeout=5)
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["access_token"] != first["access_token"]
    # The refresh token is not renewed: its lifetime keeps counting down.
    assert body["refresh_token"] == first["refresh_token"]
    assert abs(body["refresh_token_expires_in"] - 364 * 86400) <= 2


# --- what every /rest call checks ----------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "status", "code"),
    [
        (None, 400, "VERSION_MISSING"),
        ("June", 400, "VERSION_INVALID"),
        ("202301", 426, "NONEXISTENT_VERSION"),
        ("209901", 426, "NONEXISTENT_VERSION"),
    ],
)
def test_the_version_header_must_name_an_active_version(emulator, version, status, code):
    access = token(emulator)
    answer = api(
        emulator,
        "GET",
        "/organizationAcls",
        access,
        params={"q": "roleAssignee"},
        headers={"LinkedIn-Version": version},
    )
    assert (answer.status_code, answer.json()["code"]) == (status, code)


def test_urn_keys_need_the_protocol_2_header(emulator):
    access = token(emulator)
    path = f"/posts?q=author&author={quote(ORG_URN, safe='')}"
    answer = api(emulator, "GET", path, access, headers={"X-Restli-Protocol-Version": None})
    assert (answer.status_code, answer.json()["code"]) == (400, "ILLEGAL_ARGUMENT")
    assert api(emulator, "GET", path, access).status_code == 200


def test_token_errors_have_linkedins_codes(emulator):
    def acls(access: str | None) -> dict:
        answer = api(emulator, "GET", "/organizationAcls", access, params={"q": "roleAssignee"})
        assert answer.status_code == 401
        return answer.json()

    assert acls(None) == {
        "status": 401,
        "serviceErrorCode": 401,
        "message": "Empty oauth2_access_token",
    }
    assert acls("AQVnot-a-token")["serviceErrorCode"] == 65600
    access = token(emulator)
    emulator.control("POST", "tokens/expire", {"platform": "linkedin", "token": access})
    assert acls(access)["code"] == "EXPIRED_ACCESS_TOKEN"
    access = token(emulator)
    emulator.control("POST", "tokens/revoke", {"platform": "linkedin", "user_id": "emuMember001"})
    assert acls(access)["serviceErrorCode"] == 65601


# --- organisations -------------------------------------------------------------------------


def test_the_member_s_administered_organisations(emulator):
    access = token(emulator)
    answer = api(
        emulator,
        "GET",
        "/organizationAcls",
        access,
        params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
    )
    assert answer.status_code == 200
    elements = answer.json()["elements"]
    assert [e["organization"] for e in elements] == [ORG_URN, "urn:li:organization:90000002"]
    assert {e["roleAssignee"] for e in elements} == {"urn:li:person:emuMember001"}
    org = api(emulator, "GET", f"/organizations/{ORG}", access).json()
    assert (org["id"], org["localizedName"], org["vanityName"]) == (90000001, "Demo Co", "democo")


def test_without_an_admin_scope_the_acls_are_denied(emulator):
    access = token(emulator, "r_organization_social w_organization_social")
    answer = api(emulator, "GET", "/organizationAcls", access, params={"q": "roleAssignee"})
    assert answer.status_code == 403
    assert (answer.json()["code"], answer.json()["serviceErrorCode"]) == ("ACCESS_DENIED", 100)


# --- images and posts ----------------------------------------------------------------------


def test_a_text_post_answers_201_with_its_urn_in_x_restli_id(emulator):
    access = token(emulator)
    answer = api(
        emulator, "POST", "/posts", access, json=text_post(r"Hello \(world\) {hashtag|\#|news}")
    )
    assert answer.status_code == 201
    assert answer.content == b""
    urn = answer.headers["x-restli-id"]
    assert urn.startswith("urn:li:share:")
    (post,) = posts(emulator, "linkedin")
    assert (post["id"], post["account_id"], post["text"]) == (urn, ORG, "Hello (world) #news")


def test_the_same_text_again_within_ten_minutes_is_a_duplicate(emulator):
    access = token(emulator)
    first = api(emulator, "POST", "/posts", access, json=text_post("Same words"))
    again = api(emulator, "POST", "/posts", access, json=text_post("Same words"))
    assert again.status_code == 422
    assert first.headers["x-restli-id"] in again.json()["message"]
    emulator.control("POST", "clock", {"advance": 601})
    assert api(emulator, "POST", "/posts", access, json=text_post("Same words")).status_code == 201


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"lifecycleState": "DRAFT"}, 400),
        ({"commentary": "x" * 3001}, 400),
        ({"author": "urn:li:organization:99999999"}, 403),
        ({"visibility": None}, 422),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_published(emulator, change, status):
    access = token(emulator)
    answer = api(emulator, "POST", "/posts", access, json={**text_post("Hi"), **change})
    assert answer.status_code == status, answer.text
    assert posts(emulator, "linkedin") == []


def test_posting_needs_the_write_scope(emulator):
    access = token(emulator, "r_organization_social rw_organization_admin")
    answer = api(emulator, "POST", "/posts", access, json=text_post("Hi"))
    assert (answer.status_code, answer.json()["code"]) == (403, "ACCESS_DENIED")


def test_an_image_is_usable_once_processing_made_it_available(emulator):
    access = token(emulator)
    urn = upload_image(emulator, access)
    content = {"content": {"media": {"id": urn}}}
    early = api(emulator, "POST", "/posts", access, json=text_post("Photo", **content))
    assert (early.status_code, early.json()["code"]) == (400, "MEDIA_ASSET_WAITING_UPLOAD")
    assert image_status(emulator, access, urn) == "PROCESSING"
    assert image_status(emulator, access, urn) == "AVAILABLE"
    answer = api(emulator, "POST", "/posts", access, json=text_post("Photo", **content))
    assert answer.status_code == 201, answer.text
    (post,) = posts(emulator, "linkedin")
    assert (post["kind"], post["media_count"]) == ("IMAGE", 1)


def test_the_image_upload_needs_the_bearer_token_and_an_image(emulator):
    access = token(emulator)
    init = api(
        emulator,
        "POST",
        "/images",
        access,
        params={"action": "initializeUpload"},
        json={"initializeUploadRequest": {"owner": ORG_URN}},
    ).json()["value"]
    assert requests.put(init["uploadUrl"], data=image_bytes(), timeout=5).status_code == 401
    bad = upload_image(emulator, access, data=b"not an image at all")
    assert image_status(emulator, access, bad) == "PROCESSING_FAILED"


def test_multi_image_posts_take_two_to_twenty_images_of_the_author(emulator):
    access = token(emulator)
    behave(emulator, "linkedin", image_processing_polls=0)
    mine = [upload_image(emulator, access) for _ in range(2)]
    other = upload_image(emulator, access, owner="urn:li:organization:90000002")
    for urn in [*mine, other]:
        assert image_status(emulator, access, urn) == "AVAILABLE"

    def post(ids: list[str]) -> requests.Response:
        content = {"multiImage": {"images": [{"id": urn} for urn in ids]}}
        return api(emulator, "POST", "/posts", access, json=text_post("Set", content=content))

    assert post(mine[:1]).status_code == 400
    assert post([mine[0], other]).status_code == 400
    assert post(mine).status_code == 201
    (landed,) = posts(emulator, "linkedin")
    assert (landed["kind"], landed["media_count"]) == ("MULTI_IMAGE", 2)


def test_the_author_finder_lists_the_organisation_s_posts_newest_first(emulator):
    access = token(emulator)
    for text in ("One", "Two"):
        api(emulator, "POST", "/posts", access, json=text_post(text))
        emulator.control("POST", "clock", {"advance": 5})
    answer = api(
        emulator,
        "GET",
        "/posts",
        access,
        params={"q": "author", "author": ORG_URN, "count": 10, "sortBy": "CREATED"},
    )
    assert answer.status_code == 200
    assert [p["commentary"] for p in answer.json()["elements"]] == ["Two", "One"]
    unread = token(emulator, "w_organization_social rw_organization_admin")
    denied = api(emulator, "GET", "/posts", unread, params={"q": "author", "author": ORG_URN})
    assert denied.status_code == 403


# --- comments ------------------------------------------------------------------------------


def member_comment(emulator, post: str, text: str) -> dict:
    payload = {
        "platform": "linkedin",
        "kind": "comment",
        "account_id": ORG,
        "post_id": post,
        "from": {"id": "urn:li:person:zLqTygBP8S", "name": "Sam Member"},
        "text": text,
    }
    return emulator.control("POST", "inbound", payload)


def test_member_comments_are_listed_and_the_page_answers_in_their_thread(emulator):
    access = token(emulator)
    post = api(emulator, "POST", "/posts", access, json=text_post("Launch")).headers["x-restli-id"]
    event = member_comment(emulator, post, "Congrats!")
    comments = f"/socialActions/{quote(post, safe='')}/comments"
    (listed,) = api(emulator, "GET", comments, access).json()["elements"]
    assert listed["$URN"] == event["id"]
    assert listed["$URN"].startswith("urn:li:comment:(urn:li:activity:")
    assert (listed["actor"], listed["message"]["text"]) == ("urn:li:person:zLqTygBP8S", "Congrats!")

    nested = f"/socialActions/{quote(event['id'], safe='')}/comments"
    body = {
        "actor": ORG_URN,
        "object": listed["object"],
        "parentComment": event["id"],
        "message": {"text": "Thank you!"},
    }
    # A nested comment is made on its parent comment, not on the post.
    assert api(emulator, "POST", comments, access, json=body).status_code == 400
    answer = api(emulator, "POST", nested, access, json=body)
    assert answer.status_code == 201, answer.text
    reply = answer.json()
    assert reply["parentComment"] == event["id"]
    (top,) = api(emulator, "GET", comments, access).json()["elements"]
    assert top["commentsSummary"]["aggregatedTotalComments"] == 1
    (again,) = api(emulator, "GET", nested, access).json()["elements"]
    assert (again["$URN"], again["actor"]) == (reply["$URN"], ORG_URN)
    sent = emulator.control("GET", "replies?platform=linkedin")
    assert [(r["text"], r["in_reply_to"]) for r in sent] == [("Thank you!", event["id"])]
    # Threads are two levels deep: nobody answers an answer.
    deeper = f"/socialActions/{quote(reply['$URN'], safe='')}/comments"
    body = {**body, "parentComment": reply["$URN"]}
    assert api(emulator, "POST", deeper, access, json=body).status_code == 400


def test_commenting_as_an_organisation_needs_the_write_scope(emulator):
    access = token(emulator)
    post = api(emulator, "POST", "/posts", access, json=text_post("Launch")).headers["x-restli-id"]
    body = {"actor": ORG_URN, "object": post, "message": {"text": "Hi"}}
    path = f"/socialActions/{quote(post, safe='')}/comments"
    reader = token(emulator, "r_organization_social rw_organization_admin")
    assert api(emulator, "POST", path, reader, json=body).status_code == 403
    assert api(emulator, "POST", path, token(emulator), json=body).status_code == 201


def test_inbound_comments_need_a_post_of_the_organisation(emulator):
    answer = requests.post(
        f"{emulator.url}/_control/inbound",
        json={
            "platform": "linkedin",
            "kind": "comment",
            "account_id": ORG,
            "post_id": "urn:li:share:1",
            "from": {"id": "p1", "name": "P"},
            "text": "Hi",
        },
        timeout=5,
    )
    assert answer.status_code == 400


# --- videos --------------------------------------------------------------------------------


def start_video(emulator, access: str, size: int) -> dict:
    answer = api(
        emulator,
        "POST",
        "/videos",
        access,
        params={"action": "initializeUpload"},
        json={
            "initializeUploadRequest": {
                "owner": ORG_URN,
                "fileSizeBytes": size,
                "uploadCaptions": False,
                "uploadThumbnail": False,
            }
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["value"]


def put_parts(init: dict, data: bytes) -> list[str]:
    etags = []
    for part in init["uploadInstructions"]:
        piece = data[part["firstByte"] : part["lastByte"] + 1]
        answer = requests.put(part["uploadUrl"], data=piece, timeout=5)
        assert answer.status_code == 200, answer.text
        etags.append(answer.headers["ETag"])
    return etags


def finalize(emulator, access: str, init: dict, etags: list[str]) -> requests.Response:
    request = {"video": init["video"], "uploadToken": init["uploadToken"], "uploadedPartIds": etags}
    return api(
        emulator,
        "POST",
        "/videos",
        access,
        params={"action": "finalizeUpload"},
        json={"finalizeUploadRequest": request},
    )


def video_status(emulator, access: str, urn: str) -> dict:
    return api(emulator, "GET", f"/videos/{quote(urn, safe='')}", access).json()


def test_a_video_goes_up_in_4_mib_parts_and_finalises_with_their_etags_in_order(emulator):
    access = token(emulator)
    data = bytes(range(256)) * (5 * 1024 * 1024 // 256)  # 5 MiB: two parts
    init = start_video(emulator, access, len(data))
    parts = init["uploadInstructions"]
    assert [(p["firstByte"], p["lastByte"]) for p in parts] == [
        (0, 4194303),
        (4194304, len(data) - 1),
    ]
    etags = put_parts(init, data)
    assert finalize(emulator, access, init, etags[::-1]).status_code == 400
    assert finalize(emulator, access, init, etags).status_code == 200
    assert video_status(emulator, access, init["video"])["status"] == "PROCESSING"
    assert video_status(emulator, access, init["video"])["status"] == "AVAILABLE"
    content = {"content": {"media": {"id": init["video"]}}}
    answer = api(emulator, "POST", "/posts", access, json=text_post("Clip", **content))
    assert answer.status_code == 201, answer.text
    (post,) = posts(emulator, "linkedin")
    assert (post["kind"], post["media"][0]["size"]) == ("VIDEO", len(data))


def test_a_part_of_the_wrong_size_and_a_too_small_video_are_refused(emulator):
    access = token(emulator)
    init = start_video(emulator, access, 1000)
    (part,) = init["uploadInstructions"]
    assert requests.put(part["uploadUrl"], data=b"x" * 999, timeout=5).status_code == 400
    etags = put_parts(init, b"x" * 1000)
    assert finalize(emulator, access, init, etags).status_code == 200
    video_status(emulator, access, init["video"])
    failed = video_status(emulator, access, init["video"])
    assert failed["status"] == "PROCESSING_FAILED"
    assert "75 KB" in failed["processingFailureReason"]

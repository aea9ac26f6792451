"""LinkedIn's parsers and error classes on the documented and observed samples in
tests/contracts/linkedin/."""

from __future__ import annotations

import pytest

from connections.errors import AuthExpired, Permanent, RateLimited, Retryable
from connections.platforms.linkedin import connector, inbox, publish, text
from tests.contract_samples import CONTRACTS as CONTRACTS_ROOT
from tests.contract_samples import http_response
from tests.contract_samples import sample as contract_sample

CONTRACTS = CONTRACTS_ROOT / "linkedin"


def sample(name: str) -> dict:
    return contract_sample("linkedin", name)


response = http_response


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("error_401_empty_token_doc", AuthExpired),
        ("error_401_invalid_access_token_observed", AuthExpired),
        ("error_401_revoked_access_token_observed", AuthExpired),
        ("error_403_access_denied_observed", Permanent),
        ("error_400_illegal_argument_observed", Permanent),
        ("error_426_nonexistent_version_observed", Permanent),
    ],
)
def test_errors_are_classified(name, error):
    found = sample(name)
    with pytest.raises(error) as raised:
        connector.classify(response(found["status"], found["payload"]))
    assert raised.value.status == found["status"]
    assert raised.value.platform == "linkedin"


def test_the_daily_throttle_waits_for_midnight_utc():
    body = {
        "status": 429,
        "message": "Resource level throttle limit for calls to this resource is reached.",
    }
    with pytest.raises(RateLimited) as raised:
        connector.classify(response(429, body))
    assert raised.value.retry_at.hour == 0
    with pytest.raises(Retryable):
        connector.classify(response(500, {"status": 500, "message": "Internal Server Error"}))


def test_a_created_post_has_an_empty_201_body():
    found = sample("posts_create_201_response")
    assert connector.classify(response(201, found["payload"], found["headers"])) == {}


@pytest.mark.parametrize(
    ("name", "refresh"),
    [
        ("oauth_access_token_response", False),
        ("oauth_access_token_response_with_refresh_token", True),
        ("oauth_refresh_token_grant_response", True),
    ],
)
def test_token_answers_are_read(name, refresh):
    payload = sample(name)["payload"]
    tokens = connector._token_set(payload)
    assert tokens.access_token == payload["access_token"]
    assert tokens.expires_in == payload["expires_in"]
    assert tokens.scopes == ("r_basicprofile",)
    assert bool(tokens.refresh_token) is refresh
    if refresh:
        assert tokens.refresh_expires_in == payload["refresh_token_expires_in"]


def test_comma_separated_scopes_are_split():
    tokens = connector._token_set({"access_token": "a", "scope": "r_liteprofile,w_member_social"})
    assert tokens.scopes == ("r_liteprofile", "w_member_social")


def test_the_token_endpoint_s_refusals_end_the_grant():
    refused = {"error": "invalid_request", "error_description": "authorization code not found"}
    with pytest.raises(AuthExpired):
        connector._oauth(response(401, refused))
    with pytest.raises(Permanent, match="app credentials"):
        connector._oauth(response(401, {"error": "invalid_client"}))


def test_the_text_post_body_matches_the_documented_sample():
    documented = sample("posts_create_text_org_request")["payload"]
    assert publish.post_body(documented["author"], documented["commentary"], []) == documented


def test_image_post_bodies_name_their_images():
    one = publish.post_body("urn:li:organization:1", "Hi", ["urn:li:image:A"])
    assert one["content"] == {"media": {"id": "urn:li:image:A"}}
    two = publish.post_body("urn:li:organization:1", "Hi", ["urn:li:image:A", "urn:li:image:B"])
    assert two["content"] == {
        "multiImage": {"images": [{"id": "urn:li:image:A"}, {"id": "urn:li:image:B"}]}
    }


def test_observed_comments_become_inbox_items():
    elements = sample("comments_list_response_observed")["payload"]["elements"]
    member, page = (inbox.parse_comment("96072893", "urn:li:share:9", e) for e in elements)
    assert member.external_id == (
        "urn:li:comment:(urn:li:activity:7095684521727016961,7095684947448897536)"
    )
    assert member.thread_key == member.external_id
    assert (member.participant_id, member.text) == (
        "urn:li:person:zLqTygBP8S",
        "User Test Comment 004",
    )
    assert member.sent_at.timestamp() == 1691743122.924
    assert member.external_post_id == "urn:li:share:9"
    assert member.from_account is False
    assert page.from_account is True  # written as the organisation


def test_a_nested_comment_joins_its_parent_s_thread():
    parent = "urn:li:comment:(urn:li:activity:1,2)"
    element = {
        "actor": "urn:li:person:p",
        "created": {"time": 1691743122924},
        "$URN": "urn:li:comment:(urn:li:activity:1,3)",
        "message": {"text": "Me too"},
        "parentComment": parent,
    }
    item = inbox.parse_comment("5", "urn:li:share:9", element)
    assert (item.thread_key, item.reply_to_external_id) == (parent, parent)
    assert inbox.activity_of(parent) == "urn:li:activity:1"


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("Plain words, 100% fine.", "Plain words, 100% fine."),
        ("a|b{c}d@e[f]g(h)i<j>k\\l*m_n~o", r"a\|b\{c\}d\@e\[f\]g\(h\)i\<j\>k\\l\*m\_n\~o"),
        ("Join #hiring_now!", r"Join {hashtag|\#|hiring\_now}!"),
        ("Issue #4 (not a tag?) C#", r"Issue \#4 \(not a tag?\) C\#"),
    ],
)
def test_little_text_reserved_characters_are_escaped(written, sent):
    assert text.escape(written) == sent
    assert text.escaped_length(written) == len(sent)

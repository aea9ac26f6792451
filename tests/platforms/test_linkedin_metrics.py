"""The LinkedIn metrics reader on the documented payloads (tests/contracts/metrics_samples.py)."""

from __future__ import annotations

from connections.models import ConnectedAccount
from connections.platforms.linkedin import metrics
from connections.platforms.network import PostMetrics
from tests.contracts.metrics_samples import LINKEDIN_SHARE_STATISTICS

SHARE = "urn:li:share:7132564752928563200"
UGC_POST = "urn:li:ugcPost:7132402731377438720"


def test_statistics_per_post():
    found = metrics.parse_statistics(LINKEDIN_SHARE_STATISTICS, [SHARE, UGC_POST])
    assert found[SHARE] == PostMetrics(
        impressions=14490,
        reach=9327,
        engagements=180 + 52 + 101 + 2,  # clicks, reactions, comments, reposts
        likes=52,
        comments=101,
        shares=2,
        clicks=180,
    )
    assert found[UGC_POST].impressions == 46


def test_posts_left_out_have_no_reading():
    # Left out: no activity, or deleted since (the two cannot be told apart).
    gone = "urn:li:share:1"
    found = metrics.parse_statistics(LINKEDIN_SHARE_STATISTICS, [SHARE, gone])
    assert set(found) == {SHARE}


def test_the_query_is_a_rest_li_list_of_encoded_urns():
    account = ConnectedAccount(external_id="2414183")
    query = metrics.statistics_query(account, [SHARE, UGC_POST])
    assert query == (
        "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183"
        "&shares=List(urn%3Ali%3Ashare%3A7132564752928563200)"
        "&ugcPosts=List(urn%3Ali%3AugcPost%3A7132402731377438720)"
    )

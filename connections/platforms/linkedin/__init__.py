"""LinkedIn organisation pages: OAuth with the organisation scopes, posts with images (Posts
and Images APIs) and comments on the page's posts, notified by webhook (Organization Social
Action Notifications) and polled as a slow reconcile."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings

from ...models import ConnectedAccount
from .. import Platform
from ..inbox_types import InboundItem
from ..network import (
    Check,
    EventsStatus,
    Feature,
    MeasuresThroughModule,
    MediaFacts,
    Network,
    ReplyRule,
    ReplyTarget,
    Thread,
    missing_scopes,
)
from . import checks, composer, delete, inbox, metrics, subscriptions  # noqa: F401 - checks registers itself
from .connector import LinkedInConnector
from .webhooks import LinkedInWebhooks

READ = "r_organization_social"
WRITE = "w_organization_social"
# LinkedIn's comment box takes 1,250 characters; the Comments API documents no other limit.
COMMENT_MAX_LENGTH = 1250
# A poll costs one call per recent post (and per commented comment); LinkedIn counts calls
# per app and per member per day (shared/api-guide/concepts/rate-limits), so pages are polled
# at most every 15 minutes.
MIN_POLL_SECONDS = 15 * 60
# Where comments arrive by webhook, polling only catches what notifications miss: comments on
# posts that are not PUBLIC (no notifications) and deliveries LinkedIn gave up on (it retries
# every 5 minutes for 8 hours) — a reconcile within that window.
RECONCILE_SECONDS = 6 * 60 * 60


class LinkedInNetwork(MeasuresThroughModule, Network):
    platform = Platform.LINKEDIN
    label = "LinkedIn Page"
    preview_template = "platforms/previews/linkedin.html"
    # Approximate: LinkedIn publishes no number; the feed folds after about three lines,
    # which third-party guides put at 140 (phone) to 210 (desktop) characters. We show the
    # phone fold, the stricter one.
    preview_fold = 140
    can_delete_published = True  # DELETE /rest/posts/{urn} (linkedin/delete.py)
    polls_inbox = True
    demo_inbound = "linkedin"
    demo_script = (("comment", "Priya Raman", "Congrats on the launch! Is the team hiring?"),)

    def check(self, text: str, media: list[MediaFacts], options: Mapping[str, Any]) -> Check:
        return composer.check_linkedin(text, media, options)

    def inbox_features(self, account: ConnectedAccount) -> list[Feature]:
        minutes = max(1, round(self.poll_interval_seconds(account) / 60))
        if missing_scopes(account, READ):
            detail = f"Reconnect and allow {READ} to read the page's comments here."
            return [Feature("comment", "Post comments", False, False, detail)]
        detail = f"Checked for new comments on the page's posts every {minutes} min."
        if receiving(account):
            detail = (
                "Comments on public posts arrive as they happen; all posts are checked again "
                f"every {round(minutes / 60)} h."
            )
        if missing_scopes(account, WRITE):
            detail = f"Reconnect and allow {WRITE} to answer here."
        return [
            Feature("comment", "Post comments", True, not missing_scopes(account, WRITE), detail)
        ]

    def reply_rule(self, account: ConnectedAccount, thread: Thread, now: datetime) -> ReplyRule:
        if missing_scopes(account, WRITE):
            return ReplyRule(False, f"Reconnect the page and allow {WRITE} to answer.")
        return ReplyRule(True, max_length=COMMENT_MAX_LENGTH)

    def send_reply(self, account: ConnectedAccount, target: ReplyTarget) -> str:
        return inbox.send(self.client, account, target)

    def poll(self, account: ConnectedAccount, since: datetime | None) -> Iterator[InboundItem]:
        return inbox.items(self.client, account, since)

    def delete_published_refusal(self, account: ConnectedAccount) -> str:
        if missing_scopes(account, WRITE):
            return f"Reconnect the page and allow {WRITE} to delete it there."
        return ""

    def delete_published(self, account: ConnectedAccount, post_id: str) -> None:
        delete.delete_post(self.client, account, post_id)

    metrics_fields = (
        "impressions",
        "reach",
        "engagements",
        "likes",
        "comments",
        "shares",
        "clicks",
    )
    metrics_notes = {
        "impressions": "Organic impressions: how many times the post was shown.",
        "reach": "Unique impressions: how many members saw the post.",
        "engagements": "Clicks, reactions, comments and reposts, as LinkedIn's engagement rate "
        "counts them.",
        "likes": "All reactions (Like, Celebrate, Support, Love, Insightful, Funny).",
        "saves": "LinkedIn does not tell apps how often a page's post was saved.",
        "video_views": "LinkedIn reports video views in a separate API Mixora does not read yet.",
    }
    metrics_module = metrics

    def poll_interval_seconds(self, account: ConnectedAccount) -> int:
        if receiving(account):
            return RECONCILE_SECONDS
        return max(settings.INBOX_POLL_SECONDS, MIN_POLL_SECONDS)

    def on_connected(self, account: ConnectedAccount) -> EventsStatus:
        return subscriptions.start(self.client, account)

    def on_disconnecting(self, account: ConnectedAccount) -> None:
        subscriptions.stop(self.client, account)


def receiving(account: ConnectedAccount) -> bool:
    """Whether LinkedIn sends this page's notifications (its subscription succeeded)."""
    events = account.events
    return bool(events and events.get("receiving"))


CONNECTOR = LinkedInConnector
NETWORKS = (LinkedInNetwork(),)
WEBHOOKS = (LinkedInWebhooks(),)

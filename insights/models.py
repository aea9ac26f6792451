"""What Mixora learns from its own published posts: their public metrics over time, the
accounts' followers by day, and daily roll-ups that keep the analytics pages fast.

Every row hangs off a connected account, so disconnecting it deletes its metrics."""

from __future__ import annotations

from django.db import models
from django.db.models import F

METRIC_COLUMNS = (
    "impressions",
    "reach",
    "engagements",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "video_views",
)


class Metrics(models.Model):
    """The numbers a network may give for one post (connections.platforms.network.METRIC_FIELDS);
    None where the network has no such number."""

    impressions = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    engagements = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True)
    saves = models.BigIntegerField(null=True, blank=True)
    clicks = models.BigIntegerField(null=True, blank=True)
    video_views = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class PostInsight(Metrics):
    """One published post on one account: what it is (for recommendations), its latest metrics
    and when they are read next."""

    class Format(models.TextChoices):
        TEXT = "text", "Text only"
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        CAROUSEL = "carousel", "Carousel"

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="post_insights"
    )
    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="post_insights"
    )
    target = models.OneToOneField(
        "publishing.PostTarget", on_delete=models.CASCADE, related_name="insight"
    )
    platform_post_id = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    # When it went out in the workspace's time zone (weekday 0 = Monday).
    local_day = models.DateField()
    local_weekday = models.PositiveSmallIntegerField()
    local_hour = models.PositiveSmallIntegerField()
    format = models.CharField(max_length=10, choices=Format.choices)
    caption_length = models.PositiveIntegerField(default=0)
    hashtag_count = models.PositiveSmallIntegerField(default=0)
    # engagements / impressions (reach where the network gives no impressions); None until read.
    engagement_rate = models.FloatField(null=True, blank=True)
    snapshots = models.PositiveSmallIntegerField(default=0)
    last_collected_at = models.DateTimeField(null=True, blank=True)
    # None once the schedule is over (30 days after publishing).
    next_collect_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "published_at"], name="insight_ws_published"),
            models.Index(fields=["account", "published_at"], name="insight_account_published"),
            # Top posts: the period's best are the first rows of these that fall in it, with no
            # sort of the period (bench/README.md, analytics).
            models.Index(
                "workspace",
                F("engagements").desc(),
                F("published_at").desc(),
                name="insight_top_engagements",
            ),
            models.Index(
                "workspace",
                F("engagement_rate").desc(),
                F("published_at").desc(),
                name="insight_top_rate",
            ),
            models.Index(
                fields=["next_collect_at"],
                name="insight_collect_due",
                condition=models.Q(next_collect_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} post {self.platform_post_id}"


class MetricSnapshot(Metrics):
    """One reading of a post's metrics; the post's curve over time."""

    insight = models.ForeignKey(PostInsight, on_delete=models.CASCADE, related_name="readings")
    taken_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["insight", "taken_at"], name="snapshot_insight_taken")]

    def __str__(self) -> str:
        return f"{self.insight} at {self.taken_at:%Y-%m-%d %H:%M}"


class FollowerCount(models.Model):
    """An account's followers on one day (UTC), read once a day."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="follower_counts"
    )
    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="follower_counts"
    )
    day = models.DateField()
    followers = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="followers_once_a_day")
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="followers_ws_day")]

    def __str__(self) -> str:
        return f"{self.account} on {self.day}: {self.followers}"


class DailyRollup(models.Model):
    """The sums of one account's posts published on one local day, kept in step with
    PostInsight so a period's overview reads a row per account and day, not every post."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="daily_rollups"
    )
    account = models.ForeignKey(
        "connections.ConnectedAccount", on_delete=models.CASCADE, related_name="daily_rollups"
    )
    day = models.DateField()
    posts = models.PositiveIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)
    # Posts whose rate is known, and the sum of those rates (the period's average rate).
    rated_posts = models.PositiveIntegerField(default=0)
    rate_sum = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="rollup_once_a_day")]
        indexes = [models.Index(fields=["workspace", "day"], name="rollup_ws_day")]

    def __str__(self) -> str:
        return f"{self.account} on {self.day}: {self.posts} posts"

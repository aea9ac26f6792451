"""Documented (and, where marked, observed) metrics payloads, one constant per network and
answer; the connectors' parsers and classifiers are tested on them (tests/platforms/
test_<network>_metrics.py)."""

from __future__ import annotations

# --- Facebook Pages ---------------------------------------------------------------------------

# GET /{page-post-id}/insights?metric=… — the Page Insights reference's response shape
# (developers.facebook.com/docs/graph-api/reference/insights; platform-apis.md §2.3), with the
# post metrics that remain after the 2025 deprecations.
FACEBOOK_POST_INSIGHTS = {
    "data": [
        {
            "name": "post_media_view",
            "period": "lifetime",
            "values": [{"value": 1840}],
            "title": "Lifetime Post media views",
            "description": "Lifetime: The number of times your post was on screen.",
            "id": "20000000000001_1/insights/post_media_view/lifetime",
        },
        {
            "name": "post_total_media_view_unique",
            "period": "lifetime",
            "values": [{"value": 1206}],
            "title": "Lifetime Post total viewers",
            "description": "Lifetime: The number of people who saw your post at least once.",
            "id": "20000000000001_1/insights/post_total_media_view_unique/lifetime",
        },
        {
            "name": "post_clicks",
            "period": "lifetime",
            "values": [{"value": 12}],
            "title": "Lifetime Post Clicks",
            "description": "Lifetime: The number of clicks anywhere in your post.",
            "id": "20000000000001_1/insights/post_clicks/lifetime",
        },
        {
            # "object keyed by reaction type"; breakdowns return non-zero values only.
            "name": "post_reactions_by_type_total",
            "period": "lifetime",
            "values": [{"value": {"like": 31, "love": 7, "wow": 1}}],
            "title": "Lifetime Total post Reactions by Type.",
            "description": "Lifetime: Total post reactions by type.",
            "id": "20000000000001_1/insights/post_reactions_by_type_total/lifetime",
        },
    ],
    "paging": {
        "previous": "https://graph.facebook.com/v25.0/20000000000001_1/insights?since=1",
        "next": "https://graph.facebook.com/v25.0/20000000000001_1/insights?until=2",
    },
}

# GET /{page-post-id}?fields=status_type,shares,comments.limit(0).summary(true),
# reactions.limit(0).summary(total_count) — the Post node's fields (graph-api/reference/post:
# `shares` {count}; comments and reactions edges with `summary`).
FACEBOOK_POST_FIELDS = {
    "status_type": "added_photos",
    "shares": {"count": 3},
    "comments": {"data": [], "summary": {"order": "ranked", "total_count": 4, "can_comment": True}},
    "reactions": {"data": [], "summary": {"total_count": 39, "viewer_reaction": "NONE"}},
    "id": "20000000000001_1",
}

# The insights reference's own sample: a call without `metric`.
FACEBOOK_NO_METRIC_ERROR = {
    "error": {
        "message": "Invalid query",
        "type": "OAuthException",
        "code": 3001,
        "error_subcode": 1504028,
        "is_transient": False,
        "error_user_title": "No Metric Specified",
        "error_user_msg": "No metric was specified to be fetched. Please specify one or more "
        "metrics to be fetched and try again.",
        "fbtrace_id": "GpdspOgqUHT",
    }
}

# OBSERVED (public client logs, 2025–2026): a deprecated metric such as post_impressions.
FACEBOOK_INVALID_METRIC_ERROR = {
    "error": {
        "message": "(#100) The value must be a valid insights metric",
        "type": "OAuthException",
        "code": 100,
        "fbtrace_id": "AopRcG7C9CvH87dfKcN6Yc7",
    }
}

# GET /{page-id}?fields=followers_count (graph-api/reference/page: followers_count).
FACEBOOK_PAGE_FOLLOWERS = {"followers_count": 2412, "id": "20000000000001"}

# --- Instagram --------------------------------------------------------------------------------

# GET /{ig-media-id}/insights?metric=views,reach,… (instagram-platform/reference/
# instagram-media/insights: "Response shape identical to FB insights", platform-apis.md §3.3).
INSTAGRAM_MEDIA_INSIGHTS = {
    "data": [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": value}],
            "title": title,
            "description": f"{title} of the media.",
            "id": f"17900000000000001/insights/{name}/lifetime",
        }
        for name, value, title in (
            ("views", 2210, "Views"),
            ("reach", 1502, "Accounts reached"),
            ("likes", 96, "Likes"),
            ("comments", 8, "Comments"),
            ("shares", 5, "Shares"),
            ("saved", 11, "Saved"),
            ("total_interactions", 120, "Interactions"),
        )
    ]
}

# "If insights data you are requesting does not exist or is currently unavailable, the API
# returns an empty data set instead of 0" (same reference, Limitations).
INSTAGRAM_NO_DATA = {"data": []}

# "Story media metrics with values less than 5 return an error code 10 with the message (#10)
# Not enough viewers for the media to show insights" (same reference).
INSTAGRAM_NOT_ENOUGH_VIEWERS = {
    "error": {
        "message": "(#10) Not enough viewers for the media to show insights",
        "type": "OAuthException",
        "code": 10,
        "fbtrace_id": "A1b2C3d4E5f",
    }
}

# GET /{ig-user-id}?fields=followers_count (instagram-platform/reference/ig-user).
INSTAGRAM_FOLLOWERS = {"followers_count": 1280, "id": "17841400000000001"}

# --- LinkedIn ---------------------------------------------------------------------------------

# GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&…&shares=List(…) —
# Organization Share Statistics, "Retrieve Statistics for Specific Shares" (learn.microsoft.com/
# en-us/linkedin/marketing/community-management/organizations/share-statistics).
LINKEDIN_SHARE_STATISTICS = {
    "paging": {"count": 10, "start": 0, "links": []},
    "elements": [
        {
            "totalShareStatistics": {
                "uniqueImpressionsCount": 9327,
                "shareCount": 2,
                "engagement": 0.0231,
                "clickCount": 180,
                "likeCount": 52,
                "impressionCount": 14490,
                "commentCount": 101,
            },
            "organizationalEntity": "urn:li:organization:2414183",
            "share": "urn:li:share:7132564752928563200",
        },
        {
            "totalShareStatistics": {
                "uniqueImpressionsCount": 38,
                "shareCount": 0,
                "engagement": 0.0217,
                "clickCount": 1,
                "likeCount": 0,
                "impressionCount": 46,
                "commentCount": 0,
            },
            "organizationalEntity": "urn:li:organization:2414183",
            "ugcPost": "urn:li:ugcPost:7132402731377438720",
        },
    ],
}

# GET /rest/networkSizes/{org urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER — the organization
# lookup page's sample ("Retrieve Organization Follower Count").
LINKEDIN_NETWORK_SIZE = {"firstDegreeSize": 219145}

# --- X ----------------------------------------------------------------------------------------

# GET /2/tweets/:id?tweet.fields=public_metrics — docs.x.com/x-api/fundamentals/metrics ("Public
# metrics (any auth)", example response). The multi-post lookup carries the same object in a
# list.
X_POST_PUBLIC_METRICS = {
    "data": {
        "id": "1234567890",
        "text": "Hello world!",
        "public_metrics": {
            "retweet_count": 50,
            "reply_count": 12,
            "like_count": 234,
            "quote_count": 5,
            "bookmark_count": 8,
            "impression_count": 5432,
        },
    }
}

# GET /2/tweets/:id?tweet.fields=created_at,public_metrics,author_id — docs.x.com/x-api/posts/
# lookup/quickstart (example response; its public_metrics has no impressions or bookmarks).
X_POST_QUICKSTART = {
    "data": {
        "id": "1228393702244134912",
        "text": "What did the developer write in their Valentine's card?...",
        "created_at": "2020-02-14T19:00:55.000Z",
        "author_id": "2244994945",
        "public_metrics": {
            "retweet_count": 156,
            "reply_count": 23,
            "like_count": 892,
            "quote_count": 12,
        },
        "edit_history_tweet_ids": ["1228393702244134912"],
    },
    "includes": {"users": [{"id": "2244994945", "username": "XDevelopers", "verified": True}]},
}

# GET /2/tweets?ids=… with a deleted post — docs.x.com/x-api/posts/lookup/integrate ("Deleted or
# protected Posts": omitted from `data`, named in `errors`, HTTP 200).
X_POSTS_PARTIAL = {
    "data": [{"id": "1234567890", "text": "Available post"}],
    "errors": [
        {
            "resource_id": "1234567891",
            "resource_type": "tweet",
            "title": "Not Found Error",
            "detail": "Could not find tweet with id: [1234567891].",
        }
    ],
}

# GET /2/users/me?user.fields=…,public_metrics — docs.x.com/x-api/users/lookup/quickstart/
# authenticated-lookup (example response).
X_USERS_ME = {
    "data": {
        "id": "2244994945",
        "name": "X Developers",
        "username": "XDevelopers",
        "created_at": "2013-12-14T04:35:55.000Z",
        "description": "The voice of the X developer community",
        "verified": True,
        "profile_image_url": "https://pbs.twimg.com/profile_images/...",
        "public_metrics": {
            "followers_count": 583423,
            "following_count": 2048,
            "tweet_count": 14052,
            "listed_count": 1672,
        },
    }
}

# --- TikTok -----------------------------------------------------------------------------------

# POST /v2/video/query/?fields=id,title,like_count,comment_count,share_count,view_count —
# developers.tiktok.com/doc/tiktok-api-v2-video-query (the example response's envelope, ids and
# titles; its example asks id,title only, so the counts are filled in from the video object's
# field table, developers.tiktok.com/doc/tiktok-api-v2-video-object: int64 each).
TIKTOK_VIDEO_QUERY = {
    "data": {
        "videos": [
            {
                "title": "Video 1",
                "id": "1234123412345678567",
                "like_count": 143,
                "comment_count": 9,
                "share_count": 4,
                "view_count": 5021,
            },
            {
                "title": "Video 2",
                "id": "1010102020203030303",
                "like_count": 0,
                "comment_count": 0,
                "share_count": 0,
                "view_count": 12,
            },
        ]
    },
    "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"},
}

# GET /v2/user/info/?fields=open_id,follower_count — developers.tiktok.com/doc/
# tiktok-api-v2-get-user-info (response shape `data.user`; follower_count int, scope
# user.info.stats).
TIKTOK_USER_STATS = {
    "data": {"user": {"open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4", "follower_count": 15234}},
    "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"},
}

# The stats fields without user.info.stats — developers.tiktok.com/doc/tiktok-api-v2-error-
# handling: scope_permission_missed, HTTP 400, "some fields need additional scopes".
TIKTOK_SCOPE_PERMISSION_MISSED = {
    "data": {},
    "error": {
        "code": "scope_permission_missed",
        "message": "Access token is invalid, some fields need additional scopes.",
        "log_id": "20220829194722CBE87ED59D524E727021",
    },
}

# --- YouTube ----------------------------------------------------------------------------------

# GET /youtube/v3/videos?part=statistics&id=… — developers.google.com/youtube/v3/docs/videos
# (resource representation: statistics values are unsigned long as strings; favoriteCount
# deprecated, always 0; dislikeCount no longer public) with the docs' sample video id.
YOUTUBE_VIDEO_STATISTICS = {
    "kind": "youtube#videoListResponse",
    "etag": "HbVd2u8Hy2BqWc6GYAlCP4iY8u0",
    "items": [
        {
            "kind": "youtube#video",
            "etag": "Ys5uFMf0hYGTuH6tGdqxWZm2HG8",
            "id": "Ks-_Mh1QhMc",
            "statistics": {
                "viewCount": "27016852",
                "likeCount": "311425",
                "favoriteCount": "0",
                "commentCount": "11602",
            },
        }
    ],
    "pageInfo": {"totalResults": 1, "resultsPerPage": 1},
}

# GET /youtube/v3/channels?part=statistics&mine=true — developers.google.com/youtube/v3/docs/
# channels (statistics: viewCount, subscriberCount rounded down to three significant figures,
# hiddenSubscriberCount, videoCount).
YOUTUBE_CHANNEL_STATISTICS = {
    "kind": "youtube#channelListResponse",
    "etag": "xcYG1EnI8xa3qqhxM0Ql6dDVjsk",
    "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
    "items": [
        {
            "kind": "youtube#channel",
            "etag": "Q7Ybe6TK2rVnjwFdtJrxaNOx2Jk",
            "id": "UC_x5XG1OV2P6uZZ5FSM9Ttw",
            "statistics": {
                "viewCount": "277153744",
                "subscriberCount": "2440000",
                "hiddenSubscriberCount": False,
                "videoCount": "6212",
            },
        }
    ],
}

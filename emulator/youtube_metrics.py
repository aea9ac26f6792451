"""YouTube: a video's and a channel's `statistics` part (platform-apis.md §6.4), answered from
the hidden engagement model (`emulator/engagement.py`). videos.list and channels.list (1 quota
unit each, emulator/youtube.py and emulator/google.py) render them.

Docs: developers.google.com/youtube/v3/docs/videos#statistics (viewCount, likeCount,
commentCount as uint64 strings; dislikeCount private since December 2021; favoriteCount
deprecated, always 0), developers.google.com/youtube/v3/docs/channels#statistics.
"""

from __future__ import annotations

from emulator import engagement
from emulator.posts import Post
from emulator.state import STATE, Channel

# Public subscriber counts over 1,000 are abbreviated: "rounded down to three significant
# figures" (YouTube Data API revision history, September 2019; 4,227 reads 4,220).
EXACT_BELOW = 1000


def views(post: Post) -> int:
    """Plays; a post `/_control/posts` made with another format has none in the model: its
    impressions."""
    counts = engagement.metrics_at(post, STATE.now())
    video = engagement.post_format(post) == "video"
    return counts["video_views"] if video else counts["impressions"]


def video_statistics(post: Post) -> dict[str, str]:
    counts = engagement.metrics_at(post, STATE.now())
    return {
        "viewCount": str(views(post)),
        "likeCount": str(counts["likes"]),
        "favoriteCount": "0",
        "commentCount": str(counts["comments"]),
    }


def abbreviated(subscribers: int) -> int:
    if subscribers < EXACT_BELOW:
        return subscribers
    unit = 10 ** (len(str(subscribers)) - 3)
    return subscribers // unit * unit


def channel_statistics(channel: Channel) -> dict:
    """Subscribers from the model; views and videos summed over the channel's videos."""
    videos = STATE.posts_of("youtube", channel.id)
    subscribers = engagement.followers_at("youtube", channel.id, STATE.now())
    return {
        "viewCount": str(sum(views(post) for post in videos)),
        "subscriberCount": str(abbreviated(subscribers)),
        "hiddenSubscriberCount": False,
        "videoCount": str(len(videos)),
    }

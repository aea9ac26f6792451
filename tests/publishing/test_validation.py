"""What each network accepts (publishing/validation.py asks the network's package), at and
just past every limit.

X lengths are weighted by the real twitter-text library: a link counts 23 whatever its
length, an emoji or a CJK character counts 2."""

from __future__ import annotations

import pytest

from connections.platforms import Platform
from connections.platforms.tiktok.composer import PRIVACY as TIKTOK_PRIVACY
from connections.platforms.x.composer import weighted_length as x_weighted_length
from connections.platforms.youtube.composer import PRIVACY as YOUTUBE_PRIVACY
from publishing.validation import MediaFacts, check_target

MB = 1024 * 1024


def jpeg(size: int = 200_000) -> MediaFacts:
    return MediaFacts("image", "image/jpeg", size)


def png(size: int = 200_000) -> MediaFacts:
    return MediaFacts("image", "image/png", size)


def gif(size: int = 200_000) -> MediaFacts:
    return MediaFacts("image", "image/gif", size)


def mp4(duration: float = 12.0, size: int = 2 * MB) -> MediaFacts:
    return MediaFacts("video", "video/mp4", size, duration)


def check(platform, text="", media=(), options=None):
    return check_target(platform, text, list(media), options or {})


# --- X ---------------------------------------------------------------------------------------

URL = "https://example.com/a/very/long/path/that/is/far/longer/than/twenty-three/characters"


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        pytest.param("a" * 280, 280, id="ascii-counts-1"),
        pytest.param(URL, 23, id="long-url-counts-23"),
        pytest.param("example.com", 23, id="bare-domain-counts-23"),
        pytest.param("😀", 2, id="emoji-counts-2"),
        pytest.param("👍🏽", 2, id="emoji-with-skin-tone-counts-2"),
        pytest.param("👨\u200d👩\u200d👧", 2, id="zwj-family-emoji-counts-2"),
        pytest.param("日本語", 6, id="cjk-counts-2-each"),
        pytest.param("é", 1, id="latin-accent-counts-1"),
    ],
)
def test_x_length_is_weighted_by_twitter_text(text, weighted):
    assert x_weighted_length(text) == weighted
    result = check(Platform.X, text)
    assert (result.used, result.limit) == (weighted, 280)


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        pytest.param("a" * 280, 280, id="280-ascii"),
        pytest.param("a" * 256 + " " + URL, 280, id="256-chars-space-and-a-link"),
        pytest.param("😀" * 140, 280, id="140-emoji"),
        pytest.param("日" * 140, 280, id="140-cjk"),
        pytest.param("日" * 139 + "ab", 280, id="139-cjk-and-2-ascii"),
    ],
)
def test_x_accepts_exactly_280_weighted_characters(text, weighted):
    result = check(Platform.X, text)
    assert result.used == weighted
    assert result.ok, result.problems


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        pytest.param("a" * 281, 281, id="281-ascii"),
        pytest.param("a" * 257 + " " + URL, 281, id="257-chars-space-and-a-link"),
        pytest.param("😀" * 140 + "a", 281, id="140-emoji-and-1"),
        pytest.param("日" * 140 + "a", 281, id="140-cjk-and-1"),
        pytest.param("日" * 141, 282, id="141-cjk"),
    ],
)
def test_x_refuses_more_than_280_weighted_characters(text, weighted):
    result = check(Platform.X, text)
    assert result.used == weighted
    assert result.problems == [
        f"X allows 280 characters (links count 23, emoji and CJK count 2): this is {weighted}."
    ]


def test_x_counts_a_link_as_23_even_when_it_is_shorter():
    assert x_weighted_length("https://x.co") == 23


def test_x_needs_text_or_media():
    assert check(Platform.X, "  ").problems == ["X needs text or media."]
    assert check(Platform.X, "", [jpeg()]).ok
    assert check(Platform.X, "Hello").ok


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_x_accepts_up_to_4_images(count):
    assert check(Platform.X, "Pics", [jpeg()] * count).ok


@pytest.mark.parametrize("count", [5, 6])
def test_x_refuses_more_than_4_images(count):
    assert check(Platform.X, "Pics", [jpeg()] * count).problems == ["X takes at most 4 images."]


def test_x_accepts_one_video_alone():
    assert check(Platform.X, "Clip", [mp4()]).ok


@pytest.mark.parametrize(
    "media",
    [
        pytest.param([mp4(), jpeg()], id="video-and-image"),
        pytest.param([jpeg(), mp4()], id="image-and-video"),
        pytest.param([mp4(), mp4()], id="two-videos"),
    ],
)
def test_x_refuses_a_video_that_is_not_alone(media):
    assert check(Platform.X, "Clip", media).problems == [
        "X takes one video on its own, or up to 4 images."
    ]


@pytest.mark.parametrize(
    ("size", "ok"), [(5 * MB, True), (5 * MB + 1, False)], ids=["5MB", "5MB+1"]
)
def test_x_images_must_be_5mb_or_smaller(size, ok):
    result = check(Platform.X, "Pic", [jpeg(size)])
    assert result.ok is ok
    if not ok:
        assert result.problems == ["X images must be 5 MB or smaller."]


# --- Instagram -------------------------------------------------------------------------------


def test_instagram_needs_media():
    result = check(Platform.INSTAGRAM, "Just words")
    assert result.problems == ["Instagram needs at least one image or video."]


@pytest.mark.parametrize("media", [[jpeg()], [mp4()], [jpeg()] * 10], ids=["jpeg", "video", "10"])
def test_instagram_accepts_jpeg_images_videos_and_carousels_of_10(media):
    assert check(Platform.INSTAGRAM, "Hello", media).ok


def test_instagram_carousels_take_at_most_10_items():
    assert check(Platform.INSTAGRAM, "Hello", [jpeg()] * 11).problems == [
        "Instagram carousels take at most 10 items."
    ]


@pytest.mark.parametrize(("length", "ok"), [(2200, True), (2201, False)])
def test_instagram_caption_allows_2200_characters(length, ok):
    result = check(Platform.INSTAGRAM, "a" * length, [jpeg()])
    assert (result.used, result.limit) == (length, 2200)
    assert result.ok is ok
    if not ok:
        assert result.problems == ["Instagram captions allow 2,200 characters: this is 2201."]


@pytest.mark.parametrize(("count", "ok"), [(30, True), (31, False)])
def test_instagram_allows_at_most_30_hashtags(count, ok):
    text = " ".join(f"#tag{i}" for i in range(count))
    result = check(Platform.INSTAGRAM, text, [jpeg()])
    assert result.ok is ok
    if not ok:
        assert result.problems == ["Instagram allows at most 30 hashtags."]


def test_instagram_does_not_count_a_hash_inside_a_word_as_a_hashtag():
    text = " ".join(f"#tag{i}" for i in range(30)) + " issue#31 C#"
    assert check(Platform.INSTAGRAM, text, [jpeg()]).ok


@pytest.mark.parametrize(("count", "ok"), [(20, True), (21, False)])
def test_instagram_allows_at_most_20_mentions(count, ok):
    text = " ".join(f"@friend{i}" for i in range(count))
    result = check(Platform.INSTAGRAM, text, [jpeg()])
    assert result.ok is ok
    if not ok:
        assert result.problems == ["Instagram allows at most 20 @-mentions."]


@pytest.mark.parametrize(
    "media",
    [[png()], [gif()], [jpeg(), png()]],
    ids=["png", "gif", "jpeg-and-png"],
)
def test_instagram_publishes_jpeg_images_only(media):
    assert check(Platform.INSTAGRAM, "Hello", media).problems == [
        "Instagram publishes JPEG images only."
    ]


@pytest.mark.parametrize(("size", "ok"), [(8 * MB, True), (8 * MB + 1, False)])
def test_instagram_images_must_be_8mb_or_smaller(size, ok):
    result = check(Platform.INSTAGRAM, "Hello", [jpeg(size)])
    assert result.ok is ok
    if not ok:
        assert result.problems == ["Instagram images must be 8 MB or smaller."]


# --- Facebook --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "media"),
    [("Words only", []), ("", [jpeg()]), ("", [mp4()]), ("Both", [png(), jpeg()])],
    ids=["text", "image", "video", "text-and-images"],
)
def test_facebook_takes_text_or_media(text, media):
    assert check(Platform.FACEBOOK, text, media).ok


def test_facebook_refuses_a_post_with_neither_text_nor_media():
    assert check(Platform.FACEBOOK, " \n").problems == ["Facebook needs text or media."]


@pytest.mark.parametrize(("length", "ok"), [(63206, True), (63207, False)])
def test_facebook_allows_63206_characters(length, ok):
    result = check(Platform.FACEBOOK, "a" * length)
    assert result.ok is ok


@pytest.mark.parametrize(
    ("photo", "ok"),
    [
        pytest.param(jpeg(4 * MB), True, id="jpeg-4MB"),
        pytest.param(png(4 * MB), True, id="png-4MB"),
        pytest.param(jpeg(4 * MB + 1), False, id="jpeg-4MB+1"),
        pytest.param(gif(), False, id="gif"),
        pytest.param(MediaFacts("image", "image/webp", 1000), False, id="webp"),
    ],
)
def test_facebook_photos_must_be_jpeg_or_png_of_4mb_or_less(photo, ok):
    result = check(Platform.FACEBOOK, "Photo", [photo])
    assert result.ok is ok
    if not ok:
        assert result.problems == ["Facebook photos must be JPEG or PNG, 4 MB or smaller."]


def test_facebook_takes_one_video_on_its_own():
    assert check(Platform.FACEBOOK, "Clip", [mp4(), jpeg()]).problems == [
        "Facebook takes one video on its own, or images."
    ]
    assert not check(Platform.FACEBOOK, "Clips", [mp4(), mp4()]).ok


# --- TikTok ----------------------------------------------------------------------------------

TIKTOK_OK = {"privacy_level": "SELF_ONLY"}


def test_tiktok_accepts_one_video_with_a_privacy_level():
    assert check(Platform.TIKTOK, "Dance", [mp4()], TIKTOK_OK).ok


@pytest.mark.parametrize(
    "media",
    [[], [jpeg()], [mp4(), mp4()], [mp4(), jpeg()]],
    ids=["nothing", "image", "two-videos", "video-and-image"],
)
def test_tiktok_needs_exactly_one_video(media):
    assert check(Platform.TIKTOK, "Dance", media, TIKTOK_OK).problems == [
        "TikTok needs exactly one video."
    ]


@pytest.mark.parametrize("level", TIKTOK_PRIVACY)
def test_tiktok_accepts_each_privacy_level(level):
    assert check(Platform.TIKTOK, "Dance", [mp4()], {"privacy_level": level}).ok


@pytest.mark.parametrize(
    "options",
    [{}, {"privacy_level": ""}, {"privacy_level": "EVERYONE"}, {"privacy_level": "self_only"}],
    ids=["missing", "empty", "unknown", "wrong-case"],
)
def test_tiktok_privacy_level_is_required_and_must_be_an_option(options):
    assert check(Platform.TIKTOK, "Dance", [mp4()], options).problems == [
        "Choose who can see this TikTok."
    ]


def test_tiktok_privacy_level_must_be_one_the_account_offers():
    offered = {"privacy_options": ["SELF_ONLY", "MUTUAL_FOLLOW_FRIENDS"]}
    assert check(
        Platform.TIKTOK, "Dance", [mp4()], {**offered, "privacy_level": "MUTUAL_FOLLOW_FRIENDS"}
    ).ok
    assert check(
        Platform.TIKTOK, "Dance", [mp4()], {**offered, "privacy_level": "PUBLIC_TO_EVERYONE"}
    ).problems == ["Choose who can see this TikTok."]


@pytest.mark.parametrize(
    ("duration", "max_duration", "ok"),
    [
        pytest.param(600, None, True, id="600s-default-limit"),
        pytest.param(601, None, False, id="601s-default-limit"),
        pytest.param(60, 60, True, id="60s-of-60"),
        pytest.param(60.5, 60, False, id="60.5s-of-60"),
        pytest.param(180, 180, True, id="180s-of-180"),
        pytest.param(181, 180, False, id="181s-of-180"),
    ],
)
def test_tiktok_video_duration_is_within_the_accounts_max_duration(duration, max_duration, ok):
    options = {**TIKTOK_OK, **({"max_duration": max_duration} if max_duration else {})}
    result = check(Platform.TIKTOK, "Dance", [mp4(duration)], options)
    assert result.ok is ok
    if not ok:
        limit = max_duration or 600
        assert result.problems == [f"This TikTok account posts videos up to {limit} seconds."]


@pytest.mark.parametrize(
    ("text", "used", "ok"),
    [
        pytest.param("a" * 2200, 2200, True, id="2200-ascii"),
        pytest.param("a" * 2201, 2201, False, id="2201-ascii"),
        # TikTok counts UTF-16 code units: an emoji outside the BMP is two.
        pytest.param("😀" * 1100, 2200, True, id="1100-emoji"),
        pytest.param("😀" * 1100 + "a", 2201, False, id="1100-emoji-and-1"),
    ],
)
def test_tiktok_caption_allows_2200_utf16_units(text, used, ok):
    result = check(Platform.TIKTOK, text, [mp4()], TIKTOK_OK)
    assert (result.used, result.limit) == (used, 2200)
    assert result.ok is ok


# --- YouTube ---------------------------------------------------------------------------------

YT_OK = {"title": "Our new roast", "privacy": "public"}


def test_youtube_accepts_one_video_with_a_title():
    result = check(Platform.YOUTUBE, "Description", [mp4()], YT_OK)
    assert result.ok
    assert (result.used, result.limit, result.counter_label) == (13, 100, "title characters")


@pytest.mark.parametrize(
    "media",
    [[], [jpeg()], [mp4(), mp4()], [mp4(), jpeg()]],
    ids=["nothing", "image", "two-videos", "video-and-image"],
)
def test_youtube_needs_exactly_one_video(media):
    assert check(Platform.YOUTUBE, "Description", media, YT_OK).problems == [
        "YouTube needs exactly one video."
    ]


@pytest.mark.parametrize("title", [None, "", "   "], ids=["missing", "empty", "blank"])
def test_youtube_needs_a_title(title):
    options = {"privacy": "public"} if title is None else {"title": title}
    assert check(Platform.YOUTUBE, "Description", [mp4()], options).problems == [
        "YouTube needs a title."
    ]


@pytest.mark.parametrize(("length", "ok"), [(100, True), (101, False)])
def test_youtube_titles_allow_100_characters(length, ok):
    result = check(Platform.YOUTUBE, "", [mp4()], {"title": "t" * length})
    assert result.used == length
    assert result.ok is ok
    if not ok:
        assert result.problems == ["YouTube titles allow 100 characters: this is 101."]


@pytest.mark.parametrize(
    ("title", "description"),
    [("A <b> title", ""), ("Ok title", "Less > more"), ("Fish < chips", "")],
    ids=["lt-in-title", "gt-in-description", "lt-alone-in-title"],
)
def test_youtube_titles_and_descriptions_cannot_contain_angle_brackets(title, description):
    assert check(Platform.YOUTUBE, description, [mp4()], {"title": title}).problems == [
        "YouTube titles and descriptions cannot contain < or >."
    ]


@pytest.mark.parametrize(
    ("description", "ok"),
    [
        pytest.param("a" * 5000, True, id="5000-ascii-bytes"),
        pytest.param("a" * 5001, False, id="5001-ascii-bytes"),
        # Bytes, not characters: 2,500 "é" are 5,000 bytes in UTF-8, one more is too many.
        pytest.param("é" * 2500, True, id="2500-two-byte-chars"),
        pytest.param("é" * 2500 + "a", False, id="2501-chars-5001-bytes"),
        pytest.param("日" * 1667, False, id="1667-cjk-5001-bytes"),
    ],
)
def test_youtube_description_allows_5000_bytes(description, ok):
    result = check(Platform.YOUTUBE, description, [mp4()], YT_OK)
    assert result.ok is ok
    if not ok:
        assert result.problems == ["YouTube descriptions allow 5,000 bytes."]


@pytest.mark.parametrize("privacy", YOUTUBE_PRIVACY)
def test_youtube_accepts_each_privacy_value(privacy):
    assert check(Platform.YOUTUBE, "", [mp4()], {"title": "Clip", "privacy": privacy}).ok


def test_youtube_privacy_defaults_to_public_when_not_given():
    assert check(Platform.YOUTUBE, "", [mp4()], {"title": "Clip"}).ok


@pytest.mark.parametrize("privacy", ["friends", "PUBLIC", ""])
def test_youtube_refuses_other_privacy_values(privacy):
    assert check(Platform.YOUTUBE, "", [mp4()], {"title": "Clip", "privacy": privacy}).problems == [
        "Choose public, unlisted or private for YouTube."
    ]


def test_every_problem_is_reported_at_once():
    result = check(Platform.YOUTUBE, "x" * 5001 + "<", [jpeg()], {"privacy": "everyone"})
    assert result.problems == [
        "YouTube needs exactly one video.",
        "YouTube needs a title.",
        "YouTube titles and descriptions cannot contain < or >.",
        "YouTube descriptions allow 5,000 bytes.",
        "Choose public, unlisted or private for YouTube.",
    ]

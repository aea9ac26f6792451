"""Every URL pattern under /w/<slug>/, filled in with real objects, for the walkers in
test_tenancy and test_roles."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

WORKSPACE_PREFIX = "w/<slug:slug>/"
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _walk(patterns: list, prefix: str = "") -> object:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def workspace_routes() -> list[tuple[str, URLPattern]]:
    """(route, URLPattern) for every pattern the root URLconf serves under /w/."""
    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if route.startswith(WORKSPACE_PREFIX)
    ]


def _object_for(route: str, name: str, objects: dict[str, object]) -> object:
    if name == "target_pk":
        return objects["target"]
    for prefix, key in (
        ("inbox/c/", "conversation"),
        ("inbox/messages/", "message"),
        ("inbox/saved-replies/", "saved_reply"),
        ("inbox/labels/", "label"),
        ("analytics/best-times/", "account"),
        ("analytics/posts/", "insight"),
        ("slots/", "slot"),
        ("invitation", "invitation"),
        ("connections", "account"),
        ("posts/", "post"),
        ("media/", "media"),
    ):
        if prefix in route:
            return objects[key]
    return objects["membership"]


def fill(route: str, slug: str, objects: dict[str, object]) -> str:
    """The concrete path of `route` for workspace `slug`; ids come from `objects`
    (keys: membership, invitation, account, post, target, media, slot, insight, conversation,
    message, saved_reply, label)."""

    def value(match: re.Match) -> str:
        converter, name = match.group("converter") or "str", match.group("name")
        if name == "slug":
            return slug
        if converter == "int":
            return str(_object_for(route, name, objects).pk)
        if name == "provider":
            return "x"
        raise AssertionError(f"Teach the URL walker to fill <{converter}:{name}> in {route}")

    return "/" + _PARAM.sub(value, route)


def publishing_objects(workspace: object, account: object) -> dict[str, object]:
    """A post with a target on `account` (and the target's analytics) and a library file, for
    the walkers."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from insights.models import PostInsight
    from publishing.models import Media, Post, PostingSlot, PostTarget

    post = Post.objects.create(workspace=workspace, text="Walker post")
    target = PostTarget.objects.create(post=post, account=account)
    media = Media(
        workspace=workspace, kind="image", content_type="image/jpeg", name="w.jpg", size=3
    )
    media.file.save("w.jpg", ContentFile(b"jpg"), save=True)
    slot = PostingSlot.objects.create(account=account, weekday=0, time="09:00")
    now = timezone.now()
    insight = PostInsight.objects.create(
        workspace=workspace,
        account=account,
        target=target,
        platform_post_id="walker-1",
        published_at=now,
        local_day=now.date(),
        local_weekday=now.weekday(),
        local_hour=now.hour,
        format=PostInsight.Format.TEXT,
    )
    return {"post": post, "target": target, "media": media, "slot": slot, "insight": insight}


def inbox_objects(workspace: object, account: object) -> dict[str, object]:
    """A conversation on `account` with a failed reply, a saved reply and a label, for the
    walkers."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from inbox.models import Conversation, Label, Message, SavedReply
    from publishing.sample_media import image_bytes

    conversation = Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind=Conversation.Kind.MESSAGE,
        thread_key="walker-1",
        participant_id="walker-1",
        participant_name="Walker Customer",
        last_inbound_at=timezone.now(),
    )
    # The customer's picture, as inbox/avatars.py stores it, so its URL serves something.
    conversation.participant_avatar.save("walker.png", ContentFile(image_bytes("PNG", (8, 8))))
    Message.objects.create(
        conversation=conversation, account=account, direction="inbound", text="Hello?"
    )
    message = Message.objects.create(
        conversation=conversation,
        account=account,
        direction=Message.Direction.OUTBOUND,
        text="Walker reply",
        status=Message.Status.FAILED,
        error="Walker failure",
    )
    saved_reply = SavedReply.objects.create(workspace=workspace, title="Walker", text="Hi!")
    label = Label.objects.create(workspace=workspace, name="Walker")
    return {
        "conversation": conversation,
        "message": message,
        "saved_reply": saved_reply,
        "label": label,
    }

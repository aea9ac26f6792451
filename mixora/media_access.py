"""Local mode's `/media/`: every file only to the people allowed to see it.

In S3 mode the browser gets a signed, expiring URL from the bucket and Mixora serves nothing
here. With files on disk (`make run`) a stored name is looked up in the file fields that can
hold it (RULES) and the owner decides: a workspace's media, post payloads and inbox attachments
go to the workspace's members, an export to its owner only, an avatar to its person and anyone
who shares a workspace with them. Anyone else, and any name no row holds, gets 404.

`LocalMediaStorage.url(name, expire=...)` signs the URL, as S3 does: a platform fetching a
post's media (publishing/publisher.py) has no Mixora session."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.http import require_safe
from django.views.static import serve as serve_file

SIGNING_SALT = "mixora.media_access"


class Audience(Enum):
    WORKSPACE = "members of the file's workspace"
    PERSON = "the person it belongs to"
    COLLEAGUES = "the person and anyone sharing a workspace with them"


@dataclass(frozen=True)
class Rule:
    model: str  # "app_label.Model"
    field: str  # the FileField holding the stored name
    audience: Audience
    owner: str  # lookup from the row to the workspace id (WORKSPACE) or the user id


# Every file field of every model: tests/test_media_access.py fails on one not listed here.
RULES: tuple[Rule, ...] = (
    Rule("publishing.Media", "file", Audience.WORKSPACE, "workspace_id"),
    Rule("publishing.Media", "thumbnail", Audience.WORKSPACE, "workspace_id"),
    Rule("publishing.PostMedia", "payload", Audience.WORKSPACE, "post__workspace_id"),
    Rule("inbox.Attachment", "file", Audience.WORKSPACE, "conversation__workspace_id"),
    Rule("inbox.Conversation", "participant_avatar", Audience.WORKSPACE, "workspace_id"),
    Rule("exports.DataExport", "file", Audience.PERSON, "user_id"),
    Rule("accounts.User", "avatar", Audience.COLLEAGUES, "pk"),
)

# Files are shown, never run: an attachment a customer sent could be HTML.
_FILE_CSP = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "sandbox": True,
}


class LocalMediaStorage(FileSystemStorage):
    """Files on disk under MEDIA_ROOT, served by `serve` below."""

    def url(self, name: str | None, expire: int | None = None) -> str:
        """With `expire` (seconds), a link that works without a session until then."""
        url = super().url(name)
        if expire is None:
            return url
        token = signing.dumps([name, int(time.time()) + expire], salt=SIGNING_SALT)
        return f"{url}?{urlencode({'token': token})}"


def _signed_for(name: str, token: str) -> bool:
    try:
        signed_name, expires = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return False
    return signed_name == name and time.time() < expires


def _member_of(user_id: int, workspace_id: int) -> bool:
    membership = apps.get_model("accounts", "Membership")
    return membership.objects.filter(user_id=user_id, workspace_id=workspace_id).exists()


def _shares_workspace(user_id: int, other_id: int) -> bool:
    membership = apps.get_model("accounts", "Membership")
    theirs = membership.objects.filter(user_id=other_id).values("workspace_id")
    return membership.objects.filter(user_id=user_id, workspace_id__in=theirs).exists()


def may_see(user: AbstractBaseUser | AnonymousUser, name: str) -> bool:
    """Whether `user` may see the stored file `name`: False for a name no row holds."""
    if not user.is_authenticated:
        return False
    for rule in RULES:
        model = apps.get_model(rule.model)
        for owner_id in model.objects.filter(**{rule.field: name}).values_list(
            rule.owner, flat=True
        ):
            if rule.audience is Audience.WORKSPACE:
                allowed = _member_of(user.pk, owner_id)
            else:
                allowed = owner_id == user.pk or (
                    rule.audience is Audience.COLLEAGUES and _shares_workspace(user.pk, owner_id)
                )
            if allowed:
                return True
    return False


@require_safe
def serve(request: HttpRequest, path: str) -> HttpResponse:
    if not isinstance(default_storage, FileSystemStorage):
        raise Http404  # S3 mode: files come from the bucket's signed URLs
    token = request.GET.get("token", "")
    if not (token and _signed_for(path, token)) and not may_see(request.user, path):
        raise Http404
    response = serve_file(request, path, document_root=default_storage.location)
    response["Cache-Control"] = "private, max-age=3600"
    response._csp_config = _FILE_CSP  # type: ignore[attr-defined]
    return response

"""A person with something in every part of Mixora, and a teammate whose data must never
appear in the person's export."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Invitation, User, Workspace
from accounts.roles import Role
from assistant.models import AIGeneration
from audit.models import AuditAction
from audit.trail import record
from connections.models import ConnectedAccount
from exports import services
from exports.models import DataExport
from inbox.models import Conversation, Message, ReadMark, SavedReply
from notifications.models import Notification
from publishing import media as media_service
from publishing.models import Post, PostComment, PostMedia, PostTarget, ReviewDecision
from publishing.sample_media import image_bytes, mp4_bytes
from support.models import SupportTicket
from tests.factories import MembershipFactory, WorkspaceFactory


@dataclass
class Person:
    user: User
    teammate: User
    workspace: Workspace
    other_workspace: Workspace
    account: ConnectedAccount
    tokens: list[str]
    # Strings only the teammate wrote: none may appear in the person's export.
    foreign: list[str] = field(default_factory=list)


def _account(workspace: Workspace, user: User, suffix: str) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform="facebook",
        external_id=f"2000000000{suffix}",
        display_name=f"Acme Coffee {suffix}",
        handle=f"@acme{suffix}",
        scopes=["pages_manage_posts", "pages_messaging"],
        access_token=f"EAAG-access-{suffix}-secret-value",
        refresh_token=f"refresh-{suffix}-secret-value",
        provider_user_token=f"provider-user-{suffix}-secret-value",
        connected_by=user,
    )


def _post(workspace, author, account, text, media_items=()) -> Post:
    post = Post.objects.create(workspace=workspace, author=author, text=text)
    PostTarget.objects.create(post=post, account=account, caption=f"{text} (caption)")
    for position, item in enumerate(media_items):
        PostMedia.objects.create(post=post, media=item, position=position)
    return post


def _conversation(workspace, account, key) -> Conversation:
    return Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind=Conversation.Kind.MESSAGE,
        thread_key=key,
        participant_id=key,
        participant_name="Ana Customer",
    )


def _ai_draft(workspace, user, purpose, material, output, **fields) -> AIGeneration:
    return AIGeneration.objects.create(
        workspace=workspace,
        user=user,
        purpose=purpose,
        input_text=material,
        output_text=output,
        model="gpt-4.1-mini",
        **fields,
    )


@pytest.fixture
def person(db) -> Person:
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    other_workspace = WorkspaceFactory(name="Beta Bakery", slug="beta")
    user = MembershipFactory(
        workspace=workspace,
        role=Role.OWNER,
        user__email="pat@acme.test",
        user__full_name="Pat Person",
        user__country="PT",
        user__company="Acme",
    ).user
    MembershipFactory(workspace=other_workspace, user=user, role=Role.EDITOR)
    teammate = MembershipFactory(
        workspace=workspace, role=Role.APPROVER, user__email="tess@acme.test"
    ).user
    user.avatar.save("me.png", ContentFile(image_bytes("PNG", (64, 64))))

    account = _account(workspace, user, "01")
    their_account = _account(workspace, teammate, "02")
    photo = media_service.ingest(
        workspace, user, SimpleUploadedFile("Summer launch.jpg", image_bytes())
    )
    clip = media_service.ingest(workspace, user, SimpleUploadedFile("teaser.mp4", mp4_bytes()))
    their_photo = media_service.ingest(
        workspace, teammate, SimpleUploadedFile("tess-only.png", image_bytes("PNG"))
    )

    draft = _post(workspace, user, account, "Our summer menu is here", [photo, clip])
    _post(other_workspace, user, _account(other_workspace, user, "03"), "Fresh bread daily")
    theirs = _post(workspace, teammate, account, "Tess wrote this post", [their_photo])
    theirs.approved_by, theirs.approved_at = user, timezone.now()
    theirs.save()
    ReviewDecision.objects.create(post=draft, kind="submitted", actor=user)
    ReviewDecision.objects.create(post=theirs, kind="approved", actor=user, comment="Lovely")
    ReviewDecision.objects.create(post=draft, kind="rejected", actor=teammate, comment="Tess no")
    PostComment.objects.create(post=draft, author=user, body="Can we add the price?")
    PostComment.objects.create(post=draft, author=teammate, body="Tess comment only")

    conversation = _conversation(workspace, account, "psid-1")
    Message.objects.create(
        conversation=conversation,
        account=account,
        direction=Message.Direction.INBOUND,
        sender_name="Ana Customer",
        text="Customer asks about opening hours",
    )
    Message.objects.create(
        conversation=conversation,
        account=account,
        direction=Message.Direction.OUTBOUND,
        author=user,
        text="We open at 8, see you!",
        status=Message.Status.SENT,
    )
    Message.objects.create(
        conversation=conversation,
        account=account,
        direction=Message.Direction.NOTE,
        author=user,
        text="Regular customer, be nice",
    )
    Message.objects.create(
        conversation=conversation,
        account=account,
        direction=Message.Direction.OUTBOUND,
        author=teammate,
        text="Tess reply only",
    )
    conversation.assignee = user
    conversation.save()
    ReadMark.objects.create(conversation=conversation, user=user, read_at=timezone.now())
    SavedReply.objects.create(workspace=workspace, title="Hours", text="8 to 6", created_by=user)
    SavedReply.objects.create(
        workspace=workspace, title="Tess", text="Tess saved", created_by=teammate
    )

    Invitation.objects.create(workspace=workspace, email="newbie@acme.test", invited_by=user)
    Notification.objects.create(user=user, workspace=workspace, message="Post approved")
    Notification.objects.create(user=teammate, workspace=workspace, message="Tess notification")
    SupportTicket.objects.create(
        name="Pat", email=user.email, subject="Billing question", message="How much?", user=user
    )
    SupportTicket.objects.create(
        name="Tess", email=teammate.email, subject="Tess ticket", message="Tess asks"
    )
    _ai_draft(workspace, user, "caption", '{"brief": "Summer menu launch"}', "Summer menu!")
    _ai_draft(
        workspace,
        user,
        "reply",
        '{"conversation": [{"from": "customer", "name": "Ana Customer", "text": '
        '"Customer asks about opening hours"}]}',
        "Hi Ana, we open at 8!",
        status="accepted",
        subject=f"inbox.conversation:{conversation.pk}",
    )
    _ai_draft(workspace, teammate, "caption", '{"brief": "Tess AI brief"}', "Tess AI output")
    record(AuditAction.LOGIN_SUCCEEDED, actor=user)
    record(AuditAction.ROLE_CHANGED, actor=teammate, subject_user=user, workspace=workspace)
    record(AuditAction.PASSWORD_CHANGED, actor=teammate)

    return Person(
        user=user,
        teammate=teammate,
        workspace=workspace,
        other_workspace=other_workspace,
        account=account,
        tokens=[
            *(
                getattr(account, f)
                for f in ("access_token", "refresh_token", "provider_user_token")
            ),
            *(
                getattr(their_account, f)
                for f in ("access_token", "refresh_token", "provider_user_token")
            ),
        ],
        foreign=[
            "tess@acme.test",
            "Tess wrote this post",
            "Tess comment only",
            "Tess no",
            "Tess reply only",
            "Tess saved",
            "Tess notification",
            "Tess ticket",
            "tess-only",
            "Customer asks about opening hours",
            "Tess AI brief",
            "Tess AI output",
        ],
    )


def built(user: User) -> DataExport:
    """An export of `user`, requested and built by the real task function."""
    export = services.request_export(user)
    assert services.build(export.pk) == "ready"
    export.refresh_from_db()
    return export


def open_zip(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))

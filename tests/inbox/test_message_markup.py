"""A thread's messages made in Python (issue 15): escaped, with line breaks, and Retry on a
failed reply for those who may reply."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox.models import Attachment, Message
from tests.inbox_fixtures import inbound_conversation


def _failed_reply(workspace) -> tuple[object, Message]:
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-2", display_name="Acme on X"
    )
    convo = inbound_conversation(account, participant="Zoë <i>", text="Where is it?\nStill?")
    failed = Message.objects.create(
        conversation=convo,
        account=account,
        direction=Message.Direction.OUTBOUND,
        text="On its way",
        status="failed",
        error="X said <no>",
        sent_at=timezone.now(),
    )
    return convo, failed


@pytest.mark.parametrize(("role", "retry"), [(Role.OWNER, True), (Role.VIEWER, False)])
def test_a_thread_shows_each_message_and_retry_to_those_who_may_reply(
    client, workspace, make_member, role, retry
):
    convo, failed = _failed_reply(workspace)
    client.force_login(make_member(workspace, role))
    html = client.get(reverse("inbox_conversation", args=["acme", convo.pk])).content.decode()
    assert "Where is it?<br>Still?" in html
    assert "<strong>Zoë &lt;i&gt;</strong>" in html
    assert "Failed: X said &lt;no&gt;" in html
    action = reverse("inbox_retry", args=["acme", failed.pk])
    assert (f'<form method="post" action="{action}"><input type="hidden"' in html) is retry
    listed = f'href="{reverse("inbox_conversation", args=["acme", convo.pk])}?'
    assert listed in html


def test_a_message_shows_its_pictures_and_files(client, workspace, owner):
    convo, _ = _failed_reply(workspace)
    inbound = convo.messages.get(direction=Message.Direction.INBOUND)
    for kind, name, size in [("image", "inbox/a.png", 10), ("file", "inbox/b.pdf", 2048)]:
        Attachment.objects.create(
            message=inbound, conversation=convo, kind=kind, file=name, size=size
        )
    client.force_login(owner.user)
    html = client.get(reverse("inbox_conversation", args=["acme", convo.pk])).content.decode()
    # Signed storage URLs (each with its expiry), escaped in the attribute.
    image = r'<img class="bubble__image" src="[^"<>]*/inbox/a\.png\?[^"<>]*&amp;[^"<>]*"'
    assert re.search(image + ' alt="Image from Zoë &lt;i&gt;">', html)
    assert re.search(r'<a href="[^"<>]*/inbox/b\.pdf\?[^"<>]*">Attachment \(2\.0\xa0KB\)</a>', html)

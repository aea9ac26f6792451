"""'Suggest a reply': an AI draft of the answer, streamed into a panel beside the reply box.
A person edits it and sends it themselves; nothing here sends anything."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest
from assistant import drafts
from assistant.sse import event_stream

from .. import suggestions
from ..models import Conversation
from ..windows import reply_rule
from .gate import inbox_view


@inbox_view(Capability.INBOX_REPLY)
@require_POST
def suggest_reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(
        Conversation.objects.select_related("account"), pk=pk, workspace=request.workspace
    )
    rule = reply_rule(conversation)
    return event_stream(
        drafts.generate(
            request.workspace,
            request.user,
            "reply",
            suggestions.thread_material(conversation),
            network=conversation.account.platform,
            network_label=conversation.account.get_platform_display(),
            limit=rule.max_length or None,
            subject=suggestions.subject(conversation.pk),
            check=lambda text: (
                [f"Longer than the {rule.max_length} characters a reply may have here."]
                if rule.max_length and rule.length(text) > rule.max_length
                else []
            ),
        )
    )

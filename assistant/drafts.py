"""One AI draft: take a credit, ask the provider (streaming), keep what it wrote.

`generate` yields events for the page: ("delta", {"text"}) while the text arrives, then
("done", {"generation", "text", "problems"}) or ("error", {"message", "upgrade_url"}). Every
failure ends in an error event with a message for the person; nothing here touches what they
typed (the page shows the output beside it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from zoneinfo import ZoneInfo

import openai
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User, Workspace
from mixora import limits
from mixora.errors import UserFacingError

from . import client, prompts
from .models import AIGeneration, AIUsage

Event = tuple[str, dict]
RETRY_PAUSE = 0.5  # seconds before our one retry of a 5xx or a lost connection


def this_month(workspace: Workspace) -> date:
    """The first day of the current month in the workspace's zone."""
    return timezone.localtime(timezone.now(), ZoneInfo(workspace.timezone)).date().replace(day=1)


def requests_this_month(workspace: Workspace) -> int:
    usage = AIUsage.objects.filter(workspace=workspace, month=this_month(workspace)).first()
    return usage.requests if usage else 0


def _take_credit(workspace: Workspace) -> tuple[AIUsage, bool]:
    """One request is one credit, counted before the call with the workspace row locked, so two
    requests at once can't both take the last one. Returns (usage row, store): the workspace's
    AI-training choice as it is now."""
    with transaction.atomic():
        locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
        usage, _ = AIUsage.objects.get_or_create(workspace=locked, month=this_month(locked))
        limits.require(locked, limits.AI_CREDITS_MONTH, in_use=usage.requests)
        AIUsage.objects.filter(pk=usage.pk).update(requests=F("requests") + 1)
    return usage, locked.ai_training_opt_in


def _give_back(usage: AIUsage) -> None:
    """The provider answered with an error and wrote nothing: the credit was not used."""
    AIUsage.objects.filter(pk=usage.pk, requests__gt=0).update(requests=F("requests") - 1)


def _open_stream(prompt: prompts.Prompt, store: bool) -> openai.Stream:
    """The streamed call, retried once on a 5xx or a lost connection (nothing was written)."""
    attempts = 1 + max(settings.OPENAI_MAX_RETRIES, 0)
    for attempt in range(attempts):
        try:
            return client.client().responses.create(
                model=settings.OPENAI_MODEL,
                instructions=prompt.instructions,
                input=[
                    {
                        "role": "user",
                        "content": [{"type": "input_text", "text": prompt.user_message}],
                    }
                ],
                store=store,  # the workspace's AI-training choice, on every call
                stream=True,
            )
        except openai.OpenAIError as error:
            failed = client.failure(error)
            if not failed.retryable or attempt == attempts - 1:
                raise failed from None
            time.sleep(RETRY_PAUSE)
    raise AssertionError("unreachable")


def generate(
    workspace: Workspace,
    user: User,
    purpose: str,
    material: dict,
    *,
    network: str = "",
    network_label: str = "",
    limit: int | None = None,
    subject: str = "",
    check: Callable[[str], list[str]] | None = None,
) -> Iterator[Event]:
    """Stream one draft; `check` returns the output's problems (the network's validation)."""
    if not client.configured():
        yield "error", {"message": client.NOT_CONFIGURED}
        return
    try:
        usage, store = _take_credit(workspace)
    except limits.PlanLimitExceeded as refused:
        yield "error", {"message": str(refused), "upgrade_url": refused.upgrade_url}
        return
    except UserFacingError as refused:
        yield "error", {"message": str(refused)}
        return
    prompt = prompts.build(purpose, material, network=network_label, limit=limit)
    parts: list[str] = []
    refusal = ""
    answer = None
    try:
        stream = _open_stream(prompt, store)
        for event in stream:
            if event.type == "response.output_text.delta":
                parts.append(event.delta)
                yield "delta", {"text": event.delta}
            elif event.type == "response.refusal.done":
                refusal = event.refusal
            elif event.type in ("response.completed", "response.incomplete"):
                answer = event.response
            elif event.type in ("response.failed", "error"):
                raise client.ProviderFailed(
                    "The AI provider could not finish the draft. Try again."
                )
    except client.ProviderFailed as failed:
        if not parts:
            _give_back(usage)
        yield "error", {"message": str(failed)}
        return
    except openai.OpenAIError as error:  # the stream broke after it started
        yield "error", {"message": str(client.failure(error))}
        return
    text = "".join(parts).strip()
    tokens = (
        (answer.usage.input_tokens, answer.usage.output_tokens)
        if answer and answer.usage
        else (0, 0)
    )
    AIUsage.objects.filter(pk=usage.pk).update(tokens=F("tokens") + sum(tokens))
    if refusal or not text:
        why = refusal or "The AI provider returned no text. Try rephrasing your input."
        yield "error", {"message": f"The AI declined: {why}" if refusal else why}
        return
    generation = AIGeneration.objects.create(
        workspace=workspace,
        user=user,
        purpose=purpose,
        network=network,
        input_text=prompt.material,
        output_text=text,
        model=(answer.model if answer else "") or settings.OPENAI_MODEL,
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        subject=subject,
    )
    yield (
        "done",
        {"generation": generation.pk, "text": text, "problems": check(text) if check else []},
    )

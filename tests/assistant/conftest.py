"""AI drafts against the emulator's OpenAI: a workspace, its owner, and reading the streams."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from connections.models import ConnectedAccount


def events(response) -> list[tuple[str, dict]]:
    """The (event, data) pairs of a text/event-stream answer."""
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()
    found = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def final(response) -> tuple[str, dict]:
    return events(response)[-1]


@pytest.fixture
def ai_client(client, owner, emulator):
    # Streams come whole and at once (tests/assistant/test_streaming.py turns the pause back on).
    emulator.control("POST", "openai/stream", {"delta_delay_ms": 0})
    client.force_login(owner.user)
    return client


@pytest.fixture
def sent(emulator):
    """sent() -> the bodies the emulator's OpenAI received, oldest first."""
    return lambda: [r["body"] for r in emulator.control("GET", "openai/requests")]


@pytest.fixture
def ai_fault(emulator):
    return lambda kind, **extra: emulator.control("POST", "openai/faults", {"kind": kind, **extra})


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name="Acme on X"
    )


def url(name: str, *args: object) -> str:
    return reverse(name, args=["acme", *args])

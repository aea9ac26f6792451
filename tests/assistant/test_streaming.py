"""The draft reaches the page while the provider is still writing it: the emulator sends its
deltas apart in time, and each one passes through the real openai client, the view and the
middleware as it comes, not at the end."""

from __future__ import annotations

import statistics
import time
from itertools import pairwise

from tests.assistant.conftest import url

DELAY_MS = 80


def test_each_delta_leaves_the_view_while_the_provider_is_still_writing(ai_client, emulator):
    emulator.control("POST", "openai/stream", {"delta_delay_ms": DELAY_MS})
    response = ai_client.post(
        url("ai_caption"), {"brief": "Fresh oat milk latte at the harbour shop this Friday"}
    )
    assert "Content-Encoding" not in response  # nothing compresses (so buffers) the stream

    arrivals: list[tuple[float, str]] = []
    for chunk in response.streaming_content:  # one event per chunk, read as the view yields it
        name = chunk.decode().split("\n", 1)[0].removeprefix("event: ")
        arrivals.append((time.monotonic(), name))

    deltas = [at for at, name in arrivals if name == "delta"]
    done_at = next(at for at, name in arrivals if name == "done")
    assert len(deltas) >= 8
    # Sent all at once, every gap would be ~0 and the first delta would come just before the end.
    assert statistics.median(b - a for a, b in pairwise(deltas)) >= DELAY_MS / 1000 / 2
    assert done_at - deltas[0] >= (len(deltas) - 1) * DELAY_MS / 1000 * 0.8

"""Draft events as a server-sent event stream for the page (static/js/assistant.js reads it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from .drafts import Event


def _encode(events: Iterable[Event]) -> Iterator[bytes]:
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def event_stream(events: Iterable[Event]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_encode(events), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the stream back
    return response

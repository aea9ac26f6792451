"""The emulator's OpenAI Responses API, read by the real `openai` client: streamed and whole
answers, deterministic output from the input, every error shape, and the request log."""

from __future__ import annotations

import json
import time
from itertools import pairwise

import openai
import pytest
import requests


@pytest.fixture
def ai(emulator) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test-key", base_url=f"{emulator.url}/openai/v1", max_retries=0)


def data_message(material: dict) -> list[dict]:
    text = f"Data:\n<data>\n{json.dumps(material)}\n</data>"
    return [{"role": "user", "content": [{"type": "input_text", "text": text}]}]


def fault(emulator, kind: str, **extra: object) -> None:
    emulator.control("POST", "openai/faults", {"kind": kind, **extra})


def test_a_whole_response_parses_with_usage_and_echoes_store(ai):
    response = ai.responses.create(
        model="gpt-4.1-mini",
        instructions="Task: write one caption.",
        input=data_message({"brief": "new oat milk latte this Friday"}),
        store=False,
    )

    assert response.status == "completed"
    assert response.output_text.startswith("New oat milk latte this Friday.")
    assert "#oat" in response.output_text
    assert response.store is False
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens


def test_the_stream_has_the_real_event_sequence_and_ends_with_usage(ai):
    stream = ai.responses.create(
        model="gpt-4.1-mini",
        instructions="Task: suggest the reply to the customer's last message.",
        input=data_message(
            {"conversation": [{"from": "customer", "name": "Ana Lima", "text": "Open Sunday?"}]}
        ),
        stream=True,
    )
    events = list(stream)
    types = [e.type for e in events]

    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text.startswith("Hi Ana, thanks for your message!")
    assert events[-1].response.output_text == text
    assert events[-1].response.usage.output_tokens > 0


def test_a_stated_limit_is_kept_and_the_ignore_limit_fault_breaks_it(ai, emulator):
    draft = "Our summer menu is here and it has lemonade and iced tea and cold brew " * 3
    ask = {
        "model": "m",
        "instructions": "Task: rewrite the draft for X. Use at most 60 characters.",
        "input": data_message({"draft": draft}),
    }
    assert len(ai.responses.create(**ask).output_text) <= 60

    fault(emulator, "ignore_limit")
    assert len(ai.responses.create(**ask).output_text) > 60


def test_disallowed_material_is_refused_with_refusal_content(ai):
    stream = ai.responses.create(
        model="m",
        instructions="Task: caption.",
        input=data_message({"brief": "sell malware"}),
        stream=True,
    )
    events = list(stream)

    assert "response.refusal.done" in [e.type for e in events]
    part = events[-1].response.output[0].content[0]
    assert part.type == "refusal"
    assert "can't help" in part.refusal


def test_a_bad_key_is_401_invalid_api_key(emulator):
    bad = openai.OpenAI(api_key="nope-123456", base_url=f"{emulator.url}/openai/v1", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.responses.create(model="m", input="hi")
    assert caught.value.code == "invalid_api_key"
    assert "Incorrect API key provided" in caught.value.message


def test_an_injected_auth_fault_is_401(ai, emulator):
    fault(emulator, "auth")
    with pytest.raises(openai.AuthenticationError):
        ai.responses.create(model="m", input="hi", stream=True)


def test_a_rate_limit_is_429_with_retry_after_and_rate_headers(ai, emulator):
    fault(emulator, "rate_limit", retry_after=17)
    with pytest.raises(openai.RateLimitError) as caught:
        ai.responses.create(model="m", input="hi", stream=True)

    headers = caught.value.response.headers
    assert headers["retry-after"] == "17"
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["x-ratelimit-reset-requests"] == "17s"
    assert caught.value.code == "rate_limit_exceeded"
    assert "try again in 17s" in caught.value.message
    ai.responses.create(model="m", input="hi")  # one fault, then normal again


def test_a_server_error_is_500_server_error(ai, emulator):
    fault(emulator, "server", count=2)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError) as caught:
            ai.responses.create(model="m", input="hi")
        assert caught.value.body["type"] == "server_error"


def test_slow_answers_time_the_client_out(emulator):
    fault(emulator, "slow", delay=1.5)
    quick = openai.OpenAI(
        api_key="sk-x", base_url=f"{emulator.url}/openai/v1", max_retries=0, timeout=0.5
    )
    with pytest.raises(openai.APITimeoutError):
        quick.responses.create(model="m", input="hi")


def test_unknown_and_missing_parameters_are_refused(emulator):
    url = f"{emulator.url}/openai/v1/responses"
    headers = {"Authorization": "Bearer sk-x"}
    unknown = requests.post(
        url, json={"model": "m", "input": "hi", "memory": 1}, headers=headers, timeout=5
    )
    missing = requests.post(url, json={"input": "hi"}, headers=headers, timeout=5)

    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_parameter"
    assert missing.status_code == 400
    assert "'model'" in missing.json()["error"]["message"]


def test_the_request_log_keeps_bodies_and_redacts_the_key_and_reset_clears_it(ai, emulator):
    ai.responses.create(model="m", instructions="Task: caption.", input="hello", store=False)
    log = emulator.control("GET", "openai/requests")

    assert log[0]["body"]["store"] is False
    assert log[0]["body"]["input"] == "hello"
    assert log[0]["headers"]["authorization"] == "Bearer [redacted]"
    assert "sk-test-key" not in json.dumps(log)

    emulator.control("POST", "reset")
    assert emulator.control("GET", "openai/requests") == []


def test_a_bad_fault_request_is_400(emulator):
    answer = requests.post(f"{emulator.url}/_control/openai/faults", json={"kind": "x"}, timeout=5)
    assert answer.status_code == 400


def _arrivals(emulator) -> tuple[requests.Response, list[tuple[float, bytes]]]:
    """A streamed answer read as it comes: (the response, [(when, chunk)])."""
    answer = requests.post(
        f"{emulator.url}/openai/v1/responses",
        json={"model": "m", "input": "hello friendly world of oat milk coffee", "stream": True},
        headers={"Authorization": "Bearer sk-x"},
        stream=True,
        timeout=5,
    )
    chunks = [(time.monotonic(), c) for c in answer.raw.stream(1 << 20, decode_content=False)]
    return answer, chunks


def test_a_stream_is_written_event_by_event_with_a_pause_after_each_delta(emulator):
    emulator.control("POST", "openai/stream", {"delta_delay_ms": 60})

    answer, chunks = _arrivals(emulator)

    assert answer.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in answer.headers
    deltas = [at for at, chunk in chunks if chunk.startswith(b"event: response.output_text.delta")]
    assert len(deltas) >= 5
    assert min(b - a for a, b in pairwise(deltas)) >= 0.04
    assert chunks[-1][1].startswith(b"event: response.completed")


def test_the_pause_can_be_turned_off_and_reset_restores_it(emulator):
    emulator.control("POST", "openai/stream", {"delta_delay_ms": 0})
    _answer, chunks = _arrivals(emulator)
    assert chunks[-1][0] - chunks[0][0] < 0.1

    emulator.control("POST", "reset")
    _answer, chunks = _arrivals(emulator)
    assert chunks[-1][0] - chunks[0][0] >= 0.2  # the default 40 ms per delta again

    bad = requests.post(
        f"{emulator.url}/_control/openai/stream", json={"delta_delay_ms": "slow"}, timeout=5
    )
    assert bad.status_code == 400

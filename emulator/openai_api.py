"""OpenAI's Responses API (`POST /openai/v1/responses`), streaming included, for the AI drafts.

A stand-in "model" with deterministic output derived from the input: it reads the task from
the instructions (caption, rewrite, hashtags, reply), the material from the first JSON object
in the user's message, and a limit stated as "at most N characters". Shapes follow the API
reference (platform.openai.com/docs/api-reference/responses/create and /responses-streaming)
and the error guide (platform.openai.com/docs/guides/error-codes); the control API injects
errors and shows what was sent (the API key redacted) so tests can check it. A streamed
answer is written event by event, with a pause after each text delta (as a model produces
tokens), so clients see it arrive piece by piece.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import time
from collections.abc import Iterator

from emulator.server import Request, Response, Service, json_response
from emulator.state import STATE

service = Service(None)  # logs and faults of its own: the request log redacts the API key

# Parameters of POST /v1/responses (API reference); anything else is refused, as OpenAI does.
_KNOWN = frozenset(
    [
        "background",
        "conversation",
        "include",
        "input",
        "instructions",
        "max_output_tokens",
        "max_tool_calls",
        "metadata",
        "model",
        "parallel_tool_calls",
        "previous_response_id",
        "prompt",
        "prompt_cache_key",
        "reasoning",
        "safety_identifier",
        "service_tier",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "truncation",
        "user",
    ]
)
FAULT_KINDS = ("auth", "rate_limit", "server", "slow", "ignore_limit")
# Material mentioning one of these is refused (output content of type "refusal").
DISALLOWED = ("weapon", "explosive", "malware", "counterfeit")
REFUSAL = "I'm sorry, but I can't help with that request."
DELTA_DELAY_MS = 40  # the pause after each streamed delta unless /_control/openai/stream sets it
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "were",
        "will",
        "with",
        "you",
        "your",
        "us",
        "me",
        "my",
        "i",
    ]
)


def _world() -> dict:
    """Requests and faults; `STATE.table` is cleared by /_control/reset."""
    table = STATE.table("openai")
    table.setdefault("requests", [])
    table.setdefault("faults", [])
    table.setdefault("delta_delay_ms", DELTA_DELAY_MS)
    return table


def _error(status: int, message: str, kind: str, code: str | None, **headers: str) -> Response:
    # {"error": {"message", "type", "param", "code"}}: platform.openai.com/docs/guides/error-codes
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return json_response(body, status, {"x-request-id": _id("req_"), **headers})


def _id(prefix: str) -> str:
    return prefix + secrets.token_hex(24)


def _redacted(headers: dict[str, str]) -> dict[str, str]:
    shown = dict(headers)
    if "authorization" in shown:
        shown["authorization"] = "Bearer [redacted]"
    return shown


def _take_fault() -> dict | None:
    faults = _world()["faults"]
    if not faults:
        return None
    fault = faults[0]
    fault["count"] -= 1
    if fault["count"] <= 0:
        faults.pop(0)
    return fault


def _rate_headers(remaining: int, reset: str) -> dict[str, str]:
    # platform.openai.com/docs/guides/rate-limits ("Rate limits in headers").
    return {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-limit-tokens": "200000",
        "x-ratelimit-remaining-requests": str(remaining),
        "x-ratelimit-remaining-tokens": "199000" if remaining else "0",
        "x-ratelimit-reset-requests": reset,
        "x-ratelimit-reset-tokens": reset,
    }


def _auth_error(req: Request) -> Response | None:
    key = req.bearer_token()
    if not key:
        return _error(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "invalid_request_error",
            None,
        )
    if not key.startswith("sk-"):  # real keys are sk-..., sk-proj-...
        return _invalid_key(key)
    return None


def _invalid_key(key: str) -> Response:
    shown = f"{key[:3]}{'*' * max(len(key) - 7, 0)}{key[-4:]}" if len(key) > 7 else key
    return _error(
        401,
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    )


def _fault_response(fault: dict, model: str, key: str) -> Response | None:
    kind = fault["kind"]
    if kind == "auth":
        return _invalid_key(key)
    if kind == "rate_limit":
        wait = int(fault["retry_after"])
        return _error(
            429,
            f"Rate limit reached for {model} in organization org-emulator on requests per min "
            f"(RPM): Limit 500, Used 500, Requested 1. Please try again in {wait}s. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            "requests",
            "rate_limit_exceeded",
            **{"retry-after": str(wait)},
            **_rate_headers(0, f"{wait}s"),
        )
    if kind == "server":
        return _error(
            500,
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            None,
        )
    return None


@service.route("POST", r"/openai/v1/responses")
def create_response(req: Request) -> Response:
    body = req.json if isinstance(req.json, dict) else None
    _world()["requests"].append({"headers": _redacted(req.headers), "body": body})
    if denied := _auth_error(req):
        return denied
    if body is None:
        return _error(
            400, "We could not parse the JSON body of your request.", "invalid_request_error", None
        )
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        return _error(
            400, f"Unknown parameter: '{unknown[0]}'.", "invalid_request_error", "unknown_parameter"
        )
    for name in ("model", "input"):
        if not body.get(name):
            return _error(
                400,
                f"Missing required parameter: '{name}'.",
                "invalid_request_error",
                "missing_required_parameter",
            )
    fault = _take_fault()
    if fault and (answer := _fault_response(fault, str(body["model"]), req.bearer_token() or "")):
        return answer
    if fault and fault["kind"] == "slow":
        with STATE.unlocked():
            time.sleep(fault["delay"])
    ignore_limit = bool(fault and fault["kind"] == "ignore_limit")
    response = _response(body, ignore_limit)
    headers = {
        "x-request-id": _id("req_"),
        "openai-processing-ms": "42",
        **_rate_headers(499, "120ms"),
    }
    if body.get("stream"):
        return Response(
            200,
            headers={"Content-Type": "text/event-stream; charset=utf-8", **headers},
            stream=_sse(_events(response), _world()["delta_delay_ms"] / 1000),
        )
    return json_response(response, 200, headers)


# --- the stand-in model ----------------------------------------------------------------------


def _user_text(items: object) -> str:
    """The text of the user's message(s): a string input, or input_text parts of user items."""
    if isinstance(items, str):
        return items
    texts = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or item.get("role", "user") != "user":
            continue
        content = item.get("content")
        if isinstance(content, str):
            texts.append(content)
        texts.extend(
            str(part.get("text", ""))
            for part in (content if isinstance(content, list) else [])
            if isinstance(part, dict) and part.get("type") == "input_text"
        )
    return "\n".join(texts)


def _material(text: str) -> object:
    """The first JSON value opening with `{` in the text, else the text itself."""
    start = text.find("{")
    while start != -1:
        try:
            return json.JSONDecoder().raw_decode(text, start)[0]
        except ValueError:
            start = text.find("{", start + 1)
    return text


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _words(text: str) -> list[str]:
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z0-9']+", text):
        lowered = word.lower()
        if lowered not in _STOPWORDS and len(lowered) > 2 and lowered not in seen:
            seen.append(lowered)
    return seen


def _limit(text: str) -> int | None:
    found = re.search(r"at most ([\d,]+) characters", text)
    return int(found.group(1).replace(",", "")) if found else None


def _fit(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return cut + "…"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _caption(material: object) -> str:
    brief = " ".join(_strings(material))
    tags = " ".join(f"#{w}" for w in _words(brief)[:2])
    return f"{_sentence(brief)} Don't miss it! {tags}".strip()


def _rewrite(material: object) -> str:
    draft = " ".join(_strings(material))
    return _sentence(draft.replace(" and ", " & "))


def _hashtags(material: object) -> str:
    return " ".join(f"#{w}" for w in _words(" ".join(_strings(material)))[:5])


def _reply(material: object) -> str:
    messages = [m for m in _strings_of_thread(material) if m.get("from") == "customer"]
    last = messages[-1] if messages else {}
    first_name = str(last.get("name", "")).split(" ")[0] or "there"
    said = " ".join(str(last.get("text", "")).split())
    answer = (
        f"About “{_fit(said, 60)}”: we'll check and come back to you today."
        if "?" in said
        else "We're glad you reached out, and we're on it."
    )
    return f"Hi {first_name}, thanks for your message! {answer}"


def _strings_of_thread(material: object) -> list[dict]:
    """The thread's messages: the first list of objects in the material."""
    if isinstance(material, dict):
        for value in material.values():
            if isinstance(value, list) and all(isinstance(m, dict) for m in value):
                return value
    return []


def _task(instructions: str) -> str:
    lowered = instructions.lower()
    for task in ("hashtag", "reply", "rewrite"):
        if task in lowered:
            return task
    return "caption"


def _output(body: dict, ignore_limit: bool) -> tuple[str, bool]:
    """(text, refused)."""
    instructions = str(body.get("instructions") or "")
    user = _user_text(body.get("input"))
    material = _material(user)
    if any(word in " ".join(_strings(material)).lower() for word in DISALLOWED):
        return REFUSAL, True
    task = _task(instructions)
    text = {"hashtag": _hashtags, "reply": _reply, "rewrite": _rewrite}.get(task, _caption)(
        material
    )
    limit = None if ignore_limit else _limit(f"{instructions}\n{user}")
    if ignore_limit and task == "rewrite":
        text = f"{text} {text}"  # a model that ignored the stated limit
    return _fit(text, limit), False


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))  # ~4 characters a token (OpenAI's rule of thumb)


def _response(body: dict, ignore_limit: bool) -> dict:
    text, refused = _output(body, ignore_limit)
    part = (
        {"type": "refusal", "refusal": text}
        if refused
        else {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    )
    sent = str(body.get("instructions") or "") + _user_text(body.get("input"))
    usage = {
        "input_tokens": _tokens(sent),
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": _tokens(text),
        "output_tokens_details": {"reasoning_tokens": 0},
    }
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    return {
        "id": _id("resp_"),
        "object": "response",
        "created_at": int(STATE.now()),
        "status": "completed",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": body["model"],
        "output": [
            {
                "id": _id("msg_"),
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [part],
            }
        ],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": body.get("store", True),  # the API's default is to store
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def _chunks(text: str) -> list[str]:
    """Word-sized deltas, spaces kept, as a model streams tokens."""
    return re.findall(r"\s*\S+", text) or [text]


def _events(final: dict) -> list[dict]:
    """The event sequence of a streamed response (API reference, "Streaming events")."""
    item = final["output"][0]
    part = item["content"][0]
    refused = part["type"] == "refusal"
    text = part["refusal"] if refused else part["text"]
    started = {**final, "status": "in_progress", "output": [], "usage": None}
    empty_part = {"type": "refusal", "refusal": ""} if refused else {**part, "text": ""}
    where = {"item_id": item["id"], "output_index": 0, "content_index": 0}
    events: list[dict] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "status": "in_progress", "content": []},
        },
        {"type": "response.content_part.added", **where, "part": empty_part},
    ]
    if refused:
        events += [{"type": "response.refusal.delta", **where, "delta": d} for d in _chunks(text)]
        events.append({"type": "response.refusal.done", **where, "refusal": text})
    else:
        events += [
            {"type": "response.output_text.delta", **where, "delta": d, "logprobs": []}
            for d in _chunks(text)
        ]
        events.append({"type": "response.output_text.done", **where, "text": text, "logprobs": []})
    events += [
        {"type": "response.content_part.done", **where, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": final},
    ]
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events


def _sse(events: list[dict], delta_delay: float) -> Iterator[bytes]:
    """One server-sent event per piece, pausing after each delta. Runs while the server writes
    the answer, outside the state lock (it reads nothing from the state)."""
    for event in events:
        yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
        if delta_delay and event["type"].endswith(".delta"):
            time.sleep(delta_delay)


# --- control ---------------------------------------------------------------------------------


@service.route("POST", r"/_control/openai/faults")
def add_fault(req: Request) -> Response:
    """{"kind": auth|rate_limit|server|slow|ignore_limit, "count"?: 1, "retry_after"?: 20,
    "delay"?: 1}: the next `count` responses calls fail (or are slow, or overrun the limit)."""
    payload = req.json if isinstance(req.json, dict) else {}
    kind = payload.get("kind")
    if kind not in FAULT_KINDS:
        return json_response({"error": f"kind must be one of {', '.join(FAULT_KINDS)}"}, 400)
    try:
        fault = {
            "kind": kind,
            "count": max(int(payload.get("count", 1)), 1),
            "retry_after": max(int(payload.get("retry_after", 20)), 0),
            "delay": max(float(payload.get("delay", 1)), 0.0),
        }
    except (TypeError, ValueError):
        return json_response({"error": "count, retry_after and delay must be numbers"}, 400)
    _world()["faults"].append(fault)
    return json_response(fault, 201)


@service.route("POST", r"/_control/openai/stream")
def stream_settings(req: Request) -> Response:
    """{"delta_delay_ms": 40}: the pause after each streamed delta (0: the whole stream at
    once). /_control/reset restores the default."""
    payload = req.json if isinstance(req.json, dict) else {}
    try:
        delay = max(int(payload["delta_delay_ms"]), 0)
    except (KeyError, TypeError, ValueError):
        return json_response({"error": "delta_delay_ms must be a number of milliseconds"}, 400)
    _world()["delta_delay_ms"] = delay
    return json_response({"delta_delay_ms": delay})


@service.route("GET", r"/_control/openai/requests")
def requests_log(req: Request) -> Response:
    """Every request received, oldest first: {"headers" (API key redacted), "body"}."""
    return json_response(_world()["requests"])

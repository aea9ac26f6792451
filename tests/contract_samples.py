"""The platforms' documented samples, kept in tests/contracts/<network>/*.json with their
source: `{"source", "description", "status"?, "headers"?, "payload"}`. Parsers and error
classifiers are tested on them as well as on the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import requests

CONTRACTS = Path(__file__).resolve().parent / "contracts"


def sample(network: str, name: str) -> dict:
    return json.loads((CONTRACTS / network / f"{name}.json").read_text())


def http_response(status: int, payload: object, headers: dict | None = None) -> requests.Response:
    """A requests Response as the platform would send it, for a connector's `classify`."""
    answer = requests.Response()
    answer.status_code = status
    answer._content = b"" if payload is None else json.dumps(payload).encode()
    answer.headers.update({"Content-Type": "application/json", **(headers or {})})
    return answer


def sample_response(network: str, name: str) -> requests.Response:
    documented = sample(network, name)
    return http_response(
        documented.get("status") or 200, documented["payload"], documented.get("headers")
    )

"""Conventions every Graph endpoint shares: the error shape, parameters (query, form or JSON),
`fields` selection, timestamps and cursor paging."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from emulator.server import Abort, Request, Response, json_response

GRAPH = r"/graph/v\d+\.\d+"

Fields = list[tuple[str, str | None]]  # (field name, nested field list or None)
Getter = Callable[[str | None], object]  # nested field list -> the field's value (None: absent)


def graph_error(
    status: int,
    code: int,
    message: str,
    subcode: int | None = None,
    *,
    transient: bool = False,
    headers: dict | None = None,
    user: tuple[str, str] | None = None,
) -> Response:
    """A Graph error; `user` is the (error_user_title, error_user_msg) some errors carry."""
    error: dict = {"message": message, "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    if user:
        error["error_user_title"], error["error_user_msg"] = user
    error["fbtrace_id"] = secrets.token_urlsafe(8)
    error["is_transient"] = transient
    return json_response({"error": error}, status, headers)


def invalid(message: str, subcode: int | None = None) -> Abort:
    return Abort(graph_error(400, 100, message, subcode))


def missing_permission(code: int, message: str) -> Abort:
    """A permission error (code 10 or 200-299): the token lacks a scope or a role."""
    return Abort(graph_error(403, code, message))


def arg(req: Request, name: str) -> object:
    """A Graph parameter: from a form or multipart body, a JSON body, or the query string."""
    if name in req.form:
        return req.form[name]
    if isinstance(req.json, dict) and name in req.json:
        return req.json[name]
    return req.query.get(name)


def text_arg(req: Request, name: str) -> str:
    value = arg(req, name)
    return value if isinstance(value, str) else ""


def flag(req: Request, name: str, default: bool) -> bool:
    value = arg(req, name)
    if value is None or value == "":
        return default
    return value is True or str(value).lower() in ("true", "1")


def graph_time(moment: float) -> str:
    """2026-05-01T10:00:00+0000, the Graph's timestamp format."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_fields(raw: str | None, default: list[str]) -> Fields:
    """Split `id,picture.type(large),instagram_business_account{id,username}` into names and
    nested field lists."""
    if not raw:
        return [(name, None) for name in default]
    items, depth, current = [], 0, ""
    for char in raw + ",":
        depth += (char in "{(") - (char in "})")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    fields = []
    for item in filter(None, items):
        name = re.split(r"[.{(]", item, maxsplit=1)[0]
        nested = item[item.index("{") + 1 : item.rindex("}")] if "{" in item else None
        fields.append((name, nested))
    return fields


def render(node_type: str, getters: dict[str, Getter], fields: Fields) -> dict:
    """Only the requested fields; an unknown one is an error, as on the real Graph."""
    node = {}
    for name, nested in fields:
        if name not in getters:
            message = (
                f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
            )
            raise invalid(message)
        value = getters[name](nested)
        if value is not None:
            node[name] = value
    return node


def unsupported(node_id: str, verb: str = "get") -> Abort:
    return invalid(
        f"Unsupported {verb} request. Object with ID '{node_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation.",
        33,
    )


def _cursor(item_id: str) -> str:
    return base64.b64encode(item_id.encode()).decode()


def paginate(req: Request, ids: list[str], default_limit: int = 25) -> tuple[list[str], dict]:
    """The ids of the page `limit`/`after` ask for, and the Graph `paging` object for it
    (`next` is an absolute URL while more remain; empty when the page is empty)."""
    try:
        limit = int(req.param("limit") or default_limit)
        after = base64.b64decode(req.param("after") or "", validate=True).decode()
    except (ValueError, binascii.Error):
        raise invalid("(#100) Invalid limit or after cursor") from None
    if limit < 1 or (after and after not in ids):
        raise invalid("(#100) Invalid limit or after cursor")
    start = ids.index(after) + 1 if after else 0
    chunk = ids[start : start + limit]
    if not chunk:
        return [], {}
    paging: dict = {"cursors": {"before": _cursor(chunk[0]), "after": _cursor(chunk[-1])}}
    if start + limit < len(ids):
        query = {**req.query, "after": _cursor(chunk[-1])}
        paging["next"] = f"{req.base_url}{quote(req.path)}?{urlencode(query)}"
    return chunk, paging

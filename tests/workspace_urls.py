"""Every URL pattern under /w/<slug>/, filled in with real objects, for the walkers in
test_tenancy and test_roles."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

WORKSPACE_PREFIX = "w/<slug:slug>/"
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _walk(patterns: list, prefix: str = "") -> object:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def workspace_routes() -> list[tuple[str, URLPattern]]:
    """(route, URLPattern) for every pattern the root URLconf serves under /w/."""
    return [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if route.startswith(WORKSPACE_PREFIX)
    ]


def _object_for(route: str, objects: dict[str, object]) -> object:
    if "invitation" in route:
        return objects["invitation"]
    if "connections" in route:
        return objects["account"]
    return objects["membership"]


def fill(route: str, slug: str, objects: dict[str, object]) -> str:
    """The concrete path of `route` for workspace `slug`; ids come from `objects`
    (keys: membership, invitation, account)."""

    def value(match: re.Match) -> str:
        converter, name = match.group("converter") or "str", match.group("name")
        if name == "slug":
            return slug
        if converter == "int":
            return str(_object_for(route, objects).pk)
        if name == "provider":
            return "x"
        raise AssertionError(f"Teach the URL walker to fill <{converter}:{name}> in {route}")

    return "/" + _PARAM.sub(value, route)

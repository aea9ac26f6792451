"""What pages drawing many rows repeat on every row, made once (issue 15): a per-row
{% include %} or {% url %} costs more than the row's own data. `{% load rows %}`."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

register = template.Library()

# A number no real key has, to find where a key goes in a reversed URL.
_MARKER = 987654321987


@cache
def platform_icon_svg(platform: str) -> SafeString:
    """The platform's icon as {% include "connections/platform_icon.html" %} draws it: the
    icons are plain SVG files (no template tags), so each is read once per process, found by
    the template loaders as the include finds it."""
    return mark_safe(get_template(f"platforms/icons/{platform}.svg").template.source)  # noqa: S308


@register.simple_tag
def platform_icon(platform: str) -> SafeString:
    return platform_icon_svg(platform)


def url_maker(viewname: str, *args: object) -> Callable[[int], str]:
    """reverse(viewname, args=[*args, key]) for many keys at the cost of one reverse(): the
    URL is made once with a marker key and the key put in its place."""
    url = reverse(viewname, args=[*args, _MARKER])
    head, marker, tail = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in tail:
        raise ValueError(f"{viewname}: the key is not in the URL once")
    return lambda key: f"{head}{int(key)}{tail}"


def truncated(text: str, length: int) -> str:
    """What |truncatechars:length gives, without its character-by-character walk for the
    texts that fit (most of a page's rows)."""
    text = unicodedata.normalize("NFC", str(text))
    return text if len(text) <= length else Truncator(text).chars(length)

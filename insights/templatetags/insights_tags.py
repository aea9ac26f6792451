from __future__ import annotations

from django import template

from .. import charts

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    """An engagement rate (0.0321) as 3.21%."""
    return charts.percent(value)


@register.filter
def number(value: float | None) -> str:
    """1,234; a dash where the network gave no number."""
    return charts.whole(value)


@register.filter
def provides(row: object, metric: str) -> bool:
    """Whether a network row (queries.NetworkRow) counts this metric."""
    return row.provides(metric)


@register.filter
def signed_percent(value: float | None) -> str:
    """An effect (0.23) as +23%."""
    return "–" if value is None else f"{value * 100:+.0f}%"

"""Server-rendered SVG charts: plain functions from numbers to markup, no script.

Every chart comes with the table of its numbers (the template shows it behind "Show table"),
a <title> and <desc>, and each point or bar carries its value as a tooltip. Colours come from
classes in app.css; text is escaped here, so the markup is safe to put in a template."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 260
TOP, BOTTOM, SIDE = 16, 34, 52
MAX_X_LABELS = 7
LABEL_GAP = 64  # the least room between two x-axis labels
# Above this many points a line is drawn without its dots (the table still has every value).
MAX_DOTS = 120


def compact(value: float | None) -> str:
    """12.3K, 4.5M: short enough for an axis."""
    if value is None:
        return "–"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}".removesuffix(".0") + suffix
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def whole(value: float | None) -> str:
    """1,234 for tables."""
    return "–" if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    """A rate (0.0321) as 3.21%."""
    return "–" if value is None else f"{value * 100:.2f}%"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    style: str = "line"  # "line" or "bars"
    axis: str = "left"  # "left" or "right": a second scale for numbers of another size
    axis_format: Callable[[float | None], str] = compact
    table_format: Callable[[float | None], str] = whole


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    description: str
    headers: list[str]
    rows: list[list[str]]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, css modifiers)

    @property
    def table(self) -> SafeString:
        """The chart's numbers as an HTML table (built here: a year of days is 365 rows)."""
        head = "".join(
            f'<th scope="col"{"" if n == 0 else ' class="num"'}>{escape(h)}</th>'
            for n, h in enumerate(self.headers)
        )
        body = "".join(
            f'<tr><th scope="row">{escape(first)}</th>'
            + "".join(f'<td class="num">{escape(cell)}</td>' for cell in rest)
            + "</tr>"
            for first, *rest in self.rows
        )
        return mark_safe(  # noqa: S308 - every text above is escaped
            f'<table class="table table--compact"><caption class="sr-only">{escape(self.title)}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def nice_ticks(largest: float, count: int = 4) -> list[float]:
    """0 and up to `count` round steps (1, 2, 2.5 or 5 × 10ⁿ) reaching at least `largest`."""
    if largest <= 0:
        return [0, 1]
    raw = largest / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    steps = math.ceil(largest / step - 1e-9)
    return [step * n for n in range(steps + 1)]


def _precise(
    axis_format: Callable[[float | None], str], ticks: list[float]
) -> Callable[[float | None], str]:
    """Whole numbers where "12.3K" would print several ticks alike (1,660, 1,680, …)."""
    if axis_format is compact and len(ticks) > 1 and ticks[1] - ticks[0] < 100 <= ticks[-1]:
        return whole
    return axis_format


def _ticks(values: list[float], from_zero: bool) -> list[float]:
    """The axis: from 0, or from a round number under the smallest value."""
    largest = max(values, default=0)
    if from_zero or not values:
        return nice_ticks(largest)
    smallest = min(values)
    spread = nice_ticks(max(largest - smallest, largest * 0.02, 1))
    step = spread[1] - spread[0]
    low = math.floor(smallest / step) * step
    steps = max(math.ceil((largest - low) / step - 1e-9), 1)
    return [low + step * n for n in range(steps + 1)]


def time_chart(
    *,
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis_labels: Sequence[str] | None = None,
    positions: Sequence[float] | None = None,
    label_header: str = "Day",
    width: int = WIDTH,
    from_zero: bool = True,
) -> Chart:
    """A chart over time: `labels` name each point (full, for the table and tooltips),
    `axis_labels` (default: `labels`) are what the x axis shows, `positions` (0–1) place the
    points in time where they are not evenly spaced. `key` makes the ids unique on a page.
    Without `from_zero` the scale spans the values (a slowly growing count shows its growth);
    bars always start at zero."""
    count = len(labels)
    axis_labels = list(axis_labels or labels)
    has_right = any(s.axis == "right" for s in series)
    left, right = SIDE, width - (SIDE if has_right else 16)
    top, bottom = TOP, HEIGHT - BOTTOM
    ticks = {
        axis: _ticks(
            [v for s in series if s.axis == axis for v in s.values if v is not None],
            from_zero or any(s.style == "bars" for s in series),
        )
        for axis in ("left", "right")
    }
    band = (right - left) / max(count, 1)

    def x(index: int) -> float:
        if positions is not None:
            return left + 8 + (right - left - 16) * positions[index]
        return left + band * (index + 0.5)

    def y(value: float, axis: str) -> float:
        low, high = ticks[axis][0], ticks[axis][-1]
        return bottom - (bottom - top) * (value - low) / (high - low)

    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    parts = [
        f'<svg class="chart{" chart--narrow" if width < WIDTH else ""}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        '<g class="chart__grid" aria-hidden="true">',
    ]
    left_format = _precise(
        next((s.axis_format for s in series if s.axis == "left"), compact), ticks["left"]
    )
    right_format = _precise(
        next((s.axis_format for s in series if s.axis == "right"), compact), ticks["right"]
    )
    for tick in ticks["left"]:
        ty = y(tick, "left")
        parts.append(f'<line x1="{left}" x2="{right}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(
            f'<text class="chart__tick" x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(left_format(tick))}</text>"
        )
    if has_right:
        for tick in ticks["right"]:
            ty = y(tick, "right")
            parts.append(
                f'<text class="chart__tick" x="{right + 8}" y="{ty + 4:.1f}">'
                f"{escape(right_format(tick))}</text>"
            )
    every = max(1, math.ceil(count / MAX_X_LABELS))
    last_x, last_text, shown = -math.inf, "", 0
    for index in range(0, count, every):
        # Readings close in time would print over each other, or the same day twice.
        if x(index) - last_x < LABEL_GAP or axis_labels[index] == last_text:
            continue
        last_x, last_text = x(index), axis_labels[index]
        shown += 1
        minor = " chart__tick--minor" if shown % 2 == 0 else ""  # hidden on a phone
        parts.append(
            f'<text class="chart__tick{minor}" x="{x(index):.1f}" y="{HEIGHT - 10}" '
            f'text-anchor="middle">{escape(axis_labels[index])}</text>'
        )
    parts.append("</g>")
    for number, one in enumerate(series, start=1):
        parts.append(_bars(one, number, x, y, band, labels) if one.style == "bars" else "")
    for number, one in enumerate(series, start=1):
        parts.append(_line(one, number, x, y, labels, count) if one.style == "line" else "")
    parts.append("</svg>")
    return Chart(
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above is escaped
        title=title,
        description=description,
        headers=[label_header, *(s.label for s in series)],
        rows=[[labels[i], *(s.table_format(s.values[i]) for s in series)] for i in range(count)],
        legend=[(s.label, f"{n} chart-legend__item--{s.style}") for n, s in enumerate(series, 1)],
    )


def _bars(
    series: Series,
    number: int,
    x: Callable[[int], float],
    y: Callable[[float, str], float],
    band: float,
    labels: Sequence[str],
) -> str:
    width = max(band * 0.64, 1.0)
    bottom = y(0, series.axis)
    parts = [f'<g class="chart__bars chart__series--{number}">']
    for index, value in enumerate(series.values):
        if not value:
            continue
        top = y(value, series.axis)
        parts.append(
            f'<rect x="{x(index) - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
            f'height="{bottom - top:.1f}" rx="2"><title>{escape(labels[index])}: '
            f"{escape(series.table_format(value))} {escape(series.label.lower())}</title></rect>"
        )
    parts.append("</g>")
    return "".join(parts)


def _line(
    series: Series,
    number: int,
    x: Callable[[int], float],
    y: Callable[[float, str], float],
    labels: Sequence[str],
    count: int,
) -> str:
    """A line broken where a value is missing, with a dot and tooltip per value."""
    path, pen_down = [], False
    for index, value in enumerate(series.values):
        if value is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{x(index):.1f} {y(value, series.axis):.1f}")
        pen_down = True
    parts = [f'<g class="chart__line chart__series--{number}">']
    if path:
        parts.append(f'<path d="{" ".join(path)}" fill="none"/>')
    if count <= MAX_DOTS:
        for index, value in enumerate(series.values):
            if value is None:
                continue
            parts.append(
                f'<circle cx="{x(index):.1f}" cy="{y(value, series.axis):.1f}" r="3">'
                f"<title>{escape(labels[index])}: {escape(series.table_format(value))} "
                f"{escape(series.label.lower())}</title></circle>"
            )
    parts.append("</g>")
    return "".join(parts)

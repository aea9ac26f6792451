"""The best-times heatmap and the format effects as the page shows them: each hour of the week
coloured by its rate against the average, with its posts and confidence."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import charts
from .best_times import WEEKDAYS, BestTimes, Cell
from .formats import FormatReport

# Rate against the average -> heat level 1–5 (0: no rate). Bands around the average, so the
# colour means the same for every account: 3 is average, 5 at least 20 % above.
LEVELS = ((0.8, 1), (0.95, 2), (1.05, 3), (1.2, 4))
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DIMENSION_LABELS = {
    "format": "Format",
    "caption_length": "Caption length",
    "hashtags": "Hashtags",
}


@dataclass(frozen=True)
class HeatCell:
    cell: Cell
    level: int
    best: bool
    lift: float | None  # rate / average − 1

    @property
    def uncertain(self) -> bool:
        return bool(self.cell.posts) and self.cell.confidence == "low"

    @property
    def description(self) -> str:
        """What the cell says, in words (its tooltip and screen-reader text)."""
        name = f"{DAY_NAMES[self.cell.weekday]} {self.cell.hour:02d}:00"
        posts = f"{self.cell.posts} post{'' if self.cell.posts == 1 else 's'}"
        if self.cell.rate is None:
            return f"{name}: no data"
        if not self.cell.posts:
            return f"{name}: no posts yet (estimate {charts.percent(self.cell.rate)})"
        against = "" if self.lift is None else f", {self.lift * 100:+.0f}% against average"
        return (
            f"{name}: {charts.percent(self.cell.rate)} engagement{against} "
            f"({posts}, {self.cell.confidence} confidence)"
        )


@dataclass(frozen=True)
class HeatRow:
    day: str
    short: str
    cells: list[HeatCell]


def heat_table(rows: list[HeatRow]) -> SafeString:
    """The heatmap as an HTML table (built here: 168 cells are slow in a template loop)."""
    hours = "".join(
        f'<th scope="col"><span class="heatmap__hour{" is-shown" if hour % 3 == 0 else ""}">'
        f"{hour:02d}</span></th>"
        for hour in range(24)
    )
    body = "".join(
        f'<tr><th scope="row"><abbr title="{row.day}">{row.short}</abbr></th>'
        + "".join(_cell(heat) for heat in row.cells)
        + "</tr>"
        for row in rows
    )
    return mark_safe(  # noqa: S308 - only numbers and our own words, escaped below
        '<table class="heatmap" id="heatmap"><caption class="sr-only">Engagement rate by weekday'
        " and hour; each cell shows the number of posts published in that hour.</caption>"
        f"<thead><tr><td></td>{hours}</tr></thead><tbody>{body}</tbody></table>"
    )


def _cell(heat: HeatCell) -> str:
    classes = f"heatmap__cell heat-{heat.level}"
    classes += " is-uncertain" if heat.uncertain else ""
    classes += " is-best" if heat.best else ""
    text = escape(heat.description)
    posts = heat.cell.posts or ""
    return (
        f'<td class="{classes}" title="{text}"><span aria-hidden="true">{posts}</span>'
        f'<span class="sr-only">{text}</span></td>'
    )


def heat_level(rate: float | None, average: float | None) -> int:
    if rate is None or not average:
        return 0
    ratio = rate / average
    return next((level for limit, level in LEVELS if ratio < limit), 5)


def heat_rows(found: BestTimes) -> list[HeatRow]:
    """Seven rows (Monday first) of 24 hours."""
    best = {(c.weekday, c.hour) for c in found.best}
    average = found.average_rate
    rows = []
    for weekday in range(7):
        cells = [c for c in found.cells if c.weekday == weekday]
        rows.append(
            HeatRow(
                DAY_NAMES[weekday],
                WEEKDAYS[weekday],
                [
                    HeatCell(
                        cell,
                        # An hour without posts of its own is only the average pulled its way.
                        heat_level(cell.rate, average) if cell.posts else 0,
                        (cell.weekday, cell.hour) in best,
                        cell.rate / average - 1 if cell.rate is not None and average else None,
                    )
                    for cell in sorted(cells, key=lambda c: c.hour)
                ],
            )
        )
    return rows


@dataclass(frozen=True)
class EffectGroup:
    label: str
    effects: list


def effect_groups(report: FormatReport) -> list[EffectGroup]:
    """The effects per dimension, in the report's order."""
    groups: dict[str, list] = {}
    for effect in report.effects:
        groups.setdefault(effect.dimension, []).append(effect)
    return [
        EffectGroup(DIMENSION_LABELS.get(name, name.replace("_", " ").capitalize()), effects)
        for name, effects in groups.items()
    ]

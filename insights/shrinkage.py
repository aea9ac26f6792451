"""Empirical Bayes for engagement rates: how much a group of posts (an hour of the week, a
format) says about itself, and how much we keep believing the account's average instead.

Each group's rate is shrunk toward the account's mean as if `k` average posts were added to
it: (n·mean_group + k·mean_account) / (n + k). `k` is the ratio of the spread between posts of
one group (noise) to the spread between the groups' true rates (signal), estimated from the
data by one-way analysis of variance (method of moments). A strong, consistent pattern gives a
small k (the groups are believed quickly); no pattern gives a large one (every group stays at
the average). It is kept within [K_MIN, K_MAX], so one lucky post never counts for more than a
third of its group's rate, and a pattern never disappears entirely."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, QuerySet, Sum

K_MIN = 2.0
K_MAX = 30.0
# A group with fewer posts than this is never more than "low" confidence.
MIN_EVIDENCE = 2
# Below this many degrees of freedom the spread within groups is too thin to estimate alone,
# and the spread of all posts (an upper bound of it) is used.
MIN_WITHIN_DF = 10


@dataclass(frozen=True)
class Tally:
    """The posts of one group: how many (fractional once neighbours are weighed in), the sum of
    their rates and of their squares."""

    n: float = 0
    total: float = 0.0
    squares: float = 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.n + other.n, self.total + other.total, self.squares + other.squares)

    def scaled(self, weight: float) -> Tally:
        """This tally counted `weight` times (a neighbour's posts, at half weight)."""
        return Tally(self.n * weight, self.total * weight, self.squares * weight)


def tallies(rated: QuerySet, *fields: str) -> dict[tuple, Tally]:
    """One aggregate query: a Tally per value of `fields` over posts with a known rate."""
    rows = (
        rated.filter(engagement_rate__isnull=False)
        .values(*fields)
        .order_by()
        .annotate(
            n=Count("pk"),
            total=Sum("engagement_rate"),
            squares=Sum(F("engagement_rate") * F("engagement_rate"), output_field=FloatField()),
        )
    )
    return {
        tuple(row[f] for f in fields): Tally(row["n"], row["total"], row["squares"]) for row in rows
    }


@dataclass(frozen=True)
class Prior:
    """The account's average rate, the noise variance of one post around its group's rate,
    and k."""

    mean: float
    noise: float
    k: float

    def shrink(self, tally: Tally) -> float:
        return (tally.total + self.k * self.mean) / (tally.n + self.k)

    def standard_error(self, n: float) -> float:
        """Of a shrunk rate (its posterior standard deviation in the normal model)."""
        return math.sqrt(self.noise / (n + self.k))

    def confidence(self, tally: Tally) -> str:
        """How sure we are that the group differs from the account's average as shown: "high"
        when the average lies outside the shrunk rate ± 2 standard errors (about 95 %),
        "medium" outside ± 1 (about 68 %), else "low"; always "low" under MIN_EVIDENCE posts."""
        if tally.n < MIN_EVIDENCE:
            return "low"
        error = self.standard_error(tally.n)
        distance = abs(self.shrink(tally) - self.mean)
        if distance == 0:
            return "low"
        if distance >= 2 * error:
            return "high"
        return "medium" if distance >= error else "low"


def prior(groups: Iterable[Tally]) -> Prior | None:
    """The account's mean and k from its groups (one-way ANOVA); None without any post."""
    groups = [g for g in groups if g.n]
    everything = sum(groups, Tally())
    if not everything.n:
        return None
    n, mean = everything.n, everything.total / everything.n
    total_var = max(everything.squares / n - mean * mean, 0.0) * n / max(n - 1, 1)
    within_df = n - len(groups)
    if within_df >= MIN_WITHIN_DF:
        within = sum(g.squares - g.total * g.total / g.n for g in groups) / within_df
    else:
        within = total_var
    within = max(within, 0.0)
    if len(groups) < 2:
        return Prior(mean, within, K_MAX)
    between = sum(g.n * (g.total / g.n - mean) ** 2 for g in groups) / (len(groups) - 1)
    per_group = (n - sum(g.n * g.n for g in groups) / n) / (len(groups) - 1)
    signal = max((between - within) / per_group, 0.0) if per_group > 0 else 0.0
    k = within / signal if signal > 0 else K_MAX
    return Prior(mean, within, min(max(k, K_MIN), K_MAX))

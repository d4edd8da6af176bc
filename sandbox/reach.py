"""Reach model: heavy-tailed totals and how an article's reads spread over the days after it is sent."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from itertools import accumulate

# Share of an article's reads on day k after sending, in 1/10000. Most reads come on the first two
# days; a long thin tail lasts a month. Integers keep the daily split exact (it sums to the total).
_CURVE = (5500, 2200, 800, 400, 300, 200, 150, *([15] * 30))
_PREFIX = tuple(accumulate(_CURVE))


def lognormal_int(rng: random.Random, median: float, sigma: float, tail: float = 0.03) -> int:
    """A lognormal draw around `median`, with a rare Pareto boost so a few posts spread far."""
    value = rng.lognormvariate(math.log(max(median, 1.0)), sigma)
    if rng.random() < tail:
        value *= min(rng.paretovariate(1.2), 40.0)
    return max(0, round(value))


def portion(total: int, rate: float, rng: random.Random) -> int:
    """A count that is roughly `rate` of `total`, with multiplicative noise."""
    return max(0, round(total * rate * rng.uniform(0.5, 1.5)))


def _prefix(k: int) -> int:
    """Cumulative curve weight through day k (k >= 0)."""
    return _PREFIX[min(k, len(_PREFIX) - 1)]


def cumulative(total: int, sent: date, day: date, today: date) -> int:
    """How much of `total` (the count as of `today`) had accrued by the end of `day`."""
    k = (day - sent).days
    if k < 0:
        return 0
    elapsed = max((today - sent).days, 0)
    # Renormalise over the days that have passed, so the split of a recent post still sums to its total.
    return total * _prefix(min(k, elapsed)) // _prefix(elapsed)


def on_day(total: int, sent: date, day: date, today: date) -> int:
    """The part of `total` that accrued on `day` alone."""
    return cumulative(total, sent, day, today) - cumulative(total, sent, day - timedelta(days=1), today)


def settled_share(sent: date, today: date) -> float:
    """Fraction of an article's eventual reads it has by `today` (used to age recent posts)."""
    return _prefix(max((today - sent).days, 0)) / _PREFIX[-1]

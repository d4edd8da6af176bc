"""总览 /: the matrix now, 合格率 this month against last month, open findings, reviews, collection health."""

from __future__ import annotations

import datetime as dt
import time

from starlette.requests import Request
from starlette.responses import Response

from registry.views.console import Scope, overview, pending_silences, rates_at
from web.auth import current_user
from web.charts import rate_bars
from web.render import page
from web.services import Services

CACHE_S = 600  # past month-ends do not change; a new veto never starts in the past


def month_ends(now: dt.datetime, months: int = 6) -> list[dt.datetime]:
    """The ends of the ``months`` months before now's, oldest first."""
    ends: list[dt.datetime] = []
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months):
        ends.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(ends))


async def past_rates(request: Request, scope: Scope, ends: list[dt.datetime]) -> list[tuple[int, int]]:
    """The past month-ends' figures, kept by the app for a few minutes (they are history)."""
    cache: dict[tuple[Scope, dt.datetime], tuple[float, tuple[int, int]]] = request.app.state.trend_cache
    clock = time.monotonic()
    missing = [e for e in ends if (scope, e) not in cache or clock - cache[(scope, e)][0] > CACHE_S]
    for end, figures in zip(missing, await rates_at(scope, missing), strict=True):
        cache[(scope, end)] = (clock, figures)
    return [cache[(scope, e)][1] for e in ends]


async def overview_page(request: Request) -> Response:
    """The overview page."""
    services: Services = request.app.state.services
    user = current_user(request)
    now = services.moment()
    data = await overview(user.scope, blind_rule=services.blind_rule)
    ends = month_ends(now)
    trend = [((end - dt.timedelta(days=1)).strftime("%Y-%m"), (existed - failed) / existed if existed else None)
             for end, (existed, failed) in zip(ends, await past_rates(request, user.scope, ends), strict=True)]
    active = data["active"]
    trend.append(("本月", (active - data["vetoed"]) / active if active else None))
    this_month = trend[-1][1]
    last_month = trend[-2][1]
    vetoes = sorted(data["by_rule"], key=lambda r: (r["severity"] != "veto", -r["n"]))
    silences = await pending_silences(user.scope)
    return page(request, "overview.html", data=data, trend=trend, chart=rate_bars(trend), this_month=this_month,
                last_month=last_month, rules=vetoes, silences=silences)

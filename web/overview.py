"""总览 /: the matrix now, 合格率 this month against last month, open findings, reviews, collection health."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from registry.views.console import overview, pending_silences
from web.auth import current_user
from web.charts import rate_bars
from web.render import page
from web.services import Services


def month_ends(now: dt.datetime, months: int = 6) -> list[dt.datetime]:
    """The ends of the ``months`` months before now's (oldest first), then now."""
    ends: list[dt.datetime] = []
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months):
        ends.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return [*reversed(ends), now]


async def overview_page(request: Request) -> Response:
    """The overview page."""
    services: Services = request.app.state.services
    user = current_user(request)
    now = services.moment()
    data = await overview(user.scope, blind_rule=services.blind_rule, month_ends=month_ends(now))
    trend = []
    for end, existed, failed in data["trend"]:
        label = "本月" if end == now else (end - dt.timedelta(days=1)).strftime("%Y-%m")
        trend.append((label, (existed - failed) / existed if existed else None))
    this_month = trend[-1][1]
    last_month = trend[-2][1]
    vetoes = sorted(data["by_rule"], key=lambda r: (r["severity"] != "veto", -r["n"]))
    silences = await pending_silences(user.scope)
    return page(request, "overview.html", data=data, trend=trend, chart=rate_bars(trend), this_month=this_month,
                last_month=last_month, rules=vetoes, silences=silences)

"""账号 /accounts: the list (filters, search, pagination in SQL) and /accounts/{id}, the dossier."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.views.console import AccountQuery, account_dossier, account_page, page_count, units_in
from web.auth import current_user, int_param
from web.charts import day_bars
from web.render import LEVELS, PLATFORMS, STATUSES, VERDICTS, page
from web.services import Services

PER_PAGE = 25
UNIT_LIST_MAX = 300  # more units than this: a text filter instead of a list
TIMELINE_DAYS = 60


def _choice(value: str | None, allowed: dict[str, str]) -> str | None:
    return value if value in allowed else None


async def account_list(request: Request) -> Response:
    """The account list of the user's scope."""
    services: Services = request.app.state.services
    user = current_user(request)
    p = request.query_params
    pending = {"1": True, "0": False}.get(p.get("pending", ""))
    q = AccountQuery(unit_id=int_param(p.get("unit")), unit_text=(p.get("unit_q") or "").strip()[:128], platform=_choice(p.get("platform"), PLATFORMS),
                     level=_choice(p.get("level"), LEVELS), status=_choice(p.get("status"), STATUSES),
                     verdict=_choice(p.get("verdict"), VERDICTS), pending=pending,
                     search=(p.get("q") or "").strip()[:128], page=int_param(p.get("page"), 1) or 1, per_page=PER_PAGE)
    total, rows = await account_page(user.scope, q, services.blind_rule)
    pages = page_count(total, PER_PAGE)
    keep = {k: v for k, v in p.items() if k != "page" and v}
    return page(request, "accounts.html", rows=rows, total=total, q=q, pages=pages, keep=keep,
                units=units if len(units := await units_in(user.scope, UNIT_LIST_MAX + 1)) <= UNIT_LIST_MAX else None,
                pending=p.get("pending", ""))


async def account_detail(request: Request) -> Response:
    """One account's dossier (404 outside the user's scope)."""
    services: Services = request.app.state.services
    user = current_user(request)
    account_id = int_param(request.path_params["account_id"])
    now = services.moment()
    data = await account_dossier(account_id, user.scope, now=now, days=TIMELINE_DAYS) if account_id else None
    if data is None:
        raise HTTPException(404)
    today = now.date()
    per_day = {d: 0 for d in range(TIMELINE_DAYS)}
    for stamp in data["post_times"]:
        back = (today - stamp.astimezone(services.tz).date()).days
        if 0 <= back < TIMELINE_DAYS:
            per_day[back] += 1
    timeline = day_bars([per_day[d] for d in reversed(range(TIMELINE_DAYS))])
    first = today - dt.timedelta(days=TIMELINE_DAYS - 1)
    return page(request, "account.html", a=data, timeline=timeline, timeline_from=first, posts_60=len(data["post_times"]))


ROUTES = [
    Route("/accounts", account_list),
    Route("/accounts/{account_id}", account_detail),
]

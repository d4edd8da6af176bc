"""Rendering: one jinja2 environment (autoescape on for every template), filters for times, numbers, labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from registry.ledger import vocab
from web.auth import ROLE_LABELS
from web.services import Services

PLATFORMS = {k.value: v for k, v in vocab.PLATFORM_LABELS.items()}
STATUSES = {k.value: v for k, v in vocab.STATUS_LABELS.items()}
LEVELS = {k.value: v for k, v in vocab.UNIT_KIND_LABELS.items()}
VERDICTS = {"pass": "合格", "fail": "不合格", "unknown": "无法判断"}
DECISIONS = ("保留整改", "整合", "关停", "注销")


def _number(value: Any) -> str:
    """A figure with thousands separators; unknown is "—", never 0."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def build_env(services: Services) -> Environment:
    """The template environment of one app."""
    env = Environment(loader=PackageLoader("web", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    tz = services.tz

    def when(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return "—"
        if isinstance(value, dt.datetime):
            return (value.astimezone(tz) if value.tzinfo else value).strftime(fmt)
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m-%d")
        return str(value)

    def age(value: Any) -> str:
        if not isinstance(value, dt.datetime):
            return "—"
        days = (services.moment() - value).days
        return f"{days} 天" if days >= 1 else "不到 1 天"

    env.filters.update(when=when, num=_number, age=age,
                       platform=lambda v: PLATFORMS.get(v, v), status=lambda v: STATUSES.get(v, v),
                       level=lambda v: LEVELS.get(v, v), verdict=lambda v: VERDICTS.get(v, v),
                       rule=lambda v: services.rule_names.get(v, v),
                       severity=lambda v: services.severity_labels.get(v, v), role=lambda v: ROLE_LABELS.get(v, v))
    env.globals.update(county=services.county, PLATFORMS=PLATFORMS, STATUSES=STATUSES, LEVELS=LEVELS,
                       VERDICTS=VERDICTS, DECISIONS=DECISIONS, ROLE_LABELS=ROLE_LABELS,
                       wecom_login=services.wecom is not None)
    return env


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the user, the CSRF token and the current path."""
    env: Environment = request.app.state.env
    user = getattr(request.state, "user", None)
    session = request.state.session
    html = env.get_template(template).render(request=request, user=user, csrf=session.csrf, path=request.url.path,
                                             **context)
    return HTMLResponse(html, status_code=status_code)

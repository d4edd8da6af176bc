"""Checks on every value of the config at load: its type, its range, names that must exist (time zones).

A value of the wrong type or out of range used to hang `collect` (concurrency 0), crash `doctor`
(ZeroDivisionError) or pass silently; now loading fails with the key and where it came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from registry.config.i18n import tr

_HHMM = r"([01]\d|2[0-3]):[0-5]\d"
INT_MAX = 2**31 - 1

#: Inclusive bounds of numeric keys (None: unbounded on that side); a number must also be finite.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "platforms.weibo.min_interval": (0, 3600),
    "platforms.weibo.jitter": (0, 3600),
    "platforms.weibo.max_pages": (1, 1000),
    "collect.backfill_days": (1, 3660),
    "collect.concurrency": (1, 256),
    "collect.per_host_concurrency": (1, 256),
    "collect.timeout": (0.01, 600),
    "collect.retries": (0, 20),
    "collect.call_deadline": (0.01, 86400),
    "collect.account_deadline": (0.01, 86400),
    "collect.pass_deadline": (0.01, 604800),
    "collect.max_body_mb": (0.001, 1024),
    "collect.max_feed_mb": (0.001, 1024),
    "collect.lease_minutes": (0.001, 1440),
    "collect.interval_minutes": (1, 10080),
    "collect.urgent_interval_minutes": (1, 10080),
    "wecom.agent_id": (0, INT_MAX),
    "notify.escalate_head_days": (0, 366),
    "notify.escalate_office_days": (0, 366),
    # 0 re-sent every reminder on every cycle (and crashed the cycle); a reminder at most once a year.
    "notify.repeat_hours": (1, 8784),
}

#: Keys of a ``[lanes.NAME]`` table (`collectors.lanes.configured`): the type each must have and its bounds.
#: An interval past an hour is a typo, not a pace: on PostgreSQL one run with 86400 held the shared lane
#: for days (its claimed slots outlive the run).
LANE_KEYS: dict[str, tuple[type, tuple[float | None, float | None] | None]] = {
    "min_interval": (float, (0, 3600)),
    "jitter": (float, (0, 3600)),
    "concurrency": (int, (1, 256)),
    "per_credential": (bool, None),
}


def _zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return tr("不是已知的时区（例如 Asia/Shanghai）", "not a known time zone (e.g. Asia/Shanghai)")
    return None


def _pattern(regex: str, zh: str, en: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if re.fullmatch(regex, value) else tr(zh, en)

    return check


#: Text keys with a shape to check.
SHAPES: dict[str, Callable[[str], str | None]] = {
    "county.timezone": _zone,
    "notify.quiet_hours": _pattern(rf"({_HHMM}-{_HHMM})?", "应为空或 HH:MM-HH:MM（如 18:00-08:30）",
                                   'should be "" or HH:MM-HH:MM (e.g. 18:00-08:30)'),
    "reports.monthly_time": _pattern(_HHMM, "应为 HH:MM（如 09:00）", "should be HH:MM (e.g. 09:00)"),
    "notify.msgtype": _pattern("text|markdown", "应为 text 或 markdown", "should be text or markdown"),
    "notify.channel": _pattern("(wecom_app|console)?", "应为 wecom_app、console 或空（自动选择）",
                               'should be wecom_app, console or "" (automatic)'),
}


def _type_problem(value: Any, like: Any) -> str | None:
    if isinstance(like, bool):
        ok = isinstance(value, bool)
        return None if ok else tr("应为 true 或 false", "should be true or false")
    if isinstance(like, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else tr("应为整数", "should be a whole number")
    if isinstance(like, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else tr("应为数字", "should be a number")
    if isinstance(like, str):
        return None if isinstance(value, str) else tr("应为文本（加引号）", "should be text (in quotes)")
    if isinstance(like, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else tr("应为文本列表，如 [\"a\", \"b\"]", 'should be a list of text, e.g. ["a", "b"]')
    return None


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _checked(dotted: str, value: Any, like: Any,
             bounds: tuple[float | None, float | None] | None = None) -> tuple[str, str] | None:
    """(key, what is wrong) when ``value`` breaks the type of ``like``, its range or its shape."""
    why = _type_problem(value, like)
    bounds = bounds or RANGES.get(dotted)
    if why is None and bounds is not None:
        low, high = bounds
        if (low is not None and value < low) or (high is not None and value > high):
            why = tr(f"应在 {low} 到 {high} 之间", f"should be between {low} and {high}")
    if why is None and dotted in SHAPES:
        why = SHAPES[dotted](value)
    return None if why is None else (dotted, f"{why}（{tr('当前为', 'got')} {_shown(value)}）")


def lane_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(dotted key, what is wrong) for the ``[lanes.NAME]`` tables (not in the defaults: any lane may be tuned)."""
    lanes = data.get("lanes")
    if lanes is None:
        return []
    if not isinstance(lanes, Mapping):
        return [("lanes", tr(f"应为表，如 [lanes.weibo_api]（当前为 {_shown(lanes)}）",
                             f"should be tables such as [lanes.weibo_api] (got {_shown(lanes)})"))]
    out: list[tuple[str, str]] = []
    for name, table in lanes.items():
        if not isinstance(table, Mapping):
            out.append((f"lanes.{name}", tr(f"应为表（当前为 {_shown(table)}）", f"should be a table (got {_shown(table)})")))
            continue
        for key, value in table.items():
            dotted = f"lanes.{name}.{key}"
            if key not in LANE_KEYS:
                out.append((dotted, tr(f"未知的键：可用 {', '.join(LANE_KEYS)}", f"unknown key: use {', '.join(LANE_KEYS)}")))
                continue
            kind, bounds = LANE_KEYS[key]
            wrong = _checked(dotted, value, kind(), bounds)
            if wrong is not None:
                out.append(wrong)
    return out


def problems(data: Mapping[str, Any], defaults: list[tuple[tuple[str, ...], Any]]) -> list[tuple[str, str]]:
    """(dotted key, what is wrong) for every value of ``data`` that breaks its type, range or shape."""
    out: list[tuple[str, str]] = []
    for path, like in defaults:
        node: Any = data
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        dotted = ".".join(path)
        if node is None:
            out.append((dotted, tr("缺少取值或不是表中的键", "missing, or its table is not a table")))
            continue
        wrong = _checked(dotted, node, like)
        if wrong is not None:
            out.append(wrong)
    return out

"""Notify: `bot.cycle.run_cycle` with a no-op console notifier, after a check.

The first cycle plans a message per recipient, writes the outbox and sends everything due (500
rows per outbox query); the second one, an hour later, finds nothing changed. The baseline is one SQL query fetching the open findings with
their account, unit and contacts, the rows the cycle starts from.
"""

from __future__ import annotations

import datetime as dt

from bench.common import (
    NOW,
    Result,
    backend,
    max_rss_mb,
    timed,
    timed_fetch,
)
from bot.console import ConsoleNotifier
from bot.cycle import NotifySettings, run_cycle
from bot.inhibit import InhibitRule
from bot.quiet import QuietSettings
from bot.route import RouteSettings
from cli_commands.storage import notify_storage
from registry.db.lifecycle import database
from registry.db.models import Finding, Notification
from rules.config import CATALOGUE, INHIBIT_RULES, RuleSettings
from rules.evaluate import run_check

OPEN_FINDINGS_SQL = (
    "SELECT f.id, f.rule, f.severity, f.summary_zh, a.name, u.name, h.wecom_userid, o.wecom_userid "
    "FROM finding f LEFT JOIN account a ON a.id = f.account_id LEFT JOIN unit u ON u.id = a.unit_id "
    "LEFT JOIN person h ON h.id = a.head_id LEFT JOIN person o ON o.id = a.operator_id WHERE f.state = 'open'")
SETTINGS = NotifySettings(channel="console", repeat_hours=24, office_users=("office01", "office02"),
                          route=RouteSettings(), quiet=QuietSettings(quiet_hours="", working_days_only=False),
                          county_name="基准省", rules=CATALOGUE,
                          inhibit_rules=tuple(InhibitRule(*r) for r in INHIBIT_RULES))


async def open_findings_query(url: str) -> tuple[float, int]:
    """The baseline query with the raw driver; (seconds, rows)."""
    return await timed_fetch(url, OPEN_FINDINGS_SQL)


async def run(url: str, accounts: int) -> Result:
    """Time two notification cycles."""
    res = Result("notify", backend(url), accounts)
    async with database(url, upgrade_schema=False):
        if not await Finding.filter(state="open").exists():
            await run_check(NOW, RuleSettings.from_dict({}))
        await Notification.all().delete()
    t_base, n_open = await open_findings_query(url)
    console = ConsoleNotifier(write=lambda _text: None)
    channels = {"console": console, "wecom_robot": console}
    async with database(url, upgrade_schema=False):
        with timed() as t_first:
            first = await run_cycle(NOW + dt.timedelta(hours=2), SETTINGS, channels, notify_storage())
        with timed() as t_again:
            again = await run_cycle(NOW + dt.timedelta(hours=3), SETTINGS, channels, notify_storage())
        pending = await Notification.filter(state="pending").count()
    res.values.update({
        "baseline_s": round(t_base, 3), "open_findings": n_open,
        "cycle_s": round(t_first.wall, 3), "cycle_cpu_s": round(t_first.cpu, 3),
        "cycle_again_s": round(t_again.wall, 3),
        "ratio_cycle_to_baseline": round(t_first.wall / t_base, 1),
        "planned": len(first.planned), "written": first.written, "sent_first": len(first.sent),
        "sent_second": len(again.sent), "still_pending": pending, "max_rss_mb": round(max_rss_mb(), 1),
    })
    if pending:
        res.notes.append(f"{pending} messages still pending after two cycles (send_due sends at most 500 per cycle)")
    return res

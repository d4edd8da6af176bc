"""Tell the county office that the monthly review is ready: a short WeCom summary, sent once per month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.cycle import NotifySettings
from bot.model import Recipient, ReportSummary
from bot.notifier import Notifier
from bot.outbox import CycleResult, outbox_row, send_due
from bot.render import render_report_notice
from bot.storage import Outbox


async def send_report_notice(summary: ReportSummary, ns: NotifySettings, notifiers: Mapping[str, Notifier],
                             now: dt.datetime, outbox: Outbox) -> CycleResult:
    """Write one notice per office user (deduplicated by month) and send what is due."""
    rows = []
    for userid in ns.office_users:
        recipient = Recipient("office", None, userid, userid, None)
        for m in render_report_notice(recipient, summary, channel=ns.channel, now=now, county_name=ns.county_name):
            rows.append(outbox_row(m, f"report|{summary.month}|{recipient.key}|{m.part}/{m.parts}", kind="report"))
    result = CycleResult()
    result.written = await outbox.write(rows, now)
    await send_due(now, notifiers, result, outbox)
    return result

"""Reports: the monthly review, activity and the matrix overview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from cli_commands.alerts import notify_settings, working_day
from cli_commands.app import App, app_secrets, emit, fail, format_options, load_rule_settings, pass_app
from cli_commands.storage import notify_storage
from collectors.service import make_client
from registry.config.i18n import tr
from registry.ledger import vocab
from reports.output import Field, render


@click.group()
def report() -> None:
    """Reports: the monthly matrix health review, activity and matrix overviews."""


def _evaluator(app: App, only: tuple[str, ...] | None = None) -> Any:
    """The rule catalogue at a moment, for reports; ``only`` runs just those rules."""
    from rules.evaluate import evaluate_at

    settings = load_rule_settings(app)

    async def evaluate(moment: dt.datetime) -> Any:
        return await evaluate_at(moment, settings, only=only)

    return evaluate


async def _build_monthly(app: App, month: str) -> Any:
    from reports.monthly_build import TREND_RULES, build_monthly

    county = str(app.settings.get("county.name") or tr("本县", "County"))
    return await build_monthly(month, county=county, tz=app.tz, now=dt.datetime.now(app.tz), evaluate=_evaluator(app),
                               evaluate_trend=_evaluator(app, TREND_RULES))


def write_review_files(app: App, month: str, out: Path, formats: list[str]) -> list[Path]:
    """Build the monthly review and write its files; the paths written."""
    from reports.monthly_files import write_monthly

    try:
        rep = app.run(lambda: _build_monthly(app, month))
    except ValueError as exc:
        fail(str(exc))
    return write_monthly(rep, out, formats)


def first_working_day(month_start: dt.date, is_working_day: Any) -> dt.date:
    """The first working day of the month that starts on ``month_start``."""
    d = month_start
    while not is_working_day(d):
        d += dt.timedelta(days=1)
    return d


async def monthly_review(app: App, now: dt.datetime, *, force: bool = False) -> str | None:
    """Write last month's review and tell the office (once); None when today is not the day."""
    from bot.model import ReportSummary
    from bot.report_notice import send_report_notice
    from bot.service import notifiers
    from reports.monthly_files import headline, write_monthly

    today = now.date()
    if not force and today != first_working_day(today.replace(day=1), working_day(app)):
        return None
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    rep = await _build_monthly(app, month)
    out = Path(str(app.settings.get("reports.out_dir", "reports")))
    paths = write_monthly(rep, out if out.is_absolute() else app.settings.base_dir / out)
    checked, failed, problems = headline(rep)
    summary = ReportSummary(month, checked, failed, problems, url=str(paths[0]))
    ns = notify_settings(app)
    async with make_client(app.settings) as client:
        await send_report_notice(summary, ns, notifiers(app.settings, app_secrets(app), ns, client), now,
                                 notify_storage().outbox)
    return str(paths[0])


def _month(value: str) -> str:
    try:
        return dt.datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        fail(tr(f"月份应为 YYYY-MM：{value}", f"month must be YYYY-MM: {value}"))


@report.command("monthly")
@click.option("--month", required=True, help="YYYY-MM (the current month is reported to date).")
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "formats", default="html,xlsx,docx", show_default=True, help="Comma-separated: html,xlsx,docx.")
@pass_app
def report_monthly(app: App, month: str, out: Path, formats: str) -> None:
    """Write the monthly matrix health review (HTML, xlsx, docx 通报 draft)."""
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    bad = set(wanted) - {"html", "xlsx", "docx"}
    if bad or not wanted:
        fail(tr(f"未知格式：{', '.join(sorted(bad))}", f"unknown formats: {', '.join(sorted(bad))}"))
    for path in write_review_files(app, _month(month), out, wanted):
        click.echo(tr(f"已生成：{path}", f"wrote {path}"))


@report.command("activity")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 30 days ago).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option("--unit", help="Unit name (substring).")
@click.option("--platform", help="wechat, weibo, …")
@format_options
@pass_app
def report_activity(app: App, start: dt.datetime | None, end: dt.datetime | None, unit: str | None,
                    platform: str | None, fmt: str, out: Path | None) -> None:
    """Per account: posts, days silent, followers and change, reads, interactions, index, open findings."""
    from reports.activity import activity, activity_fields

    now = dt.datetime.now(app.tz)
    last = dt.datetime.combine(end.date(), dt.time(23, 59, 59), app.tz) if end else now
    first = dt.datetime.combine(start.date(), dt.time(0), app.tz) if start else last - dt.timedelta(days=30)
    parsed = vocab.parse_platform(platform) if platform else None
    rows = app.run(lambda: activity(first, min(last, now), unit=unit, platform=parsed.value if parsed else platform))
    emit(rows, activity_fields(), fmt, out, sheet="activity",
          table_fields=("name", "platform", "posts", "days_since_last_post", "followers", "reads", "index", "open_findings"))


@report.command("matrix")
@format_options
@pass_app
def report_matrix(app: App, fmt: str, out: Path | None) -> None:
    """The matrix at a glance: platforms × unit levels, statuses, flagships, duplicates, pending reviews."""
    import json

    from reports.activity import matrix

    data = app.run(matrix)
    kinds = data.pop("_kinds")
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out:
            out.write_text(text, encoding="utf-8")
        click.echo(str(out) if out else text)
        return
    sections = [
        ("grid", tr("一、账号分布（平台 × 单位层级）", "Accounts by platform and unit level"),
         [Field("platform", tr("平台", "Platform"))] + [Field(k["key"], k["label"], True) for k in kinds]
         + [Field("total", tr("合计", "Total"), True)]),
        ("statuses", tr("二、状态", "Statuses"), [Field("status", tr("状态", "Status")), Field("accounts", tr("账号数", "Accounts"), True)]),
        ("flagships", tr("三、主账号健康", "Flagship accounts"), [Field("name", tr("账号", "Account")),
                                                         Field("platform", tr("平台", "Platform")), Field("health", tr("状况", "Health"))]),
        ("duplicates", tr("四、同一平台重复开号的单位", "Units with duplicate accounts"),
         [Field("unit", tr("单位", "Unit")), Field("platform", tr("平台", "Platform")), Field("accounts", tr("账号", "Accounts"))]),
        ("reviews", tr("五、待决定的关停整合复核", "Pending shutdown reviews"),
         [Field("id", tr("编号", "ID"), True), Field("account", tr("账号", "Account")), Field("platform", tr("平台", "Platform")),
          Field("rule", tr("原因", "Reason")), Field("opened_at", tr("立案", "Opened"))]),
    ]
    if fmt == "xlsx":
        if out is None:
            fail(tr("xlsx 格式需要 --out 文件名", "--format xlsx needs --out FILE"))
        from openpyxl import Workbook

        from registry.ledger.tabular import escape_cell

        wb = Workbook()
        wb.remove(wb.active)  # type: ignore[arg-type]
        for key, title, fields in sections:
            ws = wb.create_sheet(title[:28].replace("、", " "))
            ws.append([f.header for f in fields])
            for row in data[key]:
                ws.append([escape_cell(v) if isinstance(v := row.get(f.key), str) else v for f in fields])
        wb.save(out)
        click.echo(tr(f"已写入 {out}", f"wrote {out}"))
        return
    chunks = []
    for key, title, fields in sections:
        chunks.append(title + "\n" + render(data[key], fields, fmt if fmt != "table" else "table"))
    text = "\n\n".join(chunks)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(tr(f"已写入 {out}", f"wrote {out}"))
    else:
        click.echo(text)

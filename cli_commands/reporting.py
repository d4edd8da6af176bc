"""Reports: the monthly review, activity and the matrix overview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cli_commands import jobs
from cli_commands.app import App, emit, fail, format_options, pass_app, platform_option
from cli_commands.runtime import Runtime, pass_runtime
from registry.config.i18n import tr
from rules.config import CATALOGUE


@click.group()
def report() -> None:
    """Reports: the monthly matrix health review, activity and matrix overviews."""


def _month(value: str) -> str:
    try:
        return dt.datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        fail(tr(f"月份应为 YYYY-MM：{value}", f"month must be YYYY-MM: {value}"))


@report.command("monthly")
@click.option("--month", required=True, help="YYYY-MM (the current month is reported to date).")
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "formats", default="html,xlsx,docx", show_default=True, help="Comma-separated: html,xlsx,docx.")
@pass_runtime
def report_monthly(rt: Runtime, month: str, out: Path, formats: str) -> None:
    """Write the monthly matrix health review (HTML, xlsx, docx 通报 draft)."""
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    bad = set(wanted) - {"html", "xlsx", "docx"}
    if bad or not wanted:
        fail(tr(f"未知格式：{', '.join(sorted(bad))}", f"unknown formats: {', '.join(sorted(bad))}"))
    for path in jobs.write_review_files(rt, _month(month), out, wanted):
        click.echo(tr(f"已生成：{path}", f"wrote {path}"))


@report.command("activity")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 30 days ago).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option("--unit", help="Unit name (substring).")
@platform_option
@format_options
@pass_app
def report_activity(app: App, start: dt.datetime | None, end: dt.datetime | None, unit: str | None,
                    platform: str | None, fmt: str, out: Path | None) -> None:
    """Per account: posts, days silent, followers and change, reads, interactions, index, open findings."""
    from reports.activity import activity, activity_fields

    now = dt.datetime.now(app.tz)
    last = dt.datetime.combine(end.date(), dt.time(23, 59, 59), app.tz) if end else now
    first = dt.datetime.combine(start.date(), dt.time(0), app.tz) if start else last - dt.timedelta(days=30)
    rules = list(CATALOGUE.values())
    rows = app.run(lambda: activity(first, min(last, now), rules=rules, unit=unit,
                                    platform=platform))
    emit(rows, activity_fields(), fmt, out, sheet="activity",
          table_fields=("name", "platform", "posts", "days_since_last_post", "followers", "reads", "index", "open_findings"))


@report.command("matrix")
@format_options
@pass_app
def report_matrix(app: App, fmt: str, out: Path | None) -> None:
    """The matrix at a glance: platforms × unit levels, statuses, flagships, duplicates, pending reviews."""
    from reports.activity import matrix
    from reports.matrix_view import output_matrix

    if fmt == "xlsx" and out is None:
        fail(tr("xlsx 格式需要 --out 文件名", "--format xlsx needs --out FILE"))
    click.echo(output_matrix(app.run(lambda: matrix(list(CATALOGUE.values()))), fmt, out))

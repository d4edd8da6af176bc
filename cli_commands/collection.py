"""Collection: one pass, its status, and manual submissions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_commands import jobs
from cli_commands.app import (
    EXIT_FAILED,
    App,
    Progress,
    echo_problems,
    emit,
    fail,
    format_options,
    pass_app,
    platform_option,
    resolve_ids,
)
from cli_commands.runtime import runtime_of
from registry.config.i18n import tr
from registry.ledger import vocab
from registry.observations.store import collection_status
from reports import collection as collection_view
from reports.output import render

if TYPE_CHECKING:
    from collectors.run import PassSummary


@click.group(invoke_without_command=True)
@click.option("--account", "refs", multiple=True, help="Only this account (REF); repeatable.")
@platform_option
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Re-fetch history since this date.")
@click.pass_context
def collect(ctx: click.Context, refs: tuple[str, ...], platform: str | None, since: dt.datetime | None) -> None:
    """Run one collection pass (or a subcommand: status, import, template)."""
    if ctx.invoked_subcommand is not None:
        return
    rt = runtime_of(ctx.obj)
    rt.secrets  # noqa: B018 - a refused secrets file fails before the database opens
    async def use_case() -> PassSummary:
        return await jobs.collect_pass(rt, account_ids=await resolve_ids(refs), platform=platform,
                                       since=since.date() if since else None, progress=Progress())

    _print_pass(rt.app.run(use_case))


def _print_pass(summary: PassSummary) -> None:
    """The pass's table and failures; exit 3 when every account failed."""
    records = collection_view.summary_records(summary.outcomes)
    if not records:
        click.echo(tr("没有需要采集的账号（手工报送的账号用 govmedia collect import）",
                      "no account to collect (manual accounts: govmedia collect import)"))
        return
    click.echo(render(records, collection_view.summary_fields(), "table"))
    for line in collection_view.failure_lines(summary.outcomes):
        click.echo(line)
    counts = summary.counts
    if counts.get("failed") and not counts.get("ok") and not counts.get("skipped"):
        fail(tr("所有账号均采集失败", "every account failed"), EXIT_FAILED)


@collect.command("status")
@click.option("--account", "refs", multiple=True, help="Only this account (REF); repeatable.")
@format_options
@pass_app
def collect_status(app: App, refs: tuple[str, ...], fmt: str, out: Path | None) -> None:
    """Per account: last success, last attempt and error, posts known, data coverage."""

    async def use_case() -> list[dict[str, Any]]:
        return collection_view.status_records(await collection_status(await resolve_ids(refs)))

    emit(app.run(use_case), collection_view.status_fields(), fmt, out, sheet="collection")


@collect.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def collect_import(app: App, file: Path) -> None:
    """Import units' submissions (posts and followers) for manually collected accounts."""
    from collectors.manual import import_submission
    from collectors.run import worker_name

    now = dt.datetime.now(app.tz)
    sub = app.run(lambda: import_submission(file, today=now.date(), now=now, worker=worker_name()))
    echo_problems(sub.warnings, sub.errors, tr(f"报送文件有 {len(sub.errors)} 处错误，未写入任何数据",
                                                 f"{len(sub.errors)} errors; nothing was written"))
    posts = sum(len(v) for v in sub.posts.values())
    metrics = sum(len(v) for v in sub.metrics.values())
    accounts = len(set(sub.posts) | set(sub.metrics))
    click.echo(tr(f"已导入 {accounts} 个账号的 {posts} 篇文章、{metrics} 条粉丝数据",
                  f"imported {posts} posts and {metrics} follower counts of {accounts} accounts"))


@collect.command("template")
@click.option("--unit", help="Only this unit's accounts (name, substring; default: the whole county).")
@click.option("--month", help="YYYY-MM (default: last month).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Workbook to write (.xlsx).")
@pass_app
def collect_template(app: App, unit: str | None, month: str | None, out: Path) -> None:
    """Write a unit's monthly submission workbook: its manual accounts pre-filled, with a 填报说明 sheet."""
    from collectors.manual import TEMPLATE_COLUMNS
    from registry.ledger import accounts as store
    from reports import submission_template as tpl

    if out.suffix.lower() != ".xlsx":
        fail(tr("报送表文件名应以 .xlsx 结尾", "the workbook name must end in .xlsx"))
    today = app.today()
    first = _month_start(month, today)
    if first > today:
        fail(tr(f"月份 {month} 尚未开始", f"month {month} has not started"))
    day = min((first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), today)

    async def use_case() -> tuple[list[list[str]], int] | None:
        if unit and not await _unit_exists(unit):
            return None
        everyone = await store.list_accounts(store.AccountFilter())
        names = [a.name for a in everyone]
        duplicates = {n for n in names if names.count(n) > 1}
        chosen = [a for a in await store.list_accounts(store.AccountFilter(unit=unit))
                  if a.collect_method == vocab.CollectMethod.MANUAL.value and a.status in ACTIVE]
        return tpl.template_rows(TEMPLATE_COLUMNS, chosen, duplicates, day), len(chosen)

    found = app.run(use_case)
    if found is None:
        fail(tr(f"找不到单位：{unit}（单位名称包含即可，见 govmedia units list）",
                f"no unit matches {unit!r} (see govmedia units list)"))
    rows, n = found
    label = first.strftime("%Y-%m")
    lines = tpl.notes(TEMPLATE_COLUMNS, county=str(app.settings.get("county.name") or ""), unit=unit or "", month=label,
                      day=day)
    try:
        tpl.write_template(out, TEMPLATE_COLUMNS, rows, lines)
    except OSError as exc:
        fail(tr(f"无法写入 {out}（{exc.strerror or exc}）", f"cannot write {out} ({exc.strerror or exc})"), EXIT_FAILED)
    click.echo(tr(f"已写入报送表 {out}（{label}，{n} 个手工报送账号）", f"wrote {out} ({label}, {n} manual accounts)"))
    if not n:
        click.echo(tr("提醒：没有采集方式为 manual 的在用账号，报送表只有表头",
                      "note: no active account is collected manually; the workbook has only the header"), err=True)


ACTIVE = frozenset(s.value for s in vocab.ACTIVE_STATUSES)


def _month_start(value: str | None, today: dt.date) -> dt.date:
    """The first day of --month, or of last month."""
    if value is None:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        fail(tr(f"月份应为 YYYY-MM：{value}", f"month must be YYYY-MM: {value}"))


async def _unit_exists(name: str) -> bool:
    from registry.ledger import accounts as store

    return any(name in u.name for u, _ in await store.list_units())

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
@click.option("--platform", help="Only this platform (wechat, weibo, …).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Re-fetch history since this date.")
@click.pass_context
def collect(ctx: click.Context, refs: tuple[str, ...], platform: str | None, since: dt.datetime | None) -> None:
    """Run one collection pass (or a subcommand: status, import)."""
    if ctx.invoked_subcommand is not None:
        return
    rt = runtime_of(ctx.obj)
    rt.secrets  # noqa: B018 - a refused secrets file fails before the database opens
    parsed = vocab.parse_platform(platform) if platform else None
    plat = parsed.value if parsed else platform

    async def use_case() -> PassSummary:
        return await jobs.collect_pass(rt, account_ids=await resolve_ids(refs), platform=plat,
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

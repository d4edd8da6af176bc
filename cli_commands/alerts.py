"""Warnings: the notification cycle, its log, silences and the WeCom callback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from cli_commands import jobs
from cli_commands.app import App, emit, fail, format_options, pass_app
from cli_commands.runtime import Runtime, pass_runtime, runtime_of
from cli_commands.storage import notify_storage
from registry.config.i18n import tr
from registry.ledger import accounts as store
from reports import notify_view


def print_cycle(result: Any, dry_run: bool) -> None:
    """Print what a cycle planned, sent, held and failed."""
    from bot.console import format_message

    if dry_run:
        for message, hold in result.planned:
            when = tr(f"（安静时段，{hold:%m-%d %H:%M} 后发送）", f" (held until {hold:%m-%d %H:%M})") if hold else ""
            click.echo(format_message(message) + when + "\n")
        click.echo(tr(f"试运行：将发送 {len(result.planned)} 条消息（未写入、未发送）",
                      f"dry run: {len(result.planned)} messages would be sent (nothing written or sent)"))
        return
    click.echo(tr(f"写入发件箱 {result.written} 条，发送成功 {len(result.sent)} 条，待重试 {len(result.retrying)} 条，"
                  f"失败 {len(result.failed)} 条；豁免屏蔽 {result.silenced} 项，因采集中断抑制 {result.inhibited} 项",
                  f"{result.written} written, {len(result.sent)} sent, {len(result.retrying)} retrying, "
                  f"{len(result.failed)} failed; {result.silenced} silenced, {result.inhibited} inhibited"))
    for message, error in result.failed:
        click.echo(tr("  ✗ 发送失败 ", "  ✗ failed ") + f"{message.recipient.name}: {error}")
    if result.invalid_users:
        click.echo(tr(f"  ! 企业微信账号无效（请核对台账）：{'、'.join(sorted(set(result.invalid_users)))}",
                      f"  ! unknown WeCom userids (check the ledger): {', '.join(sorted(set(result.invalid_users)))}"))


@click.group(invoke_without_command=True)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.pass_context
def notify(ctx: click.Context, dry_run: bool) -> None:
    """Run one warning cycle (or: notify log)."""
    if ctx.invoked_subcommand is not None:
        return
    rt = runtime_of(ctx.obj)
    result = rt.app.run(lambda: jobs.notify_cycle(rt, dry_run))
    print_cycle(result, dry_run)


@notify.command("log")
@click.option("--limit", default=50, show_default=True)
@click.option("--recipient", help="Recipient key (substring), e.g. person:12.")
@format_options
@pass_app
def notify_log(app: App, limit: int, recipient: str | None, fmt: str, out: Path | None) -> None:
    """The notification history."""
    from registry.notify.log import notification_log

    async def use_case() -> list[dict[str, Any]]:
        return [notify_view.notification_record(n) for n in await notification_log(limit, recipient)]

    emit(app.run(use_case), notify_view.notification_fields(), fmt, out, sheet="notifications")


@click.group()
def silence() -> None:
    """Exemptions (豁免): muted warnings with author, reason and expiry."""


@silence.command("add")
@click.option("--account", "ref", help="Account REF.")
@click.option("--unit", help="Exact unit name.")
@click.option("--rule", help="Only this rule id.")
@click.option("--until", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day of the exemption.")
@click.option("--reason", required=True)
@pass_app
def silence_add(app: App, ref: str | None, unit: str | None, rule: str | None, until: dt.datetime, reason: str) -> None:
    """Add an active exemption for an account or a unit (author = --actor)."""
    from registry.notify.silences import add_silence

    now, ends = _silence_window(app, ref, unit, until, reason)

    async def use_case() -> Any:
        account = await store.find_account(ref) if ref else None
        u = await store.find_unit(unit) if unit else None
        return await add_silence(account_id=account.id if account else None, unit_id=u.id if u else None, rule=rule,
                                 starts=now, ends=ends, author=app.actor,
                                 reason=reason, state="active")

    s = app.run(use_case)
    click.echo(tr(f"已添加豁免 #{s.id}，至 {until:%Y-%m-%d}", f"exemption #{s.id} added until {until:%Y-%m-%d}"))


def _silence_window(app: App, ref: str | None, unit: str | None, until: dt.datetime,
                    reason: str) -> tuple[dt.datetime, dt.datetime]:
    """Now and the exemption's end (the day after ``until``), or exit naming what is wrong."""
    if bool(ref) == bool(unit):
        fail(tr("请指定 --account 或 --unit 之一", "give exactly one of --account or --unit"))
    if not reason.strip():
        fail(tr("必须写明理由", "a reason is required"))
    now = dt.datetime.now(app.tz)
    ends = dt.datetime.combine(until.date() + dt.timedelta(days=1), dt.time(0), app.tz)
    if ends <= now:
        fail(tr("截止日期已过", "the end date is in the past"))
    return now, ends


@silence.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include expired ones.")
@format_options
@pass_app
def silence_list(app: App, show_all: bool, fmt: str, out: Path | None) -> None:
    """List exemptions (pending ones await approval)."""
    from registry.notify.silences import silences

    states = ("active", "pending", "expired") if show_all else ("active", "pending")

    async def use_case() -> list[dict[str, Any]]:
        return [notify_view.silence_record(s) for s in await silences(states)]

    emit(app.run(use_case), notify_view.silence_fields(), fmt, out, sheet="silences")


@silence.command("expire")
@click.argument("silence_id", type=int)
@pass_app
def silence_expire(app: App, silence_id: int) -> None:
    """End an exemption now."""
    from registry.notify.silences import set_silence_state

    app.run(lambda: set_silence_state(silence_id, "expired", app.actor))
    click.echo(tr(f"豁免 #{silence_id} 已失效", f"exemption #{silence_id} expired"))


@silence.command("approve")
@click.argument("silence_id", type=int)
@pass_app
def silence_approve(app: App, silence_id: int) -> None:
    """Approve an exemption requested through WeCom."""
    from registry.notify.silences import set_silence_state

    app.run(lambda: set_silence_state(silence_id, "active", app.actor))
    click.echo(tr(f"豁免 #{silence_id} 已批准生效", f"exemption #{silence_id} approved"))


@click.group()
def bot() -> None:
    """The WeCom callback server (replies from unit contacts)."""


@bot.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
@pass_runtime
def bot_serve(rt: Runtime, host: str, port: int) -> None:
    """Serve /wecom/callback: verify, decrypt, answer commands from registered contacts."""
    token, aes_key, corp_id = rt.callback_credentials()
    ns = rt.notify_settings

    async def serve() -> None:
        from bot.callback import create_callback_app
        from bot.service import ReplyHandler

        async with rt.http_client() as client:
            handler = ReplyHandler(ns.office_users, notify_storage(), rt.proofreader())
            callback = create_callback_app(token, aes_key, corp_id, handler, late_reply=rt.late_reply(client),
                                           claim=handler.claim)
            await _serve_callback(callback, host, port)

    rt.app.run(serve)


async def _serve_callback(callback: Any, host: str, port: int) -> None:
    import uvicorn

    from bot.callback import server_config

    config = server_config(callback, host, port)
    click.echo(tr(f"回调服务已启动：http://{host}:{port}/wecom/callback", f"callback at http://{host}:{port}/wecom/callback"),
               err=True)
    await uvicorn.Server(config).serve()

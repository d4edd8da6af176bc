"""Warnings: the notification cycle, its log, silences and the WeCom callback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from cli_commands.app import App, app_secrets, emit, fail, format_options, load_rule_settings, pass_app
from collectors.service import make_client
from registry.config.i18n import tr
from registry.ledger import accounts as store
from reports.output import Field


def notify_settings(app: App) -> Any:
    """The resolved ``[notify]`` settings, or exit with the config error."""
    from bot.cycle import NotifySettings

    try:
        return NotifySettings.from_settings(app.settings)
    except ValueError as exc:
        fail(str(exc))


def working_day(app: App) -> Any:
    """The county's working-day test (holidays and make-up days) for quiet hours."""
    settings = load_rule_settings(app)
    return settings.calendar.is_working_day


async def notify_cycle(app: App, dry_run: bool, now: dt.datetime | None = None) -> Any:
    """Run one notification cycle through the configured channels."""
    from bot.cycle import run_cycle
    from bot.service import ConfigProblem, notifiers

    ns = notify_settings(app)
    secrets = app_secrets(app)
    async with make_client(app.settings) as client:
        try:
            chans = notifiers(app.settings, secrets, ns, client)
        except ConfigProblem as exc:
            fail(str(exc))
        return await run_cycle(now or dt.datetime.now(app.tz), ns, chans, dry_run=dry_run,
                               is_working_day=working_day(app))


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
    app: App = ctx.obj
    result = app.run(lambda: notify_cycle(app, dry_run))
    print_cycle(result, dry_run)


@notify.command("log")
@click.option("--limit", default=50, show_default=True)
@click.option("--recipient", help="Recipient key (substring), e.g. person:12.")
@format_options
@pass_app
def notify_log(app: App, limit: int, recipient: str | None, fmt: str, out: Path | None) -> None:
    """The notification history."""
    from registry.notify.store import notification_log

    async def use_case() -> list[dict[str, Any]]:
        return [{"id": n.id, "created_at": n.created_at.strftime("%Y-%m-%d %H:%M"), "channel": n.channel,
                 "recipient": dict(n.payload.get("recipient") or {}).get("name", n.recipient),  # type: ignore[call-overload]
                 "kind": n.kind,
                 "state": n.state, "attempts": n.attempts, "findings": ",".join(map(str, n.finding_ids)),
                 "sent_at": n.sent_at.strftime("%Y-%m-%d %H:%M") if n.sent_at else "", "error": n.last_error}
                for n in await notification_log(limit, recipient)]

    fields = [Field("id", "ID", True), Field("created_at", tr("时间", "Time")), Field("channel", tr("渠道", "Channel")),
              Field("recipient", tr("接收人", "Recipient")), Field("kind", tr("类型", "Kind")),
              Field("state", tr("状态", "State")), Field("attempts", tr("尝试", "Tries"), True),
              Field("findings", tr("问题编号", "Findings")), Field("sent_at", tr("发送时间", "Sent")),
              Field("error", tr("说明", "Note"))]
    emit(app.run(use_case), fields, fmt, out, sheet="notifications")


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
    from registry.db.models import Unit
    from registry.notify.store import add_silence

    if bool(ref) == bool(unit):
        fail(tr("请指定 --account 或 --unit 之一", "give exactly one of --account or --unit"))
    if not reason.strip():
        fail(tr("必须写明理由", "a reason is required"))
    now = dt.datetime.now(app.tz)
    ends = dt.datetime.combine(until.date() + dt.timedelta(days=1), dt.time(0), app.tz)
    if ends <= now:
        fail(tr("截止日期已过", "the end date is in the past"))

    async def use_case() -> Any:
        account = await store.find_account(ref) if ref else None
        u = await Unit.get_or_none(name=unit) if unit else None
        if unit and u is None:
            raise store.NotFound(tr(f"找不到单位：{unit}", f"no unit {unit!r}"))
        return await add_silence(account=account, unit=u, rule=rule, starts=now, ends=ends, author=app.actor,
                                 reason=reason, state="active")

    s = app.run(use_case)
    click.echo(tr(f"已添加豁免 #{s.id}，至 {until:%Y-%m-%d}", f"exemption #{s.id} added until {until:%Y-%m-%d}"))


@silence.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include expired ones.")
@format_options
@pass_app
def silence_list(app: App, show_all: bool, fmt: str, out: Path | None) -> None:
    """List exemptions (pending ones await approval)."""
    from registry.notify.store import silences

    states = ("active", "pending", "expired") if show_all else ("active", "pending")

    async def use_case() -> list[dict[str, Any]]:
        return [{"id": s.id, "account": s.account.name if s.account else "", "unit": s.unit.name if s.unit else "",
                 "rule": s.rule or tr("全部", "all"), "until": (s.ends_at - dt.timedelta(seconds=1)).strftime("%Y-%m-%d"),
                 "state": {"active": tr("生效", "active"), "pending": tr("待审批", "pending"),
                           "expired": tr("已失效", "expired")}.get(s.state, s.state),
                 "author": s.author, "reason": s.reason} for s in await silences(states)]

    fields = [Field("id", "ID", True), Field("account", tr("账号", "Account")), Field("unit", tr("单位", "Unit")),
              Field("rule", tr("规则", "Rule")), Field("until", tr("截止", "Until")), Field("state", tr("状态", "State")),
              Field("author", tr("申请人", "Author")), Field("reason", tr("理由", "Reason"))]
    emit(app.run(use_case), fields, fmt, out, sheet="silences")


@silence.command("expire")
@click.argument("silence_id", type=int)
@pass_app
def silence_expire(app: App, silence_id: int) -> None:
    """End an exemption now."""
    from registry.notify.store import set_silence_state

    app.run(lambda: set_silence_state(silence_id, "expired", app.actor))
    click.echo(tr(f"豁免 #{silence_id} 已失效", f"exemption #{silence_id} expired"))


@silence.command("approve")
@click.argument("silence_id", type=int)
@pass_app
def silence_approve(app: App, silence_id: int) -> None:
    """Approve an exemption requested through WeCom."""
    from registry.notify.store import set_silence_state

    app.run(lambda: set_silence_state(silence_id, "active", app.actor))
    click.echo(tr(f"豁免 #{silence_id} 已批准生效", f"exemption #{silence_id} approved"))


@click.group()
def bot() -> None:
    """The WeCom callback server (replies from unit contacts)."""


@bot.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
@pass_app
def bot_serve(app: App, host: str, port: int) -> None:
    """Serve /wecom/callback: verify, decrypt, answer commands from registered contacts."""
    from bot.callback import create_callback_app
    from bot.service import ReplyHandler, claim_message

    secrets = app_secrets(app)
    name = str(app.settings.get("wecom.credential"))
    cred = secrets.get(name)
    corp_id = str(app.settings.get("wecom.corp_id"))
    if cred is None or not cred.get("token") or not cred.get("aes_key") or not corp_id:
        fail(tr(f"需要 [wecom] corp_id 以及密钥文件中凭据 {name!r} 的 token 和 aes_key",
                f"needs [wecom] corp_id and token + aes_key in secrets credential {name!r}"))
    ns = notify_settings(app)

    async def serve() -> None:
        from bot.model import Message, Recipient
        from bot.wecom_app import WeComAppNotifier

        async with make_client(app.settings) as client:
            sender = WeComAppNotifier(client, str(app.settings.get("wecom.api_base")), corp_id, cred.get("secret"),
                                      int(app.settings.get("wecom.agent_id") or 0))

            async def late_reply(userid: str, text: str) -> None:
                # A slow answer misses WeCom's 5-second window: send it as an app message instead.
                await sender.send(Message("wecom_app", Recipient("person", None, userid, userid, None), "alert",
                                          "回复", text, "text", (), ""))

            callback = create_callback_app(cred.get("token"), cred.get("aes_key"), corp_id,
                                           ReplyHandler(ns.office_users), late_reply=late_reply, claim=claim_message)
            await _serve_callback(callback, host, port)

    app.run(serve)


async def _serve_callback(callback: Any, host: str, port: int) -> None:
    import uvicorn

    from bot.callback import server_config

    config = server_config(callback, host, port)
    click.echo(tr(f"回调服务已启动：http://{host}:{port}/wecom/callback", f"callback at http://{host}:{port}/wecom/callback"),
               err=True)
    await uvicorn.Server(config).serve()

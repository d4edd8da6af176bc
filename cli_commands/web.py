"""`govmedia web`: the web console (serve) and its users (add, list, disable, reset).

This module is the console's composition root: it wires the feature packages the console may not
import (rules, reports, collectors) into `web.services.Services`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_commands import jobs
from cli_commands.app import App, emit, fail, format_options, pass_app
from cli_commands.runtime import Runtime, pass_runtime, rule_names
from registry.config.i18n import tr
from reports.output import Field

if TYPE_CHECKING:  # without importing starlette for every command
    from web.services import Services

SECRET_FILE = "web-session.key"


def session_secret(rt: Runtime) -> bytes:
    """The key that signs session cookies: ``[web] secret_key_file``, made (0600) on first use."""
    configured = rt.settings.get("web.secret_key_file")
    path = Path(str(configured)) if configured else rt.settings.base_dir / SECRET_FILE
    if not path.is_absolute():
        path = rt.settings.base_dir / path
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        fail(tr(f"会话密钥文件 {path} 太短（至少 32 个字符）", f"session key file {path} is too short (32+ characters)"))
    return key.encode()


def build_services(rt: Runtime, *, secure: bool | None = None) -> Services:
    """The console's seams, wired to the same use cases as the CLI."""
    from reports.findings_view import SEVERITY_LABELS
    from rules.config import BLIND_RULE
    from web.services import Services

    upload_dir = rt.settings.base_dir / "web-uploads"
    upload_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    async def monthly(month: str, formats: list[str]) -> list[Path]:
        from reports.monthly_files import write_monthly

        rep = await jobs.build_monthly(rt, month)
        return await asyncio.to_thread(write_monthly, rep, rt.reports_dir, formats)

    async def dossier_html(review_id: int) -> str:
        from registry.ledger.reviews import find_review
        from registry.views.dossier_data import build_dossier
        from reports.dossier import render_dossier

        return render_dossier(await build_dossier(await find_review(str(review_id)), rt.now()))

    return Services(
        county=rt.county_name, tz=rt.tz, rule_names=rule_names(),
        severity_labels={k: zh for k, (zh, _en) in SEVERITY_LABELS.items()}, blind_rule=BLIND_RULE,
        reports_dir=rt.reports_dir, upload_dir=upload_dir, secret_key=session_secret(rt),
        monthly=monthly, check_draft=draft_checker(rt), doctor=lambda: doctor_lines(rt), dossier_html=dossier_html,
        secure_cookies=bool(rt.settings.get("web.secure_cookies", False)) if secure is None else secure,
        idle_timeout_s=int(rt.settings.get("web.idle_minutes", 30)) * 60,
        wecom=rt.wecom_sign_in(), public_url=str(rt.settings.get("web.public_url") or ""),
    )


def draft_checker(rt: Runtime) -> Any:
    """`content check` as the console's draft checker (the same lexicons, hotlines and privacy severity)."""
    from rules.content.draft import check_draft
    from rules.content.extract import ExtractError
    from rules.content.hits import SEVERITY_ZH, ScanContext, parse_severity
    from web.services import DraftCheck, DraftError, DraftHit

    cfg = rt.settings.section("content")
    lexicons = [rt.settings.base_dir / str(p) for p in cfg.get("lexicons", [])]
    context = ScanContext.of([*map(str, cfg.get("hotlines", []))],
                             parse_severity(str(cfg.get("privacy_severity", "warning"))) or "warning")
    kinds = {"name": "规范表述", "privacy": "个人隐私", "lexicon": "错敏词"}

    def check(data: bytes, fmt: str) -> DraftCheck:
        try:
            report = check_draft(data, fmt, lexicons=lexicons, published_on=rt.now().date(), context=context)
        except ExtractError as exc:
            raise DraftError(str(exc)) from None
        return DraftCheck(report.text, [DraftHit(h.start, h.end, h.severity, SEVERITY_ZH[h.severity],
                                                 kinds.get(h.kind, h.kind), h.matched, h.suggestion, h.source)
                                        for h in report.hits])

    return check


async def doctor_lines(rt: Runtime) -> list[tuple[bool, str]]:
    """The `doctor` summary as (ok, message) lines: config, secrets, database, active accounts per collection
    method (the per-account readiness, a pass over every account, stays with `govmedia doctor`)."""
    from registry.ops import doctor as doctor_mod

    checks = doctor_mod.check_config(rt.settings)
    secret_checks, _names = doctor_mod.check_secrets(rt.settings)
    checks += secret_checks
    checks.append(doctor_mod.describe_db(rt.settings, rt.app.db_url))
    lines = [(c.level == "ok", c.message) for c in checks]
    counts = await doctor_mod.method_counts()
    lines.append((True, tr("在用账号按采集方式：", "active accounts by method: ")
                  + "，".join(f"{m} {n}" for m, n in sorted(counts.items()))))
    lines.append((True, tr("各账号的采集准备情况请运行 govmedia doctor 查看", "run govmedia doctor for each account's readiness")))
    return lines


@click.group()
def web() -> None:
    """The web console (网页控制台) and its users."""


@web.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, help="0 picks a free port.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Mark session cookies Secure (behind https); default [web] secure_cookies.")
@pass_runtime
def serve(rt: Runtime, host: str, port: int, secure_cookies: bool | None) -> None:
    """Serve the console until Ctrl-C (bind 127.0.0.1; put nginx with https in front, see docs/web.md)."""
    services = build_services(rt, secure=secure_cookies)

    async def run() -> None:
        import uvicorn

        from web.app import create_app

        config = uvicorn.Config(create_app(services), host=host, port=port, log_level="warning",
                                access_log=False, proxy_headers=True, forwarded_allow_ips="127.0.0.1")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.05)
        if server.started:
            bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
            click.echo(tr(f"网页控制台已启动：http://{host}:{bound}/（Ctrl-C 停止）",
                          f"web console at http://{host}:{bound}/ (Ctrl-C stops)"), err=True)
        await task

    rt.app.run(run)


@web.group("user")
def user() -> None:
    """Web console users: admin, unit (one unit and its sub-units), viewer (read-only)."""


def _read_password(password_stdin: bool) -> str:
    from web.passwords import password_problem

    if not password_stdin:
        fail(tr("请用 --password-stdin 从标准输入提供密码（例如 printf '%s' \"$PW\" | govmedia web user add …）",
                "give the password on standard input with --password-stdin"))
    line = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(line)
    if problem:
        fail(tr(*problem))
    return line


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "unit", "viewer"]))
@click.option("--unit", help="The unit (exact name) of a unit user.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--wecom", "wecom", default="", help="The WeCom userid that may sign in as this user.")
@pass_app
def user_add(app: App, name: str, role: str, unit: str | None, password_stdin: bool, wecom: str) -> None:
    """Add a web user (the password is read from standard input, never from the command line)."""
    from registry.ops.webusers import add_web_user, link_wecom
    from web.passwords import hash_password

    hashed = hash_password(_read_password(password_stdin))

    async def add() -> Any:
        added = await add_web_user(name, role, unit, hashed, actor=app.actor)
        return await link_wecom(added.name, wecom, actor=app.actor) if wecom else added

    try:
        u = app.run(add)
    except ValueError as exc:
        fail(str(exc))
    click.echo(tr(f"已添加网页用户 {u.name}（{role}{'，' + u.unit_name if u.unit_name else ''}）",
                  f"added web user {u.name} ({role}{', ' + u.unit_name if u.unit_name else ''})"))


@user.command("list")
@format_options
@pass_app
def user_list(app: App, fmt: str, out: Path | None) -> None:
    """List web users."""
    from registry.ops.webusers import list_web_users

    rows = [{"name": u.name, "role": u.role, "unit": u.unit_name,
             "state": tr("已停用", "disabled") if u.disabled else tr("正常", "active"),
             "wecom": u.wecom_userid, "created": u.created_at.strftime("%Y-%m-%d")} for u in app.run(list_web_users)]
    fields = [Field("name", tr("用户名", "Name")), Field("role", tr("角色", "Role")), Field("unit", tr("单位", "Unit")),
              Field("state", tr("状态", "State")), Field("wecom", tr("企业微信", "WeCom")),
              Field("created", tr("创建", "Created"))]
    emit(rows, fields, fmt, out, sheet="web-users")


@user.command("disable")
@click.argument("name")
@pass_app
def user_disable(app: App, name: str) -> None:
    """Disable a web user (its sessions end at once)."""
    from registry.ops.webusers import disable_web_user

    app.run(lambda: disable_web_user(name, actor=app.actor))
    click.echo(tr(f"已停用网页用户 {name}", f"disabled web user {name}"))


@user.command("reset")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@pass_app
def user_reset(app: App, name: str, password_stdin: bool) -> None:
    """Set a new password (re-enables a disabled user; its sessions end)."""
    from registry.ops.webusers import reset_web_password
    from web.passwords import hash_password

    hashed = hash_password(_read_password(password_stdin))
    app.run(lambda: reset_web_password(name, hashed, actor=app.actor))
    click.echo(tr(f"已重设网页用户 {name} 的密码", f"password of web user {name} reset"))


@user.command("link")
@click.argument("name")
@click.argument("userid")
@pass_app
def user_link(app: App, name: str, userid: str) -> None:
    """Let a WeCom member sign in as this user with 企业微信登录 (`[web] wecom_login`)."""
    from registry.ops.webusers import link_wecom

    if not userid.strip():
        fail(tr("请给出企业微信账号（userid）；取消关联用 govmedia web user unlink", "give a userid; unlink removes one"))
    try:
        u = app.run(lambda: link_wecom(name, userid, actor=app.actor))
    except ValueError as exc:
        fail(str(exc))
    click.echo(tr(f"已将企业微信账号 {u.wecom_userid} 关联到网页用户 {u.name}",
                  f"WeCom userid {u.wecom_userid} linked to web user {u.name}"))


@user.command("unlink")
@click.argument("name")
@pass_app
def user_unlink(app: App, name: str) -> None:
    """Remove a web user's WeCom link (its member can no longer sign in with WeCom)."""
    from registry.ops.webusers import link_wecom

    app.run(lambda: link_wecom(name, "", actor=app.actor))
    click.echo(tr(f"已取消网页用户 {name} 的企业微信关联", f"WeCom link of web user {name} removed"))

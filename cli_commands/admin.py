"""Setting up and looking after an installation: init, doctor, backup, restore."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from cli_commands.app import EXIT_FAILED, EXIT_INPUT, App, fail, pass_app
from cli_commands.runtime import runtime_of, single_instance_lock
from registry.config.i18n import tr
from registry.config.settings import load, write_default
from registry.ops import doctor as doctor_mod
from reports.output import Field, render


@click.command()
@click.option("--db", "db_url", help="Database URL to write into the new config.")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option("--county", help="The county's name for reports and messages, e.g. 深泽县 (asked when interactive).")
@click.pass_context
def init(ctx: click.Context, db_url: str | None, force: bool, county: str | None) -> None:
    """Write a commented default config and create the database schema."""
    parent = ctx.parent.params if ctx.parent else {}
    path = Path(parent.get("config_path") or "govmedia.toml")
    if path.exists() and not force:
        click.echo(tr(f"配置文件已存在：{path}（保留不变；--force 可覆盖）", f"config exists: {path} (kept; --force overwrites)"))
        if county:
            click.echo(tr(f"未写入县名：请在 {path} 的 [county] name 中填写，或加 --force 重新生成",
                          f"county name not written: set [county] name in {path}, or regenerate with --force"), err=True)
    else:
        name = _county_name(county)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_default(path, database_url=db_url or parent.get("db_url"), overrides={"county.name": name} if name else None)
        click.echo(tr(f"已写入配置文件：{path}", f"wrote config: {path}"))
        if not name:
            click.echo(tr(f"提醒：未设置县名，报告中将显示“本县”；可在 {path} 的 [county] name 中填写",
                          f"note: no county name set, reports will say 本县; set [county] name in {path}"), err=True)
    settings = load(path)
    url = parent.get("db_url") or db_url or settings.database_url
    app = App(settings=settings, db_url=url, actor="init")

    async def noop() -> None:
        return None

    app.run(noop)
    click.echo(tr(f"数据库已就绪：{url}", f"database ready: {url}"))


def interactive() -> bool:
    """Whether a person is typing (stdin is a terminal): only then does init ask questions."""
    return sys.stdin.isatty()


def _county_name(given: str | None) -> str:
    """The county's name: --county, else asked on an interactive terminal, else empty."""
    if given is not None:
        name = given.strip()
    elif interactive():
        name = str(click.prompt(tr("本县名称（显示在报告中，例如 深泽县；可留空）", "County name (shown in reports; may be empty)"),
                                default="", show_default=False)).strip()
    else:
        return ""
    if len(name) > 40 or any(not ch.isprintable() for ch in name):
        fail(tr("县名应为不超过 40 个字的可见文字", "the county name must be at most 40 visible characters"), EXIT_INPUT)
    return name


@click.command()
@pass_app
def doctor(app: App) -> None:
    """Check config, database, secrets and each account's collection settings."""
    checks = doctor_mod.check_config(app.settings)
    secret_checks, names = doctor_mod.check_secrets(app.settings)
    checks += secret_checks
    checks.append(doctor_mod.describe_db(app.settings, app.db_url))

    async def accounts() -> tuple[list[doctor_mod.Check], list[doctor_mod.Readiness]]:
        from collectors.sources import method_needs

        needs = method_needs()
        return (await doctor_mod.check_accounts(names, app.settings, needs),
                await doctor_mod.method_readiness(names, app.settings, needs))

    account_checks, readiness = app.run(accounts)
    checks += account_checks
    cookie = doctor_mod.check_weibo_cookie(names, app.settings, readiness)
    if cookie is not None:
        checks.append(cookie)
    marks = {"ok": "✓", "warn": "!", "error": "✗"}
    for c in checks:
        click.echo(f"{marks[c.level]} {c.message}")
    _print_readiness(readiness)
    _print_plan(app)
    errors = sum(c.level == "error" for c in checks)
    warns = sum(c.level == "warn" for c in checks)
    click.echo(tr(f"检查完成：{errors} 个错误，{warns} 个提醒", f"done: {errors} errors, {warns} warnings"))


def _print_readiness(readiness: list[doctor_mod.Readiness]) -> None:
    """Per collection method: accounts ready, and those missing a credential or a feed URL."""
    click.echo(tr("\n各采集方式准备情况（可采集账号：在用且不是待补全；准备方法见 docs/data-sources.md）：",
                  "\nreadiness per collection method (collectable: active, not pending; how to prepare: docs/data-sources.md):"))
    records = [{"method": r.method, "accounts": r.accounts, "ready": r.ready, "no_credential": r.no_credential,
                "not_in_secrets": r.credential_not_in_secrets, "no_feed_url": r.no_feed_url,
                "no_collector": r.no_collector} for r in readiness]
    click.echo(render(records, [Field("method", tr("方式", "Method")), Field("accounts", tr("账号", "Accounts"), True),
                                Field("ready", tr("就绪", "Ready"), True),
                                Field("no_credential", tr("缺凭据", "No credential"), True),
                                Field("not_in_secrets", tr("凭据不在密钥文件", "Credential not in secrets"), True),
                                Field("no_feed_url", tr("缺订阅地址", "No feed URL"), True),
                                Field("no_collector", tr("无采集器", "No collector"), True)], "table"))


def _print_plan(app: App) -> None:
    from collectors.plan import plan
    from collectors.sources import lanes_from

    rt = runtime_of(app)
    counts = app.run(doctor_mod.method_counts)
    rows = plan(counts, rt.collect_options, rt.interval_minutes, rt.concurrency, lanes_from(app.settings))
    records = [{"method": r.method, "accounts": r.accounts, "calls": r.calls_per_account,
                "first": r.first_calls_per_account, "pacing": f"{r.pacing_s:.1f}s", "cycle": f"{r.cycle_seconds:.0f}s",
                "per_day": r.calls_per_day, "quota": r.quota,
                "headroom": "" if r.headroom is None else f"{r.headroom:.0%}"} for r in rows]
    click.echo(tr("\n采集计划（每轮）：", "\npolling plan (per cycle):"))
    click.echo(render(records, [Field("method", tr("方式", "Method")), Field("accounts", tr("账号", "Accounts"), True),
                                Field("calls", tr("每号调用", "Calls/acct"), True),
                                Field("first", tr("首次调用", "First run"), True), Field("pacing", tr("间隔", "Pacing")),
                                Field("cycle", tr("每轮耗时", "Cycle")), Field("per_day", tr("每日调用", "Calls/day"), True),
                                Field("quota", tr("配额", "Quota")), Field("headroom", tr("余量", "Headroom"))], "table"))
    for r in rows:
        if r.headroom is not None and r.headroom < 0:
            click.echo(tr(f"✗ {r.method} 超出配额或一轮内采不完：请加大采集间隔或减少账号",
                          f"✗ {r.method} exceeds its quota or cannot finish within the interval"))


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Backup file (default govmedia-YYYYmmdd-HHMM.db).")
@pass_app
def backup_cmd(app: App, out: Path | None) -> None:
    """Back up the database (SQLite: online backup, safe while `govmedia run` works)."""
    from registry.ops.backup import BackupError, backup

    path = out or Path(f"govmedia-{dt.datetime.now(app.tz):%Y%m%d-%H%M}.db")
    try:
        backup(app.db_url, path)
    except BackupError as exc:
        fail(str(exc), EXIT_FAILED)
    click.echo(tr(f"已备份到 {path}", f"backed up to {path}"))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def restore_cmd(app: App, file: Path, yes: bool) -> None:
    """Replace the database with a backup (the current one is kept as *.before-restore)."""
    from registry.ops.backup import BackupError, restore

    lock = single_instance_lock(app)  # refuse while `govmedia run` holds the database
    if not yes and not click.confirm(tr("将用备份覆盖当前数据库，继续？", "Replace the current database with the backup?")):
        fail(tr("已取消", "cancelled"))
    try:
        target, note = restore(app.db_url, file)
    except BackupError as exc:
        fail(str(exc), EXIT_INPUT)
    finally:
        if lock is not None:
            lock.close()
    if note:
        click.echo(note)
    click.echo(tr(f"已从 {file} 恢复到 {target}", f"restored {target} from {file}"))

"""Setting up and looking after an installation: init, doctor, backup, restore."""

from __future__ import annotations

import datetime as dt
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
@click.pass_context
def init(ctx: click.Context, db_url: str | None, force: bool) -> None:
    """Write a commented default config and create the database schema."""
    parent = ctx.parent.params if ctx.parent else {}
    path = Path(parent.get("config_path") or "govmedia.toml")
    if path.exists() and not force:
        click.echo(tr(f"配置文件已存在：{path}（保留不变；--force 可覆盖）", f"config exists: {path} (kept; --force overwrites)"))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_default(path, database_url=db_url or parent.get("db_url"))
        click.echo(tr(f"已写入配置文件：{path}", f"wrote config: {path}"))
    settings = load(path)
    url = parent.get("db_url") or db_url or settings.database_url
    app = App(settings=settings, db_url=url, actor="init")

    async def noop() -> None:
        return None

    app.run(noop)
    click.echo(tr(f"数据库已就绪：{url}", f"database ready: {url}"))


@click.command()
@pass_app
def doctor(app: App) -> None:
    """Check config, database, secrets and each account's collection settings."""
    checks = doctor_mod.check_config(app.settings)
    secret_checks, names = doctor_mod.check_secrets(app.settings)
    checks += secret_checks
    checks.append(doctor_mod.describe_db(app.settings, app.db_url))

    async def accounts() -> list[doctor_mod.Check]:
        from collectors.sources import method_needs

        return await doctor_mod.check_accounts(names, app.settings, method_needs())

    checks += app.run(accounts)
    marks = {"ok": "✓", "warn": "!", "error": "✗"}
    for c in checks:
        click.echo(f"{marks[c.level]} {c.message}")
    _print_plan(app)
    errors = sum(c.level == "error" for c in checks)
    warns = sum(c.level == "warn" for c in checks)
    click.echo(tr(f"检查完成：{errors} 个错误，{warns} 个提醒", f"done: {errors} errors, {warns} warnings"))


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

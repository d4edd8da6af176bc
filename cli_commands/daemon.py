"""The daemon: `govmedia run`, alone on SQLite or as one of several workers on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import click

from cli_commands.alerts import notify_cycle
from cli_commands.app import App, app_secrets, fail, load_rule_settings, log, pass_app
from cli_commands.reporting import monthly_review
from collectors.service import collect as run_collect
from collectors.service import make_client
from registry.config.i18n import tr


def single_instance_lock(app: App) -> Any:
    """On SQLite only one `govmedia run` may work on a database: hold an exclusive lock file."""
    import fcntl

    from registry.db.lifecycle import is_sqlite

    if not is_sqlite(app.db_url):
        return None
    path = Path(app.db_url.removeprefix("sqlite://") + ".run.lock")
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fail(tr(f"另一个 govmedia run 正在使用该 SQLite 数据库（{path}）；SQLite 只支持单进程运行，多进程请使用 PostgreSQL",
                f"another `govmedia run` is using this SQLite database ({path}); use PostgreSQL for several workers"))
    return handle


@click.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron or a check).")
@click.option("--worker", is_flag=True, help="PostgreSQL: one of several processes sharing the due accounts.")
@pass_app
def run(app: App, once: bool, worker: bool) -> None:
    """Start the scheduler: collection on its cadence, then the check (and later stages) after it."""
    import signal
    import threading

    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from registry.db.lifecycle import is_sqlite
    from registry.ops.leader import Leadership
    from rules.evaluate import run_check

    if worker and is_sqlite(app.db_url):
        fail(tr("--worker 需要 PostgreSQL：SQLite 只支持单进程运行", "--worker needs PostgreSQL: SQLite is single-process"))
    lock = single_instance_lock(app)
    secrets = app_secrets(app)
    rule_settings = load_rule_settings(app)
    interval = int(app.settings.get("collect.interval_minutes", 60))
    leader = Leadership(app.db_url)
    running: set[asyncio.Task[Any]] = set()
    stopping = threading.Event()

    async def cycle() -> None:
        """One collection pass, then the check; a failure is reported and the next cycle retries."""
        task = asyncio.current_task()
        if task is not None:
            running.add(task)
        try:
            async with make_client(app.settings) as client:
                summary = await run_collect(app.settings, secrets, client, due_interval=dt.timedelta(minutes=interval))
            counts = summary.counts
            if not await leader.try_acquire():
                # Another worker leads: it runs the check, the warnings and the monthly review.
                click.echo(tr(f"[{dt.datetime.now(app.tz):%m-%d %H:%M}] 采集 成功{counts.get('ok', 0)} "
                              f"失败{counts.get('failed', 0)}（检查与预警由主进程负责）",
                              f"[{dt.datetime.now(app.tz):%m-%d %H:%M}] collect ok={counts.get('ok', 0)} "
                              f"failed={counts.get('failed', 0)} (the leader checks and notifies)"))
                return
            result = await run_check(dt.datetime.now(app.tz), rule_settings)
            sent = await notify_cycle(app, dry_run=False)
            click.echo(tr(f"[{dt.datetime.now(app.tz):%m-%d %H:%M}] 采集 成功{counts.get('ok', 0)} 失败{counts.get('failed', 0)} "
                          f"新文章{summary.new_posts}；检查 问题{len(result.drafts)}（新{len(result.sync.opened)} "
                          f"解除{len(result.sync.resolved)}）；预警 发送{len(sent.sent)}",
                          f"[{dt.datetime.now(app.tz):%m-%d %H:%M}] collect ok={counts.get('ok', 0)} "
                          f"failed={counts.get('failed', 0)} new posts={summary.new_posts}; check findings="
                          f"{len(result.drafts)} (new {len(result.sync.opened)}, resolved {len(result.sync.resolved)}); "
                          f"sent {len(sent.sent)}"))
        except asyncio.CancelledError:
            if stopping.is_set():  # a clean stop (SIGTERM/SIGINT): say so quietly, no traceback from the scheduler
                log.info("cycle stopped by a stop signal; its leases expire as designed")
                return
            raise
        except Exception as exc:  # keep the daemon alive
            log.error("cycle failed: %s: %s", type(exc).__name__, exc)
        finally:
            if task is not None:
                running.discard(task)

    async def monthly() -> None:
        """On the first working day of a month: last month's review, and a WeCom summary to the office."""
        try:
            if not await leader.try_acquire():
                return
            sent = await monthly_review(app, dt.datetime.now(app.tz))
            if sent is not None:
                click.echo(tr(f"月度报告已生成并通知：{sent}", f"monthly review written and announced: {sent}"))
        except Exception as exc:
            log.error("monthly review failed: %s: %s", type(exc).__name__, exc)

    async def daemon() -> None:
        try:
            await _daemon_body()
        finally:
            await leader.release()

    async def _daemon_body() -> None:
        if once:
            await cycle()
            return
        scheduler = AsyncIOScheduler(timezone=str(app.tz), job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
        # Poll often; only due accounts are collected, so each is collected once per interval.
        scheduler.add_job(cycle, IntervalTrigger(minutes=min(interval, 5)), id="cycle",
                          next_run_time=dt.datetime.now(app.tz))
        hour, minute = (int(x) for x in str(app.settings.get("reports.monthly_time", "09:00")).split(":"))
        scheduler.add_job(monthly, CronTrigger(hour=hour, minute=minute, timezone=str(app.tz)), id="monthly")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        scheduler.start()
        click.echo(tr(f"govmedia 已启动：每 {interval} 分钟采集并检查一次（Ctrl-C 停止）",
                      f"govmedia running: collect and check every {interval} minutes (Ctrl-C stops)"), err=True)
        await stop.wait()
        scheduler.shutdown(wait=False)
        stopping.set()
        # Finish no job half-way on a closed database: cancel running cycles (their transactions
        # roll back; leases expire) and wait for them before the database closes.
        for task in list(running):
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        click.echo(tr("已停止", "stopped"), err=True)

    try:
        app.run(daemon)
    finally:
        if lock is not None:
            lock.close()

"""The daemon: `govmedia run`, alone on SQLite or as one of several workers on PostgreSQL."""

from __future__ import annotations

import click

from cli_commands import jobs
from cli_commands.app import App, fail, pass_app
from cli_commands.runtime import runtime_of, single_instance_lock
from registry.config.i18n import tr
from registry.db.lifecycle import is_sqlite


@click.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron or a check).")
@click.option("--worker", is_flag=True, help="PostgreSQL: one of several processes sharing the due accounts.")
@pass_app
def run(app: App, once: bool, worker: bool) -> None:
    """Start the scheduler: collection on its cadence, then the check (and later stages) after it."""
    if worker and is_sqlite(app.db_url):
        fail(tr("--worker 需要 PostgreSQL：SQLite 只支持单进程运行", "--worker needs PostgreSQL: SQLite is single-process"))
    lock = single_instance_lock(app)
    rt = runtime_of(app)
    rt.secrets, rt.rule_settings  # noqa: B018 - a config error stops the daemon before it starts
    try:
        app.run(lambda: jobs.run_daemon(rt, once=once))
    finally:
        if lock is not None:
            lock.close()

"""The `govmedia` command: composition root (config -> database -> use case) and thin commands.

Each command parses its options, runs one use case inside one ``asyncio.run`` with the database
open, and prints. Exit codes: 0 success, 2 bad input or usage, 3 the command could not do its job.
The commands live in `cli_commands/`, one module per area; this module builds the root group.
"""

from __future__ import annotations

import logging

import click

from cli_commands.admin import backup_cmd, doctor, init, restore_cmd
from cli_commands.alerts import bot, notify, silence
from cli_commands.app import App, GuardedGroup, fail
from cli_commands.checking import check, findings_cmd, review, rules
from cli_commands.collection import collect
from cli_commands.content import content
from cli_commands.daemon import run
from cli_commands.demo import demo, sandbox
from cli_commands.ledger import accounts, contacts, units
from cli_commands.reporting import report
from cli_commands.web import web
from registry.config.i18n import set_lang
from registry.config.settings import ConfigError, load, locate


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar=None, help="Config file (default $GOVMEDIA_CONFIG or ./govmedia.toml).")
@click.option("--db", "db_url", help="Database URL, overriding the config.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Output language.")
@click.option("--actor", help="Name recorded in the audit trail (default: the OS user).")
@click.option("-v", "--verbose", count=True, help="More log output.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db_url: str | None, lang: str, actor: str | None, verbose: int) -> None:
    """govmedia: 政务新媒体矩阵健康管理 — registry, collection, checks, warnings, reports."""
    set_lang(lang)
    logging.basicConfig(level=logging.WARNING - 10 * min(verbose, 2), format="%(levelname)s %(name)s: %(message)s")
    from collectors.http import redact_http_logs

    redact_http_logs()  # httpx logs request URLs at -v; tokens and webhook keys ride in query strings
    if ctx.invoked_subcommand in ("init", "demo", "sandbox"):
        ctx.obj = None
        return
    try:
        settings = load(locate(config_path))
    except ConfigError as exc:
        fail(str(exc))
    from registry.ledger.audit import default_actor

    ctx.obj = App(settings=settings, db_url=db_url or settings.database_url, actor=actor or default_actor())


for command in (
    init,
    doctor,
    backup_cmd,
    restore_cmd,
    accounts,
    units,
    contacts,
    collect,
    check,
    content,
    findings_cmd,
    rules,
    review,
    notify,
    silence,
    bot,
    report,
    run,
    demo,
    sandbox,
    web,
):
    main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()

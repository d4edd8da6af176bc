"""The `govmedia` command: composition root (config -> database -> use case) and thin commands.

Each command parses its options, runs one use case inside one ``asyncio.run`` with the database
open, and prints. Exit codes: 0 success, 2 bad input or usage, 3 the command could not do its job.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click

from collectors.service import collect as run_collect
from collectors.service import make_client
from registry import doctor as doctor_mod
from registry import store, vocab
from registry.credentials import Secrets, SecretsError, load_secrets
from registry.db import DatabaseError, database
from registry.i18n import get_lang, set_lang, tr
from registry.ledger_file import export_ledger, import_ledger
from registry.observations import collection_status
from registry.settings import ConfigError, Settings, load, locate, write_default
from reports import collection as collection_view
from reports import findings_view
from reports import registry_lists as views
from reports.output import FORMATS, Field, render

T = TypeVar("T")
EXIT_INPUT = 2
EXIT_FAILED = 3
log = logging.getLogger("govmedia")


@dataclass
class App:
    """What every command gets: settings, database URL, actor."""

    settings: Settings
    db_url: str
    actor: str

    @property
    def tz(self) -> ZoneInfo:
        """The county's time zone."""
        return ZoneInfo(str(self.settings.get("county.timezone", "Asia/Shanghai")))

    def today(self) -> dt.date:
        """Today in the county's calendar."""
        return dt.datetime.now(self.tz).date()

    def run(self, use_case: Callable[[], Awaitable[T]], *, upgrade: bool = True) -> T:
        """Run one use case with the database open; map failures to exit codes."""

        async def main() -> T:
            async with database(self.db_url, upgrade_schema=upgrade):
                return await use_case()

        try:
            return asyncio.run(main())
        except DatabaseError as exc:
            fail(str(exc), EXIT_FAILED)
        except (store.NotFound, store.Ambiguous) as exc:
            fail(str(exc), EXIT_INPUT)
        except store.Invalid as exc:
            for e in exc.errors:
                click.echo(str(e), err=True)
            fail(tr("输入无效，未做任何修改", "invalid input; nothing was changed"), EXIT_INPUT)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print an error in plain words and exit."""
    click.echo(tr("错误：", "error: ") + message, err=True)
    sys.exit(code)


pass_app = click.make_pass_decorator(App)


def _format_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")(f)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)(f)


def _emit(records: list[dict[str, Any]], fields: list[Field], fmt: str, out: Path | None,
          sheet: str = "Sheet1", table_fields: tuple[str, ...] | None = None) -> None:
    if fmt == "xlsx" and out is None:
        fail(tr("xlsx 格式需要 --out 文件名", "--format xlsx needs --out FILE"))
    text = render(records, fields, fmt, out=out, sheet=sheet, table_fields=table_fields)
    if out is not None:
        click.echo(tr(f"已写入 {text}（{len(records)} 条）", f"wrote {text} ({len(records)} rows)"))
    else:
        click.echo(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    from registry.audit import default_actor

    ctx.obj = App(settings=settings, db_url=db_url or settings.database_url, actor=actor or default_actor())


@main.command()
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


@main.command()
@pass_app
def doctor(app: App) -> None:
    """Check config, database, secrets and each account's collection settings."""
    checks = doctor_mod.check_config(app.settings)
    secret_checks, names = doctor_mod.check_secrets(app.settings)
    checks += secret_checks
    checks.append(doctor_mod.describe_db(app.settings, app.db_url))

    async def accounts() -> list[doctor_mod.Check]:
        return await doctor_mod.check_accounts(names, app.settings)

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
    from collectors.service import options_from

    counts = app.run(doctor_mod.method_counts)
    rows = plan(counts, options_from(app.settings), int(app.settings.get("collect.interval_minutes", 60)),
                int(app.settings.get("collect.concurrency", 8)))
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


# ---------------------------------------------------------------- accounts
@main.group()
def accounts() -> None:
    """The account registry (台账)."""


@accounts.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--retire-missing", is_flag=True, help="Retire accounts that are not in the file.")
@pass_app
def accounts_import(app: App, file: Path, dry_run: bool, retire_missing: bool) -> None:
    """Import a ledger (.xlsx or .csv); all rows valid or nothing is written."""
    result = app.run(lambda: import_ledger(file, actor=app.actor, today=app.today(), dry_run=dry_run,
                                           retire_missing=retire_missing))
    for w in result.warnings:
        click.echo(tr("提醒：", "warning: ") + w, err=True)
    if result.errors:
        for e in result.errors:
            click.echo(str(e), err=True)
        fail(tr(f"台账有 {len(result.errors)} 处错误，未写入任何数据", f"{len(result.errors)} errors in the ledger; nothing was written"))
    plan = result.plan
    assert plan is not None
    for c in plan.added:
        click.echo(tr("新增 ", "add    ") + f"{c.record['name']} ({c.record['platform']}:{c.record['uid']})")
    for c in plan.changed:
        click.echo(tr("变更 ", "change ") + f"{c.record['name']} ({c.record['platform']}:{c.record['uid']})")
        for key, (old, new) in c.diffs.items():
            click.echo(f"    {key}: {old or '∅'} → {new or '∅'}")
    for a in plan.retired:
        click.echo(tr("注销 ", "retire ") + f"{a.name} ({a.ref})")
    summary = tr(f"新增 {len(plan.added)}，变更 {len(plan.changed)}，未变 {len(plan.unchanged)}，注销 {len(plan.retired)}",
                 f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.unchanged)} unchanged, {len(plan.retired)} retired")
    if dry_run:
        click.echo(tr("（试运行，未写入）", "(dry run, nothing written) ") + summary)
    else:
        click.echo(summary)


@accounts.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def accounts_export(app: App, file: Path) -> None:
    """Export the ledger in the import format (.xlsx or .csv)."""
    if file.suffix.lower() not in (".xlsx", ".csv"):
        fail(tr("文件名应以 .xlsx 或 .csv 结尾", "file name must end in .xlsx or .csv"))
    n = app.run(lambda: export_ledger(file))
    click.echo(tr(f"已导出 {n} 个账号到 {file}", f"exported {n} accounts to {file}"))


@accounts.command("list")
@click.option("--platform", help="wechat, weibo, … or 微信公众号, 新浪微博, …")
@click.option("--unit", help="Unit name (substring).")
@click.option("--status", help="Status code or label, e.g. 运营中.")
@_format_options
@pass_app
def accounts_list(app: App, platform: str | None, unit: str | None, status: str | None, fmt: str, out: Path | None) -> None:
    """List accounts."""

    async def use_case() -> list[dict[str, Any]]:
        found = await store.list_accounts(store.AccountFilter(platform=platform, unit=unit, status=status))
        return [views.account_record(a) for a in found]

    records = app.run(use_case)
    _emit(records, views.account_fields(), fmt, out, sheet="accounts", table_fields=views.TABLE_ACCOUNT_KEYS)


@accounts.command("show")
@click.argument("ref")
@pass_app
def accounts_show(app: App, ref: str) -> None:
    """Show one account (REF: platform:uid, id or exact name)."""

    async def use_case() -> list[tuple[str, str]]:
        return views.account_details(await store.find_account(ref))

    for label, value in app.run(use_case):
        click.echo(f"{label}: {value}")


@accounts.command("history")
@click.argument("ref")
@_format_options
@pass_app
def accounts_history(app: App, ref: str, fmt: str, out: Path | None) -> None:
    """Show an account's audit trail."""

    async def use_case() -> list[dict[str, Any]]:
        _, events = await store.account_history(ref)
        return [views.history_record(e) for e in events]

    _emit(app.run(use_case), views.history_fields(), fmt, out, sheet="history")


_SETTABLE = {
    "name": "name", "unit": "unit", "unit_kind": "unit-kind", "status": "status", "method": "method",
    "credential": "credential", "feed_url": "feed-url", "frequency": "frequency", "interaction": "interaction",
    "opened_on": "opened-on", "filed": "filed", "filed_on": "filed-on", "notes": "notes", "matrix_role": "matrix-role",
    "account_type": "account-type", "verified_subject": "verified-subject", "operator_org": "operator-org",
    "head": "head", "head_phone": "head-phone", "operator": "operator", "operator_phone": "operator-phone",
    "wecom": "wecom", "head_wecom": "head-wecom", "parent_unit": "parent-unit",
}


def _field_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for key, opt in reversed(list(_SETTABLE.items())):
        f = click.option(f"--{opt}", key, default=None, help=f"Ledger column {key}.")(f)
    return f


@accounts.command("add")
@click.option("--platform", required=True)
@click.option("--uid", required=True, help="WeChat 原始ID (gh_…) or Weibo uid / profile URL.")
@_field_options
@pass_app
def accounts_add(app: App, /, platform: str, uid: str, **fields: str | None) -> None:
    """Add one account (same rules as the ledger import)."""
    record = {k: v for k, v in fields.items() if v is not None}
    record.update(platform=platform, uid=uid)
    account = app.run(lambda: store.add_account(record, actor=app.actor, today=app.today()))
    click.echo(tr(f"已新增账号 #{account.id} {account.name}（{account.ref}）", f"added account #{account.id} {account.name} ({account.ref})"))


@accounts.command("set")
@click.argument("ref")
@_field_options
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@pass_app
def accounts_set(app: App, /, ref: str, reason: str, **fields: str | None) -> None:
    """Change fields of one account; every change is audited."""
    updates = {k: v for k, v in fields.items() if v is not None}
    if not updates:
        fail(tr("没有指定要修改的字段", "no field to change given"))
    _, diffs = app.run(lambda: store.set_account(ref, updates, actor=app.actor, today=app.today(), note=reason))
    if not diffs:
        click.echo(tr("没有变化", "nothing changed"))
    for key, (old, new) in diffs.items():
        click.echo(f"{key}: {old or '∅'} → {new or '∅'}")


@accounts.command("retire")
@click.argument("ref")
@click.option("--reason", required=True, help="Why the account leaves the matrix.")
@pass_app
def accounts_retire(app: App, ref: str, reason: str) -> None:
    """Retire an account (status 已注销), audited."""
    account = app.run(lambda: store.retire_account(ref, actor=app.actor, reason=reason))
    click.echo(tr(f"已注销：{account.name}（{account.ref}）", f"retired: {account.name} ({account.ref})"))


# ---------------------------------------------------------------- units and contacts
@main.group()
def units() -> None:
    """Units (单位)."""


@units.command("list")
@_format_options
@pass_app
def units_list(app: App, fmt: str, out: Path | None) -> None:
    """List units with their account counts."""

    async def use_case() -> list[dict[str, Any]]:
        return [views.unit_record(u, n) for u, n in await store.list_units()]

    _emit(app.run(use_case), views.unit_fields(), fmt, out, sheet="units")


@units.command("add")
@click.argument("name")
@click.option("--kind", default="", help="县政府 / 县直部门 / 乡镇 / 其他")
@click.option("--parent", default="", help="Parent unit name.")
@pass_app
def units_add(app: App, name: str, kind: str, parent: str) -> None:
    """Add a unit."""
    try:
        unit = app.run(lambda: store.add_unit(name, kind, parent, actor=app.actor))
    except ValueError as exc:
        fail(str(exc))
    click.echo(tr(f"已新增单位 #{unit.id} {unit.name}", f"added unit #{unit.id} {unit.name}"))


@main.group()
def contacts() -> None:
    """Contact people (负责人 / 分管领导 / 运维人员)."""


@contacts.command("list")
@click.option("--unit", help="Unit name (substring).")
@_format_options
@pass_app
def contacts_list(app: App, unit: str | None, fmt: str, out: Path | None) -> None:
    """List contacts."""

    async def use_case() -> list[dict[str, Any]]:
        return [views.contact_record(p) for p in await store.list_contacts(unit)]

    _emit(app.run(use_case), views.contact_fields(), fmt, out, sheet="contacts")


@contacts.command("add")
@click.option("--unit", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="负责人 / 分管领导 / 运维人员 (head / leader / operator)")
@click.option("--phone", default="")
@click.option("--wecom", default="", help="WeCom userid.")
@pass_app
def contacts_add(app: App, unit: str, name: str, role: str, phone: str, wecom: str) -> None:
    """Add a contact person to a unit."""
    try:
        person = app.run(lambda: store.add_contact(unit, name, role, phone, wecom, actor=app.actor))
    except ValueError as exc:
        fail(str(exc))
    click.echo(tr(f"已新增联系人 #{person.id} {person.name}", f"added contact #{person.id} {person.name}"))


@contacts.command("confirm")
@click.argument("contact_id", type=int)
@pass_app
def contacts_confirm(app: App, contact_id: int) -> None:
    """Record that a contact's details were re-confirmed today."""
    person = app.run(lambda: store.confirm_contact(contact_id, actor=app.actor))
    click.echo(tr(f"已确认联系人 #{person.id} {person.name}", f"confirmed contact #{person.id} {person.name}"))


# ---------------------------------------------------------------- collection
def _secrets(app: App) -> Secrets:
    try:
        return load_secrets(app.settings.secrets_path)
    except SecretsError as exc:
        fail(str(exc))


class _Progress:
    """A one-line progress display on a terminal: account n/N, posts found, failures."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.posts = 0
        self.failed = 0

    def __call__(self, outcome: Any, done: int, total: int) -> None:
        self.posts += outcome.new_posts
        self.failed += outcome.status == "failed"
        if self.tty:
            line = tr(f"\r采集中 {done}/{total}  新文章 {self.posts}  失败 {self.failed}",
                      f"\rcollecting {done}/{total}  new posts {self.posts}  failed {self.failed}")
            click.echo(line, nl=done == total, err=True)
        else:
            log.info("%s %s: %s", done, outcome.target.uid, outcome.status)


async def _resolve_ids(refs: tuple[str, ...]) -> list[int] | None:
    if not refs:
        return None
    return [(await store.find_account(r)).id for r in refs]


@main.group(invoke_without_command=True)
@click.option("--account", "refs", multiple=True, help="Only this account (REF); repeatable.")
@click.option("--platform", help="Only this platform (wechat, weibo, …).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Re-fetch history since this date.")
@click.pass_context
def collect(ctx: click.Context, refs: tuple[str, ...], platform: str | None, since: dt.datetime | None) -> None:
    """Run one collection pass (or a subcommand: status, import)."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    secrets = _secrets(app)
    progress = _Progress()
    parsed = vocab.parse_platform(platform) if platform else None
    plat = parsed.value if parsed else platform

    async def use_case() -> Any:
        async with make_client(app.settings) as client:
            return await run_collect(app.settings, secrets, client, account_ids=await _resolve_ids(refs),
                                     platform=plat, since=since.date() if since else None, progress=progress)

    summary = app.run(use_case)
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
@_format_options
@pass_app
def collect_status(app: App, refs: tuple[str, ...], fmt: str, out: Path | None) -> None:
    """Per account: last success, last attempt and error, posts known, data coverage."""

    async def use_case() -> list[dict[str, Any]]:
        return collection_view.status_records(await collection_status(await _resolve_ids(refs)))

    _emit(app.run(use_case), collection_view.status_fields(), fmt, out, sheet="collection")


@collect.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def collect_import(app: App, file: Path) -> None:
    """Import units' submissions (posts and followers) for manually collected accounts."""
    from collectors.manual import import_submission
    from collectors.run import worker_name

    now = dt.datetime.now(app.tz)
    sub = app.run(lambda: import_submission(file, today=now.date(), now=now, worker=worker_name()))
    for w in sub.warnings:
        click.echo(tr("提醒：", "warning: ") + w, err=True)
    if sub.errors:
        for e in sub.errors:
            click.echo(str(e), err=True)
        fail(tr(f"报送文件有 {len(sub.errors)} 处错误，未写入任何数据", f"{len(sub.errors)} errors; nothing was written"))
    posts = sum(len(v) for v in sub.posts.values())
    metrics = sum(len(v) for v in sub.metrics.values())
    accounts = len(set(sub.posts) | set(sub.metrics))
    click.echo(tr(f"已导入 {accounts} 个账号的 {posts} 篇文章、{metrics} 条粉丝数据",
                  f"imported {posts} posts and {metrics} follower counts of {accounts} accounts"))


# ---------------------------------------------------------------- rules, findings, reviews
def _rule_settings(app: App) -> Any:
    from rules.config import RuleSettings

    try:
        return RuleSettings.from_dict(app.settings.section("rules"))
    except ValueError as exc:
        fail(str(exc))


def _rule_names() -> dict[str, str]:
    from rules.config import CATALOGUE

    return {rid: (m.name_en if get_lang() == "en" else m.name_zh) for rid, m in CATALOGUE.items()}


def _as_of(app: App, value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(app.tz)
    return value.replace(tzinfo=app.tz) if value.tzinfo is None else value


_DATETIME = click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"])


@main.command()
@click.option("--as-of", "as_of", type=_DATETIME, help="Evaluate as at this time (county time zone).")
@click.option("--fail-on", type=click.Choice(["veto", "warning"]), help="Exit 1 when findings of this level exist.")
@pass_app
def check(app: App, as_of: dt.datetime | None, fail_on: str | None) -> None:
    """Evaluate every account, open/refresh/resolve findings, open shutdown reviews."""
    from rules.evaluate import run_check

    settings = _rule_settings(app)
    now = _as_of(app, as_of)
    summary = app.run(lambda: run_check(now, settings))
    names = _rule_names()
    click.echo(tr(f"检查时间：{now:%Y-%m-%d %H:%M}，账号 {summary.accounts} 个（在用 {summary.active} 个）",
                  f"checked at {now:%Y-%m-%d %H:%M}: {summary.accounts} accounts ({summary.active} active)"))
    rows = [{"rule": rid, "name": names.get(rid, rid), "count": n} for rid, n in sorted(summary.by_rule.items())]
    click.echo(render(rows, [Field("rule", tr("规则", "Rule")), Field("name", tr("问题", "Problem")),
                             Field("count", tr("账号数", "Accounts"), True)], "table"))
    sync = summary.sync
    click.echo(tr(f"新发现 {len(sync.opened)}，持续 {len(sync.refreshed)}，已解除 {len(sync.resolved)}，"
                  f"因采集中断暂缓判断 {len(sync.kept_blind)}，新立关停整合复核 {len(sync.reviews_opened)}",
                  f"{len(sync.opened)} new, {len(sync.refreshed)} ongoing, {len(sync.resolved)} resolved, "
                  f"{len(sync.kept_blind)} held while blind, {len(sync.reviews_opened)} reviews opened"))
    severities = summary.by_severity
    if fail_on == "veto" and severities.get("veto"):
        sys.exit(1)
    if fail_on == "warning" and (severities.get("veto") or severities.get("warning")):
        sys.exit(1)


@main.command("findings")
@click.option("--state", type=click.Choice(["open", "resolved", "all"]), default="open", show_default=True)
@click.option("--rule", help="Only this rule id.")
@click.option("--unit", help="Unit name (substring).")
@click.option("--account", "ref", help="Only this account (REF).")
@_format_options
@pass_app
def findings_cmd(app: App, state: str, rule: str | None, unit: str | None, ref: str | None, fmt: str,
                 out: Path | None) -> None:
    """List findings (JSON keys are stable for other tools)."""
    from registry.checks import findings as load_findings

    names = _rule_names()

    async def use_case() -> list[dict[str, Any]]:
        ids = [(await store.find_account(ref)).id] if ref else None
        return [findings_view.finding_record(f, names) for f in await load_findings(state=state, rule=rule, unit=unit,
                                                                                    account_ids=ids)]

    records = app.run(use_case)
    if fmt == "table" and out is None:
        click.echo(render(records, findings_view.finding_table_fields(), "table"))
        click.echo(tr(f"共 {len(records)} 条", f"{len(records)} findings"))
    else:
        _emit(records, findings_view.finding_fields(), fmt, out, sheet="findings")


@main.group()
def rules() -> None:
    """The rule catalogue."""


@rules.command("list")
@_format_options
@pass_app
def rules_list(app: App, fmt: str, out: Path | None) -> None:
    """Each rule, its Chinese name, severity and effective settings."""
    from rules.config import describe

    infos = describe(_rule_settings(app))
    records = [{"id": i.id, "name": i.name_zh if get_lang() == "zh" else i.name_en,
                "severity": findings_view.severity_label(i.severity),
                "settings": ", ".join(f"{k}={v}" for k, v in i.settings.items()),
                "overrides": ", ".join(f"{kind}: {v}" for kind, v in i.overrides.items())} for i in infos]
    fields = [Field("id", "ID"), Field("name", tr("名称", "Name")), Field("severity", tr("级别", "Severity")),
              Field("settings", tr("设置", "Settings")), Field("overrides", tr("按单位类型覆盖", "Overrides"))]
    _emit(records, fields, fmt, out, sheet="rules")


@main.group()
def review() -> None:
    """Shutdown review cases (关停整合)."""


@review.command("list")
@click.option("--state", type=click.Choice(["open", "decided", "all"]), default="open", show_default=True)
@_format_options
@pass_app
def review_list(app: App, state: str, fmt: str, out: Path | None) -> None:
    """List review cases."""
    from registry.reviews import list_reviews

    names = _rule_names()

    async def use_case() -> list[dict[str, Any]]:
        return [findings_view.review_record(r, names) for r in await list_reviews(state)]

    _emit(app.run(use_case), findings_view.review_fields(), fmt, out, sheet="reviews")


@review.command("show")
@click.argument("ref")
@pass_app
def review_show(app: App, ref: str) -> None:
    """Show one review case (its number, or an account REF)."""
    from registry.reviews import find_review

    names = _rule_names()

    async def use_case() -> dict[str, Any]:
        return findings_view.review_record(await find_review(ref), names)

    record = app.run(use_case)
    for field in [*findings_view.review_fields(), Field("reason", tr("理由", "Reason"))]:
        click.echo(f"{field.header}: {record[field.key]}")


@review.command("dossier")
@click.argument("ref")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="HTML file (default dossier-<id>.html).")
@pass_app
def review_dossier(app: App, ref: str, out: Path | None) -> None:
    """Write the decision packet of a review case (printable HTML)."""
    from registry.dossier_data import build_dossier
    from registry.reviews import find_review
    from reports.dossier import render_dossier

    async def use_case() -> tuple[int, str]:
        r = await find_review(ref)
        return r.id, render_dossier(await build_dossier(r, dt.datetime.now(app.tz)))

    review_id, html = app.run(use_case)
    path = out or Path(f"dossier-{review_id}.html")
    path.write_text(html, encoding="utf-8")
    click.echo(tr(f"已写入复核材料：{path}", f"wrote dossier: {path}"))


@review.command("decide")
@click.argument("ref")
@click.option("--decision", required=True, type=click.Choice(["保留整改", "整合", "关停", "注销"]))
@click.option("--reason", required=True)
@click.option("--merge-into", "merge_into", help="Account REF that absorbs this one (整合).")
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), help="Rectification deadline (保留整改).")
@pass_app
def review_decide(app: App, ref: str, decision: str, reason: str, merge_into: str | None,
                  deadline: dt.datetime | None) -> None:
    """Decide a review case; the account's status changes through the audit trail."""
    from registry.reviews import decide

    try:
        r = app.run(lambda: decide(ref, decision, reason, actor=app.actor, today=app.today(), merge_into=merge_into,
                                   deadline=deadline.date() if deadline else None))
    except ValueError as exc:
        fail(str(exc))
    extra = tr(f"，整改期限 {r.deadline}", f", deadline {r.deadline}") if r.deadline else ""
    click.echo(tr(f"复核案件 #{r.id}（{r.account.name}）已决定：{decision}{extra}",
                  f"review #{r.id} ({r.account.name}) decided: {decision}{extra}"))


# ---------------------------------------------------------------- warnings (bot)
def _notify_settings(app: App) -> Any:
    from bot.cycle import NotifySettings

    try:
        return NotifySettings.from_settings(app.settings)
    except ValueError as exc:
        fail(str(exc))


def _working_day(app: App) -> Any:
    settings = _rule_settings(app)
    return settings.calendar.is_working_day


async def _notify(app: App, dry_run: bool, now: dt.datetime | None = None) -> Any:
    from bot.cycle import run_cycle
    from bot.service import ConfigProblem, notifiers

    ns = _notify_settings(app)
    secrets = _secrets(app)
    async with make_client(app.settings) as client:
        try:
            chans = notifiers(app.settings, secrets, ns, client)
        except ConfigProblem as exc:
            fail(str(exc))
        return await run_cycle(now or dt.datetime.now(app.tz), ns, chans, dry_run=dry_run,
                               is_working_day=_working_day(app))


def _print_cycle(result: Any, dry_run: bool) -> None:
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


@main.group(invoke_without_command=True)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.pass_context
def notify(ctx: click.Context, dry_run: bool) -> None:
    """Run one warning cycle (or: notify log)."""
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    result = app.run(lambda: _notify(app, dry_run))
    _print_cycle(result, dry_run)


@notify.command("log")
@click.option("--limit", default=50, show_default=True)
@click.option("--recipient", help="Recipient key (substring), e.g. person:12.")
@_format_options
@pass_app
def notify_log(app: App, limit: int, recipient: str | None, fmt: str, out: Path | None) -> None:
    """The notification history."""
    from registry.notify_store import notification_log

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
    _emit(app.run(use_case), fields, fmt, out, sheet="notifications")


@main.group()
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
    from registry.models import Unit
    from registry.notify_store import add_silence

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
@_format_options
@pass_app
def silence_list(app: App, show_all: bool, fmt: str, out: Path | None) -> None:
    """List exemptions (pending ones await approval)."""
    from registry.notify_store import silences

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
    _emit(app.run(use_case), fields, fmt, out, sheet="silences")


@silence.command("expire")
@click.argument("silence_id", type=int)
@pass_app
def silence_expire(app: App, silence_id: int) -> None:
    """End an exemption now."""
    from registry.notify_store import set_silence_state

    app.run(lambda: set_silence_state(silence_id, "expired", app.actor))
    click.echo(tr(f"豁免 #{silence_id} 已失效", f"exemption #{silence_id} expired"))


@silence.command("approve")
@click.argument("silence_id", type=int)
@pass_app
def silence_approve(app: App, silence_id: int) -> None:
    """Approve an exemption requested through WeCom."""
    from registry.notify_store import set_silence_state

    app.run(lambda: set_silence_state(silence_id, "active", app.actor))
    click.echo(tr(f"豁免 #{silence_id} 已批准生效", f"exemption #{silence_id} approved"))


@main.group()
def bot() -> None:
    """The WeCom callback server (replies from unit contacts)."""


@bot.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
@pass_app
def bot_serve(app: App, host: str, port: int) -> None:
    """Serve /wecom/callback: verify, decrypt, answer commands from registered contacts."""
    from bot.callback import create_callback_app
    from bot.service import ReplyHandler

    secrets = _secrets(app)
    name = str(app.settings.get("wecom.credential"))
    cred = secrets.get(name)
    corp_id = str(app.settings.get("wecom.corp_id"))
    if cred is None or not cred.get("token") or not cred.get("aes_key") or not corp_id:
        fail(tr(f"需要 [wecom] corp_id 以及密钥文件中凭据 {name!r} 的 token 和 aes_key",
                f"needs [wecom] corp_id and token + aes_key in secrets credential {name!r}"))
    ns = _notify_settings(app)

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
                                           ReplyHandler(ns.office_users), late_reply=late_reply)
            await _serve_callback(callback, host, port)

    app.run(serve)


async def _serve_callback(callback: Any, host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(callback, host=host, port=port, log_level="warning", access_log=False)
    click.echo(tr(f"回调服务已启动：http://{host}:{port}/wecom/callback", f"callback at http://{host}:{port}/wecom/callback"),
               err=True)
    await uvicorn.Server(config).serve()


# ---------------------------------------------------------------- reports
@main.group()
def report() -> None:
    """Reports: the monthly matrix health review, activity and matrix overviews."""


def _evaluator(app: App, only: tuple[str, ...] | None = None) -> Any:
    """The rule catalogue at a moment, for reports; ``only`` runs just those rules."""
    from rules.evaluate import evaluate_at

    settings = _rule_settings(app)

    async def evaluate(moment: dt.datetime) -> Any:
        return await evaluate_at(moment, settings, only=only)

    return evaluate


async def _build_monthly(app: App, month: str) -> Any:
    from reports.monthly_build import TREND_RULES, build_monthly

    county = str(app.settings.get("county.name") or "本县")
    return await build_monthly(month, county=county, tz=app.tz, now=dt.datetime.now(app.tz), evaluate=_evaluator(app),
                               evaluate_trend=_evaluator(app, TREND_RULES))


def _write_monthly(app: App, month: str, out: Path, formats: list[str]) -> list[Path]:
    from reports.monthly_files import write_monthly

    try:
        rep = app.run(lambda: _build_monthly(app, month))
    except ValueError as exc:
        fail(str(exc))
    return write_monthly(rep, out, formats)


def first_working_day(month_start: dt.date, is_working_day: Any) -> dt.date:
    """The first working day of the month that starts on ``month_start``."""
    d = month_start
    while not is_working_day(d):
        d += dt.timedelta(days=1)
    return d


async def _monthly_review(app: App, now: dt.datetime, *, force: bool = False) -> str | None:
    """Write last month's review and tell the office (once); None when today is not the day."""
    from bot.model import ReportSummary
    from bot.report_notice import send_report_notice
    from bot.service import notifiers
    from reports.monthly_files import headline, write_monthly

    today = now.date()
    if not force and today != first_working_day(today.replace(day=1), _working_day(app)):
        return None
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    rep = await _build_monthly(app, month)
    out = Path(str(app.settings.get("reports.out_dir", "reports")))
    paths = write_monthly(rep, out if out.is_absolute() else app.settings.base_dir / out)
    checked, failed, problems = headline(rep)
    summary = ReportSummary(month, checked, failed, problems, url=str(paths[0]))
    ns = _notify_settings(app)
    async with make_client(app.settings) as client:
        await send_report_notice(summary, ns, notifiers(app.settings, _secrets(app), ns, client), now)
    return str(paths[0])


def _month(value: str) -> str:
    try:
        return dt.datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        fail(tr(f"月份应为 YYYY-MM：{value}", f"month must be YYYY-MM: {value}"))


@report.command("monthly")
@click.option("--month", required=True, help="YYYY-MM (the current month is reported to date).")
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "formats", default="html,xlsx,docx", show_default=True, help="Comma-separated: html,xlsx,docx.")
@pass_app
def report_monthly(app: App, month: str, out: Path, formats: str) -> None:
    """Write the monthly matrix health review (HTML, xlsx, docx 通报 draft)."""
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    bad = set(wanted) - {"html", "xlsx", "docx"}
    if bad or not wanted:
        fail(tr(f"未知格式：{', '.join(sorted(bad))}", f"unknown formats: {', '.join(sorted(bad))}"))
    for path in _write_monthly(app, _month(month), out, wanted):
        click.echo(tr(f"已生成：{path}", f"wrote {path}"))


@report.command("activity")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 30 days ago).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@click.option("--unit", help="Unit name (substring).")
@click.option("--platform", help="wechat, weibo, …")
@_format_options
@pass_app
def report_activity(app: App, start: dt.datetime | None, end: dt.datetime | None, unit: str | None,
                    platform: str | None, fmt: str, out: Path | None) -> None:
    """Per account: posts, days silent, followers and change, reads, interactions, index, open findings."""
    from reports.activity import activity, activity_fields

    now = dt.datetime.now(app.tz)
    last = dt.datetime.combine(end.date(), dt.time(23, 59, 59), app.tz) if end else now
    first = dt.datetime.combine(start.date(), dt.time(0), app.tz) if start else last - dt.timedelta(days=30)
    parsed = vocab.parse_platform(platform) if platform else None
    rows = app.run(lambda: activity(first, min(last, now), unit=unit, platform=parsed.value if parsed else platform))
    _emit(rows, activity_fields(), fmt, out, sheet="activity",
          table_fields=("name", "platform", "posts", "days_since_last_post", "followers", "reads", "index", "open_findings"))


@report.command("matrix")
@_format_options
@pass_app
def report_matrix(app: App, fmt: str, out: Path | None) -> None:
    """The matrix at a glance: platforms × unit levels, statuses, flagships, duplicates, pending reviews."""
    import json

    from reports.activity import matrix

    data = app.run(matrix)
    kinds = data.pop("_kinds")
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out:
            out.write_text(text, encoding="utf-8")
        click.echo(str(out) if out else text)
        return
    sections = [
        ("grid", tr("一、账号分布（平台 × 单位层级）", "Accounts by platform and unit level"),
         [Field("platform", tr("平台", "Platform"))] + [Field(k["key"], k["label"], True) for k in kinds]
         + [Field("total", tr("合计", "Total"), True)]),
        ("statuses", tr("二、状态", "Statuses"), [Field("status", tr("状态", "Status")), Field("accounts", tr("账号数", "Accounts"), True)]),
        ("flagships", tr("三、主账号健康", "Flagship accounts"), [Field("name", tr("账号", "Account")),
                                                         Field("platform", tr("平台", "Platform")), Field("health", tr("状况", "Health"))]),
        ("duplicates", tr("四、同一平台重复开号的单位", "Units with duplicate accounts"),
         [Field("unit", tr("单位", "Unit")), Field("platform", tr("平台", "Platform")), Field("accounts", tr("账号", "Accounts"))]),
        ("reviews", tr("五、待决定的关停整合复核", "Pending shutdown reviews"),
         [Field("id", tr("编号", "ID"), True), Field("account", tr("账号", "Account")), Field("platform", tr("平台", "Platform")),
          Field("rule", tr("原因", "Reason")), Field("opened_at", tr("立案", "Opened"))]),
    ]
    if fmt == "xlsx":
        if out is None:
            fail(tr("xlsx 格式需要 --out 文件名", "--format xlsx needs --out FILE"))
        from openpyxl import Workbook

        from registry.tabular import escape_cell

        wb = Workbook()
        wb.remove(wb.active)  # type: ignore[arg-type]
        for key, title, fields in sections:
            ws = wb.create_sheet(title[:28].replace("、", " "))
            ws.append([f.header for f in fields])
            for row in data[key]:
                ws.append([escape_cell(v) if isinstance(v := row.get(f.key), str) else v for f in fields])
        wb.save(out)
        click.echo(tr(f"已写入 {out}", f"wrote {out}"))
        return
    chunks = []
    for key, title, fields in sections:
        chunks.append(title + "\n" + render(data[key], fields, fmt if fmt != "table" else "table"))
    text = "\n\n".join(chunks)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(tr(f"已写入 {out}", f"wrote {out}"))
    else:
        click.echo(text)


# ---------------------------------------------------------------- the daemon
def _single_instance_lock(app: App) -> Any:
    """On SQLite only one `govmedia run` may work on a database: hold an exclusive lock file."""
    import fcntl

    from registry.db import is_sqlite

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


@main.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron or a check).")
@click.option("--worker", is_flag=True, help="PostgreSQL: one of several processes sharing the due accounts.")
@pass_app
def run(app: App, once: bool, worker: bool) -> None:
    """Start the scheduler: collection on its cadence, then the check (and later stages) after it."""
    import signal

    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from registry.db import is_sqlite
    from registry.leader import Leadership
    from rules.evaluate import run_check

    if worker and is_sqlite(app.db_url):
        fail(tr("--worker 需要 PostgreSQL：SQLite 只支持单进程运行", "--worker needs PostgreSQL: SQLite is single-process"))
    lock = _single_instance_lock(app)
    secrets = _secrets(app)
    rule_settings = _rule_settings(app)
    interval = int(app.settings.get("collect.interval_minutes", 60))
    leader = Leadership(app.db_url)
    running: set[asyncio.Task[Any]] = set()

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
            sent = await _notify(app, dry_run=False)
            click.echo(tr(f"[{dt.datetime.now(app.tz):%m-%d %H:%M}] 采集 成功{counts.get('ok', 0)} 失败{counts.get('failed', 0)} "
                          f"新文章{summary.new_posts}；检查 问题{len(result.drafts)}（新{len(result.sync.opened)} "
                          f"解除{len(result.sync.resolved)}）；预警 发送{len(sent.sent)}",
                          f"[{dt.datetime.now(app.tz):%m-%d %H:%M}] collect ok={counts.get('ok', 0)} "
                          f"failed={counts.get('failed', 0)} new posts={summary.new_posts}; check findings="
                          f"{len(result.drafts)} (new {len(result.sync.opened)}, resolved {len(result.sync.resolved)}); "
                          f"sent {len(sent.sent)}"))
        except asyncio.CancelledError:
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
            sent = await _monthly_review(app, dt.datetime.now(app.tz))
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


# ---------------------------------------------------------------- backup
@main.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Backup file (default govmedia-YYYYmmdd-HHMM.db).")
@pass_app
def backup_cmd(app: App, out: Path | None) -> None:
    """Back up the database (SQLite: online backup, safe while `govmedia run` works)."""
    from registry.backup import BackupError, backup

    path = out or Path(f"govmedia-{dt.datetime.now(app.tz):%Y%m%d-%H%M}.db")
    try:
        backup(app.db_url, path)
    except BackupError as exc:
        fail(str(exc), EXIT_FAILED)
    click.echo(tr(f"已备份到 {path}", f"backed up to {path}"))


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def restore_cmd(app: App, file: Path, yes: bool) -> None:
    """Replace the database with a backup (the current one is kept as *.before-restore)."""
    from registry.backup import BackupError, restore

    lock = _single_instance_lock(app)  # refuse while `govmedia run` holds the database
    if not yes and not click.confirm(tr("将用备份覆盖当前数据库，继续？", "Replace the current database with the backup?")):
        fail(tr("已取消", "cancelled"))
    try:
        target = restore(app.db_url, file)
    except BackupError as exc:
        fail(str(exc), EXIT_INPUT)
    finally:
        if lock is not None:
            lock.close()
    click.echo(tr(f"已从 {file} 恢复到 {target}", f"restored {target} from {file}"))


# ---------------------------------------------------------------- demo
DEMO_PORT = 8765


def _demo_faults() -> list[Any]:
    from sandbox.faults import Fault

    # A flaky platform the collectors ride out (retries), and one feed host that stays down.
    return [Fault(kind="errcode", platform="wechat", code=-1, rate=0.03),
            Fault(kind="http_status", platform="feed", uid="gh_34f5b291c0b0", status=503)]


def _demo_config(directory: Path, base: str, county: Any) -> Settings:
    import base64
    import hashlib
    import os

    import tomli_w

    from sandbox.county import OFFICE_USER, demo_secrets

    config = directory / "govmedia.toml"
    write_default(config, overrides={
        "county.name": "滹沱县", "platforms.wechat.api_base": base, "platforms.weibo.api_base": base,
        "platforms.weibo.mobile_base": base, "platforms.weibo.min_interval": 0.0, "platforms.weibo.jitter": 0.0,
        "platforms.feed.base_url": base, "wecom.api_base": base + "/wecom", "wecom.corp_id": county.wecom.corp_id,
        "wecom.agent_id": county.wecom.agent_id, "wecom.credential": "wecom_app", "collect.concurrency": 12,
        "notify.office_users": [OFFICE_USER], "notify.quiet_hours": "", "notify.working_days_only": False,
    })
    creds = demo_secrets(county)
    # The callback's token and EncodingAESKey (43 characters) for `govmedia bot serve` in the demo.
    creds["wecom_app"] = {"secret": county.wecom.corp_secret, "token": "hutuoDemoCallback",
                          "aes_key": base64.b64encode(hashlib.sha256(b"govmedia-demo").digest()).decode()[:43]}
    secrets_path = directory / "secrets.toml"
    secrets_path.write_text(tomli_w.dumps({"credentials": creds}), encoding="utf-8")
    os.chmod(secrets_path, 0o600)
    return load(config)


def _demo_check(app: App) -> None:
    from rules.evaluate import run_check

    now = dt.datetime.now(app.tz)
    summary = app.run(lambda: run_check(now, _rule_settings(app)))
    names = _rule_names()
    click.echo(tr(f"③ 检查：发现问题 {len(summary.drafts)} 项，新立关停整合复核 {len(summary.sync.reviews_opened)} 件",
                  f"3. check: {len(summary.drafts)} findings, {len(summary.sync.reviews_opened)} shutdown reviews opened"))
    for rule, n in sorted(summary.by_rule.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {names.get(rule, rule)}（{rule}）：{n}")


def _demo_notify(app: App, base: str) -> None:
    from sandbox.county import OFFICE_USER
    from sandbox.server import fetch_messages

    result = app.run(lambda: _notify(app, dry_run=False))
    click.echo(tr(f"④ 预警：写入 {result.written} 条，经企业微信发送成功 {len(result.sent)} 条，失败 {len(result.failed)} 条",
                  f"4. warnings: {result.written} written, {len(result.sent)} sent over WeCom, {len(result.failed)} failed"))
    delivered = [m for m in fetch_messages(base, "wecom_app") if m["status"] == "delivered"]
    for m in [d for d in delivered if d["to"] != OFFICE_USER][:1] + [d for d in delivered if d["to"] == OFFICE_USER][:1]:
        payload = m["payload"] if isinstance(m["payload"], dict) else {}
        body = str(payload.get("content") or payload.get("description") or "")
        click.echo(tr(f"  —— 发给 {m['to']} 的消息 ——", f"  -- message to {m['to']} --"))
        for line in body.splitlines()[:8]:
            click.echo("  │ " + line)


def _demo_reports(app: App, directory: Path) -> None:
    today = app.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    paths = _write_monthly(app, last_month, directory / "reports", ["html", "xlsx", "docx"])
    paths += _write_monthly(app, today.strftime("%Y-%m"), directory / "reports", ["html", "xlsx", "docx"])
    click.echo(tr(f"⑤ 月度健康度报告（{last_month} 及本月截至今日）：", f"5. monthly reviews ({last_month} and this month to date):"))
    for p in paths:
        click.echo(f"  {p}")


@main.command()
@click.option("--dir", "directory", default="govmedia-demo", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", default=DEMO_PORT, show_default=True, help="Sandbox port (a free one if taken).")
def demo(directory: Path, port: int) -> None:
    """Run the whole product on a sample county: its own config, SQLite database and sandbox."""
    from importlib.resources import as_file, files

    from sandbox.server import running_sandbox

    directory.mkdir(parents=True, exist_ok=True)
    click.echo(tr(f"演示目录：{directory.resolve()}", f"demo directory: {directory.resolve()}"))
    try:
        ctx = running_sandbox(seed=7, faults=_demo_faults(), port=port)
        sb = ctx.__enter__()
    except OSError:
        ctx = running_sandbox(seed=7, faults=_demo_faults())
        sb = ctx.__enter__()
    try:
        click.echo(tr(f"模拟平台（微信、微博、企业微信）已启动：{sb.base_url}", f"platform sandbox running at {sb.base_url}"))
        settings = _demo_config(directory, sb.base_url, sb.county)
        app = App(settings=settings, db_url=settings.database_url, actor="demo")
        with as_file(files("registry") / "data" / "sample-ledger.csv") as ledger:
            result = app.run(lambda: import_ledger(ledger, actor="demo", today=app.today()))
        plan = result.plan
        assert plan is not None and not result.errors
        click.echo(tr(f"① 导入示例台账：{result.rows} 个账号（新增 {len(plan.added)}，变更 {len(plan.changed)}）",
                      f"1. sample ledger: {result.rows} accounts ({len(plan.added)} added, {len(plan.changed)} changed)"))
        secrets = _secrets(app)

        async def collect_all() -> Any:
            async with make_client(settings) as client:
                return await run_collect(settings, secrets, client, progress=_Progress())

        summary = app.run(collect_all)
        counts = summary.counts
        click.echo(tr(f"② 采集：{len(summary.outcomes)} 个账号，成功 {counts.get('ok', 0)}，失败 {counts.get('failed', 0)}，"
                      f"新发现文章 {summary.new_posts} 篇（手工报送账号不自动采集）",
                      f"2. collected {len(summary.outcomes)} accounts: {counts.get('ok', 0)} ok, "
                      f"{counts.get('failed', 0)} failed, {summary.new_posts} new posts"))
        for line in collection_view.failure_lines(summary.outcomes):
            click.echo(line)
        _demo_check(app)
        _demo_notify(app, sb.base_url)
        _demo_reports(app, directory)
    finally:
        ctx.__exit__(None, None, None)
    click.echo(tr("\n继续查看（在演示目录中运行）：", "\nlook further (run inside the demo directory):"))
    for cmd in ("govmedia findings", "govmedia review list", "govmedia notify log", "govmedia report matrix",
                f"govmedia sandbox serve --port {DEMO_PORT}   # 另开终端，之后可运行 govmedia collect"):
        click.echo(f"  cd {directory} && {cmd}")


# ---------------------------------------------------------------- sandbox
@main.group()
def sandbox() -> None:
    """The local platform simulator (WeChat, Weibo, WeCom, feeds)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True)
@click.option("--seed", default=7, show_default=True, help="Seed of the generated county.")
@click.option("--faults", "faults_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file of faults to inject.")
def sandbox_serve(host: str, port: int, seed: int, faults_file: Path | None) -> None:
    """Serve the simulator until Ctrl-C."""
    from sandbox.server import serve

    serve(host, port, seed, faults_file)


@sandbox.command("messages")
@click.option("--url", default=f"http://127.0.0.1:{DEMO_PORT}", show_default=True, help="Sandbox base URL.")
@click.option("--channel", help="wecom_app, wecom_robot or mp_template.")
@_format_options
def sandbox_messages(url: str, channel: str | None, fmt: str, out: Path | None) -> None:
    """List what the bot sent to the sandbox."""
    from sandbox.server import fetch_messages

    try:
        messages = fetch_messages(url, channel)
    except Exception as exc:  # connection refused etc.: say so plainly
        fail(tr(f"无法连接模拟平台 {url}：{type(exc).__name__}", f"cannot reach the sandbox at {url}: {type(exc).__name__}"),
             EXIT_FAILED)
    fields = [Field(k, k) for k in ("seq", "channel", "at", "to", "msgtype", "status", "reason")]
    _emit(messages, fields, fmt, out, sheet="messages")


if __name__ == "__main__":  # pragma: no cover
    main()

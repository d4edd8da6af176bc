"""The registry (台账): accounts, units and contacts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli_commands import jobs, onboarding
from cli_commands.app import App, echo_problems, emit, fail, format_options, pass_app, platform_option
from cli_commands.runtime import Runtime, pass_runtime
from registry.config.i18n import tr
from registry.ledger import accounts as store
from registry.ledger.files import export_ledger, import_ledger
from reports import registry_lists as views
from reports.output import Field


@click.group()
def accounts() -> None:
    """The account registry (台账)."""


@accounts.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show the column mapping and what would change; write nothing.")
@click.option("--retire-missing", is_flag=True, help="Retire accounts that are not in the file.")
@click.option("--sheet", default=None, help="Sheet to read (default: the first sheet that has a header row).")
@click.option("--default-platform", default=None, help="Platform of rows that name none, e.g. 微信公众号.")
@click.option("--map", "maps", multiple=True, metavar="HEADING=COLUMN",
              help="Read a column of the file as a ledger column, e.g. --map '开设单位=主办单位' (or =忽略).")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Column mapping saved by --save-mapping (read before --map).")
@click.option("--save-mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Save the column mapping used, for --mapping next time.")
@click.option("--fill-down", is_flag=True, help="Blank unit cells mean 'same as above' (text files carry no merges).")
@pass_app
def accounts_import(app: App, file: Path, dry_run: bool, retire_missing: bool, sheet: str | None,
                    default_platform: str | None, maps: tuple[str, ...], mapping_file: Path | None,
                    save_mapping: Path | None, fill_down: bool) -> None:
    """Import a ledger (.xlsx, .xls, .csv or Unicode text); all rows valid or nothing is written."""
    options = onboarding.options(sheet, default_platform, maps, mapping_file, save_mapping, fill_down)
    confirm = onboarding.ask if onboarding.interactive() and not dry_run else None
    result = app.run(lambda: import_ledger(file, actor=app.actor, today=app.today(), dry_run=dry_run,
                                           retire_missing=retire_missing, options=options, confirm=confirm))
    if dry_run or result.errors:
        onboarding.echo_mapping(result.guesses)
    for note in result.notes:
        click.echo(tr("说明：", "note: ") + note, err=True)
    echo_problems(result.warnings, result.errors, tr(f"台账有 {len(result.errors)} 处错误，未写入任何数据",
                                                       f"{len(result.errors)} errors in the ledger; nothing was written"))
    plan = result.plan
    assert plan is not None
    onboarding.echo_plan(plan, dry_run)


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
@platform_option
@click.option("--unit", help="Unit name (substring).")
@click.option("--status", help="Status code or label, e.g. 运营中.")
@format_options
@pass_app
def accounts_list(app: App, platform: str | None, unit: str | None, status: str | None, fmt: str, out: Path | None) -> None:
    """List accounts."""

    async def use_case() -> list[dict[str, Any]]:
        found = await store.list_accounts(store.AccountFilter(platform=platform, unit=unit, status=status))
        return [views.account_record(a) for a in found]

    records = app.run(use_case)
    emit(records, views.account_fields(), fmt, out, sheet="accounts", table_fields=views.TABLE_ACCOUNT_KEYS)


@accounts.command("resolve")
@click.option("--apply", "apply_", is_flag=True, help="Write the unambiguous matches (each audited).")
@format_options
@pass_runtime
def accounts_resolve(rt: Runtime, apply_: bool, fmt: str, out: Path | None) -> None:
    """Look up the ids of pending (待补全) accounts: Weibo by name; others say where to find the id."""
    found = rt.app.run(lambda: jobs.resolve_identities(rt, apply=apply_))
    records = [{"name": r.name, "platform": views.platform_label(r.platform), "unit": r.unit, "uid": r.uid,
                "result": (tr("已补全", "completed") if r.applied else tr("可补全", "matched") if r.uid
                           else tr("仍待补全", "still pending")),
                "reason": r.reason} for r in found]
    fields = [Field("name", tr("账号名称", "Name")), Field("platform", tr("平台", "Platform")),
              Field("unit", tr("主办单位", "Unit")), Field("uid", tr("账号ID", "UID")),
              Field("result", tr("结果", "Result")), Field("reason", tr("说明", "Reason"))]
    emit(records, fields, fmt, out, sheet="resolve")
    done = sum(r.applied for r in found)
    matched = sum(bool(r.uid) and not r.applied for r in found)
    click.echo(tr(f"待补全 {len(found)} 个：已补全 {done}，可补全 {matched}（加 --apply 写入），其余仍待补全",
                  f"{len(found)} pending: {done} completed, {matched} matched (add --apply to write), the rest pending"),
               err=fmt != "table")


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
@format_options
@pass_app
def accounts_history(app: App, ref: str, fmt: str, out: Path | None) -> None:
    """Show an account's audit trail."""

    async def use_case() -> list[dict[str, Any]]:
        _, events = await store.account_history(ref)
        return [views.history_record(e) for e in events]

    emit(app.run(use_case), views.history_fields(), fmt, out, sheet="history")


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


@click.group()
def units() -> None:
    """Units (单位)."""


@units.command("list")
@format_options
@pass_app
def units_list(app: App, fmt: str, out: Path | None) -> None:
    """List units with their account counts."""

    async def use_case() -> list[dict[str, Any]]:
        return [views.unit_record(u, n) for u, n in await store.list_units()]

    emit(app.run(use_case), views.unit_fields(), fmt, out, sheet="units")


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


@click.group()
def contacts() -> None:
    """Contact people (负责人 / 分管领导 / 运维人员)."""


@contacts.command("list")
@click.option("--unit", help="Unit name (substring).")
@format_options
@pass_app
def contacts_list(app: App, unit: str | None, fmt: str, out: Path | None) -> None:
    """List contacts."""

    async def use_case() -> list[dict[str, Any]]:
        return [views.contact_record(p) for p in await store.list_contacts(unit)]

    emit(app.run(use_case), views.contact_fields(), fmt, out, sheet="contacts")


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

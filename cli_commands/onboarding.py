"""Printing and asking for `accounts import`: the column mapping, per-account outcomes, the confirmation."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli_commands.app import fail
from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.completeness import PENDING_UNIT, missing_fields, missing_text
from registry.ledger.files import Decision, ImportOptions
from registry.ledger.mapping import (
    ColumnGuess,
    MappingError,
    describe,
    header_of,
    load_mapping,
    parse_overrides,
)
from registry.ledger.sync import Plan


def options(sheet: str | None, default_platform: str | None, maps: tuple[str, ...], mapping_file: Path | None,
            save_mapping: Path | None, fill_down: bool) -> ImportOptions:
    """The import options from the command line; a bad --map or mapping file exits 2 naming it."""
    try:
        overrides = load_mapping(mapping_file) if mapping_file is not None else {}
        overrides.update(parse_overrides(list(maps)))
    except MappingError as exc:
        fail(str(exc))
    return ImportOptions(sheet=sheet, default_platform=default_platform, overrides=overrides, fill_down=fill_down,
                         save_mapping=save_mapping)


def interactive() -> bool:
    """Whether a person is at the keyboard (standard input is a terminal): then the mapping is confirmed."""
    return sys.stdin.isatty()


def echo_mapping(guesses: list[ColumnGuess]) -> None:
    """The column mapping, one line per column with two sample values."""
    if not guesses:
        return
    click.echo(tr("列对应（表中列 → 台账列）：", "column mapping (file column -> ledger column):"))
    for line in describe(guesses):
        click.echo("  " + line)


def ask(guesses: list[ColumnGuess], fillable: list[int], text_file: bool) -> Decision:
    """At a terminal: show the mapping, take corrections, ask whether blank units mean 同上 (text files)."""
    echo_mapping(guesses)
    decision = Decision()
    while not click.confirm(tr("按此列对应读取？", "read the file with this mapping?"), default=True, err=True):
        entry = click.prompt(tr("输入更正（表中列名=台账列名，如 开设单位=主办单位；直接回车取消导入）",
                                "correction (HEADING=COLUMN, e.g. 开设单位=主办单位; empty to cancel)"),
                             default="", show_default=False, err=True)
        if not entry.strip():
            return Decision(proceed=False)
        try:
            corrected = parse_overrides([entry])
        except MappingError as exc:
            click.echo(str(exc), err=True)
            continue
        decision.overrides.update(corrected)
        for heading, key in corrected.items():
            target = header_of(key) if key else tr("（忽略）", "(ignored)")
            click.echo(tr(f"已更正：{heading} → {target}", f"corrected: {heading} -> {target}"), err=True)
    if fillable and text_file:
        shown = "、".join(map(str, fillable[:10])) + ("…" if len(fillable) > 10 else "")
        decision.fill_down = click.confirm(tr(
            f"第{shown}行主办单位为空：空白是否表示“同上”（按上一行填充）？否则这些账号登记为待补全",
            f"rows {shown} have a blank unit: does blank mean 'same as above'? Otherwise they are registered pending"),
            default=False, err=True)
    return decision


def _ref(record: dict[str, str]) -> str:
    """platform:uid, or the platform and 待补全 with what is missing; a status other than 运营中 after it."""
    status = record.get("status", "")
    shown = "" if status in ("", vocab.Status.OPERATING.value) else tr("，", ", ") + status_text(status)
    if record["uid"] and record["unit"] != PENDING_UNIT:
        return f"{record['platform']}:{record['uid']}{shown}"
    lacks = [m for m in missing_fields(record) if m != "contact"]
    return (f"{record['platform']} " + tr("待补全", "pending")
            + (tr("，缺：", ", missing: ") + missing_text(lacks) if lacks else "") + shown)


def status_text(code: str) -> str:
    """A status code as the user reads it (已注销 / deregistered)."""
    return vocab.label(vocab.STATUS_LABELS, code) if tr("zh", "en") == "zh" else code


def echo_plan(plan: Plan, dry_run: bool) -> None:
    """Per-account outcome (new, changed, unchanged in a dry run, retired) and the summary line."""
    for c in plan.added:
        click.echo(tr("新增 ", "add    ") + f"{c.record['name']} ({_ref(c.record)})")
    for c in plan.changed:
        click.echo(tr("变更 ", "change ") + f"{c.record['name']} ({_ref(c.record)})")
        for key, (old, new) in c.diffs.items():
            click.echo(f"    {key}: {old or '∅'} → {new or '∅'}")
    if dry_run:
        for c in plan.unchanged:
            click.echo(tr("未变 ", "same   ") + f"{c.record['name']} ({_ref(c.record)})")
    for a in plan.retired:
        click.echo(tr("注销 ", "retire ") + f"{a.name} ({a.ref})")
    pending = sum(1 for c in [*plan.added, *plan.changed, *plan.unchanged]
                  if not c.record["uid"] or c.record["unit"] == PENDING_UNIT)
    summary = tr(f"新增 {len(plan.added)}，变更 {len(plan.changed)}，未变 {len(plan.unchanged)}，注销 {len(plan.retired)}"
                 f"（其中待补全 {pending}）",
                 f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.unchanged)} unchanged, "
                 f"{len(plan.retired)} retired ({pending} pending)")
    click.echo(tr("（试运行，未写入）", "(dry run, nothing written) ") + summary if dry_run else summary)

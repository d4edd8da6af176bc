"""Ledger file use cases: import (validate, plan, apply all-or-nothing) and export (same format)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.columns import COLUMNS
from registry.ledger.layout import Located, locate
from registry.ledger.mapping import ColumnGuess, save_mapping, unknown_overrides
from registry.ledger.row_errors import RowError
from registry.ledger.sync import Plan, account_view, apply_plan, load_accounts, plan_import
from registry.ledger.tabular import TableError, read_sheets, write_table
from registry.ledger.validation import validate_rows

_LABELS: dict[str, dict[str, str]] = {
    "platform": {k.value: v for k, v in vocab.PLATFORM_LABELS.items()},
    "unit_kind": {k.value: v for k, v in vocab.UNIT_KIND_LABELS.items()},
    "status": {k.value: v for k, v in vocab.STATUS_LABELS.items()},
    "matrix_role": {k.value: v for k, v in vocab.MATRIX_ROLE_LABELS.items()},
}


@dataclass
class ImportResult:
    """Outcome of an import: the plan (applied unless dry-run or invalid), errors, warnings, and notes on
    how the file was read (title rows, sections, totals and notes skipped; 同上 filled; duplicates merged)."""

    plan: Plan | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    #: The column mapping used (heading, ledger column, why, sample values).
    guesses: list[ColumnGuess] = field(default_factory=list)


@dataclass
class Decision:
    """What the user said when shown the mapping: go on or not, fill blank units down, corrections."""

    proceed: bool = True
    fill_down: bool = False
    overrides: dict[str, str] = field(default_factory=dict)


#: Asked once the file is located: the mapping guessed and the rows a fill-down would fill (the CLI asks
#: at a terminal; scripts pass none and get the flags' behaviour).
Confirm = Callable[[list[ColumnGuess], list[int], bool], Decision]


@dataclass(frozen=True)
class ImportOptions:
    """How to read the file: sheet, default platform, --map corrections, mapping files, fill-down."""

    sheet: str | None = None
    default_platform: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    fill_down: bool = False
    save_mapping: Path | None = None


def _read(path: Path, options: ImportOptions, confirm: Confirm | None) -> tuple[Located, dict[str, str], bool]:
    """Locate the ledger with the mapping, asking `confirm` (if any) and reading again with its answer."""
    overrides, fill_down = dict(options.overrides), options.fill_down
    sheets = read_sheets(path)
    found = locate(sheets, options.sheet, overrides=overrides, fill_down=fill_down)
    if confirm is not None:
        text_file = found.encoding not in ("xlsx", "xls")
        decision = confirm(found.guesses, [] if fill_down or not text_file else found.fillable, text_file)
        if not decision.proceed:
            raise Cancelled
        if decision.overrides or decision.fill_down:
            overrides.update(decision.overrides)
            fill_down = fill_down or decision.fill_down
            found = locate(sheets, options.sheet, overrides=overrides, fill_down=fill_down)
    return found, overrides, fill_down


class Cancelled(Exception):
    """The user declined the mapping: nothing is read further, nothing written."""


async def import_ledger(
    path: Path, *, actor: str, today: dt.date, dry_run: bool = False, retire_missing: bool = False,
    sheet: str | None = None, default_platform: str | None = None, options: ImportOptions | None = None,
    confirm: Confirm | None = None,
) -> ImportResult:
    """Import a ledger file (header found under any title rows, columns mapped); on any error nothing is written."""
    options = options or ImportOptions(sheet=sheet, default_platform=default_platform)
    platform = vocab.parse_platform(options.default_platform) if options.default_platform else None
    if options.default_platform and platform is None:
        return ImportResult(errors=[RowError(0, "--default-platform", tr(
            f"平台「{options.default_platform}」无法识别：可用 {vocab.platform_choices()}",
            f"platform {options.default_platform!r} is not known: use one of {', '.join(p.value for p in vocab.Platform)}"), "")])
    try:
        found, overrides, _ = _read(path, options, confirm)
    except TableError as exc:
        return ImportResult(errors=[RowError(0, path.name, str(exc), "")])
    except Cancelled:
        return ImportResult(errors=[RowError(0, path.name, tr("已取消", "cancelled"), "")])
    notes = list(found.notes)
    absent = unknown_overrides(found.headers, overrides)
    if absent:
        notes.append(tr(f"列对应中的「{'、'.join(absent)}」在本表中没有，已忽略",
                        f"mapped headings not in this file, ignored: {', '.join(absent)}"))
    if found.filled_down:
        notes.append(tr(f"已向下填充主办单位的行：第{'、'.join(map(str, found.filled_down))}行",
                        f"rows whose blank unit was filled down: {', '.join(map(str, found.filled_down))}"))
    elif found.fillable and found.encoding not in ("xlsx", "xls"):
        notes.append(tr(f"第{'、'.join(map(str, found.fillable[:10]))}{'…' if len(found.fillable) > 10 else ''}行"
                        "主办单位为空，按待补全登记（空白不当作“同上”；若空白表示同上，请加 --fill-down）",
                        f"rows {', '.join(map(str, found.fillable[:10]))} have a blank unit: registered pending "
                        "(a blank is not ditto; add --fill-down if it means 同上)"))
    parsed = validate_rows(found.headers, found.rows, today, header_row=found.header_row,
                           default_platform=platform or found.heading_platform,
                           file_columns=found.file_columns, columns=found.columns)
    ignored = [g.heading for g in found.guesses if g.heading and not g.key]
    warnings = list(parsed.warnings)
    if ignored:
        warnings.insert(0, tr(f"未识别的列将被忽略：{'、'.join(ignored)}（可用 --map '列名=台账列名' 指定）",
                              f"unrecognised columns ignored: {', '.join(ignored)} (map them with --map)"))
    result = ImportResult(errors=parsed.errors, warnings=warnings, rows=len(found.rows), notes=notes + parsed.notes,
                          guesses=found.guesses)
    if options.save_mapping is not None:
        save_mapping(options.save_mapping, found.guesses)
    if parsed.errors:
        return result
    result.plan = await plan_import(parsed.records, retire_missing=retire_missing, columns=set(found.columns.values()))
    if not dry_run and not result.plan.empty:
        await apply_plan(result.plan, actor, note=f"import {path.name}")
        result.applied = True
    return result


def display_record(record: dict[str, str]) -> list[str]:
    """A record as ledger cells, codes turned into the Chinese labels offices use."""
    return [_LABELS.get(c.key, {}).get(record.get(c.key, ""), record.get(c.key, "")) for c in COLUMNS]


async def export_ledger(path: Path) -> int:
    """Write every account in the ledger format; return the number of rows."""
    accounts = await load_accounts()
    views = sorted((account_view(a) for a in accounts), key=lambda v: (v["unit"], v["platform"], v["name"], v["uid"]))
    write_table(path, [c.header for c in COLUMNS], [display_record(v) for v in views], sheet="台账")
    return len(views)


@dataclass
class Preview:
    """How a ledger file would be read, before anything is validated: its columns as mapped, with samples."""

    sheet: str = ""
    header_row: int = 0
    rows: int = 0
    #: (heading in the file, the ledger column it fills or "" when none, up to three sample values)
    columns: list[tuple[str, str, list[str]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""


def preview_ledger(path: Path, sheet: str | None = None, samples: int = 3) -> Preview:
    """Read a ledger file with the import's own reader and column mapping, and show how its headings map."""
    from registry.ledger.columns import map_headers

    try:
        found = locate(read_sheets(path), sheet)
    except TableError as exc:
        return Preview(error=str(exc))
    mapping, _unknown, missing = map_headers(found.headers)
    headers = {c.key: c.header for c in COLUMNS}
    columns = []
    for i, heading in enumerate(found.headers):
        values = [row[i] for _, row in found.rows[:50] if i < len(row) and row[i].strip()][:samples]
        columns.append((heading, headers.get(mapping.get(i, ""), ""), values))
    return Preview(sheet=found.sheet, header_row=found.header_row, rows=len(found.rows), columns=columns,
                   missing=missing, notes=found.notes)

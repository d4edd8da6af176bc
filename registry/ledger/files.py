"""Ledger file use cases: import (validate, plan, apply all-or-nothing) and export (same format)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.layout import locate
from registry.ledger.records import COLUMNS, RowError, validate_rows
from registry.ledger.sync import Plan, account_view, apply_plan, load_accounts, plan_import
from registry.ledger.tabular import TableError, read_sheets, write_table

_LABELS: dict[str, dict[str, str]] = {
    "platform": {k.value: v for k, v in vocab.PLATFORM_LABELS.items()},
    "unit_kind": {k.value: v for k, v in vocab.UNIT_KIND_LABELS.items()},
    "status": {k.value: v for k, v in vocab.STATUS_LABELS.items()},
    "matrix_role": {k.value: v for k, v in vocab.MATRIX_ROLE_LABELS.items()},
}


@dataclass
class ImportResult:
    """Outcome of an import: the plan (applied unless dry-run or invalid), errors, warnings, and notes on
    how the file was read (title rows, sections, totals and notes skipped; shared cells filled down)."""

    plan: Plan | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False
    rows: int = 0
    notes: list[str] = field(default_factory=list)


async def import_ledger(
    path: Path, *, actor: str, today: dt.date, dry_run: bool = False, retire_missing: bool = False,
    sheet: str | None = None, default_platform: str | None = None,
) -> ImportResult:
    """Import a ledger file (the header found under any title rows); on any invalid row nothing is written."""
    platform = vocab.parse_platform(default_platform) if default_platform else None
    if default_platform and platform is None:
        return ImportResult(errors=[RowError(0, "--default-platform", tr(
            f"平台「{default_platform}」无法识别：可用 {vocab.platform_choices()}",
            f"platform {default_platform!r} is not known: use one of {', '.join(p.value for p in vocab.Platform)}"), "")])
    try:
        found = locate(read_sheets(path), sheet)
    except TableError as exc:
        return ImportResult(errors=[RowError(0, path.name, str(exc), "")])
    parsed = validate_rows(found.headers, found.rows, today, header_row=found.header_row, default_platform=platform,
                           file_columns=found.file_columns)
    result = ImportResult(errors=parsed.errors, warnings=parsed.warnings, rows=len(found.rows), notes=found.notes)
    if parsed.errors:
        return result
    result.plan = await plan_import(parsed.records, retire_missing=retire_missing)
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
    from registry.ledger.records import map_headers

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

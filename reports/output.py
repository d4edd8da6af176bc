"""Emit a list of records as a terminal table, CSV, JSON or xlsx (the `--format` of every list)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.ledger.tabular import escape_cell, write_table

FORMATS = ("table", "csv", "json", "xlsx")


@dataclass(frozen=True)
class Field:
    """One output column: JSON key, header for people, whether numeric."""

    key: str
    header: str
    numeric: bool = False


def render(records: Sequence[dict[str, Any]], fields: Sequence[Field], fmt: str, *, out: Path | None = None,
           sheet: str = "Sheet1", table_fields: Sequence[str] | None = None) -> str:
    """Render records; xlsx (and any format with ``out``) is written to the file and the path returned."""
    if fmt == "json":
        text = json.dumps([dict(r) for r in records], ensure_ascii=False, indent=2, default=str)
    elif fmt == "csv":
        buf = io.StringIO(newline="")
        w = csv.writer(buf)
        w.writerow([f.header for f in fields])
        for r in records:
            # Cells a spreadsheet would run as a formula (= + - @) get a leading apostrophe.
            w.writerow([escape_cell(str(v)) if (v := r.get(f.key)) is not None else "" for f in fields])
        text = buf.getvalue()
    elif fmt == "xlsx":
        if out is None:
            raise ValueError("xlsx needs an output file (--out FILE)")
        write_table(out, [f.header for f in fields], [[r.get(f.key) for f in fields] for r in records], sheet=sheet)
        return str(out)
    elif fmt == "table":
        shown = [f for f in fields if table_fields is None or f.key in table_fields]
        from reports.table import render_table

        width = shutil.get_terminal_size((100, 24)).columns
        text = render_table([f.header for f in shown], [[r.get(f.key) for f in shown] for r in records],
                            max_width=width, numeric=[i for i, f in enumerate(shown) if f.numeric])
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if out is not None:
        out.write_text(text if fmt != "csv" else "\ufeff" + text, encoding="utf-8")
        return str(out)
    return text

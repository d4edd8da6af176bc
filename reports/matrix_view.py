"""`report matrix` output: its sections as a text/CSV/… report, JSON, or an xlsx workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.config.i18n import tr
from registry.ledger.tabular import escape_cell
from reports.output import Field, render

Section = tuple[str, str, list[Field]]


def matrix_sections(kinds: list[dict[str, str]]) -> list[Section]:
    """The report's sections: data key, title and columns (``kinds`` are the unit-level columns)."""
    return [
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


def matrix_json(data: dict[str, Any]) -> str:
    """The matrix data as JSON (without the internal ``_kinds`` key)."""
    return json.dumps({k: v for k, v in data.items() if k != "_kinds"}, ensure_ascii=False, indent=2)


def matrix_text(data: dict[str, Any], fmt: str) -> str:
    """Every section titled and rendered in ``fmt`` (table, csv, …)."""
    chunks = []
    for key, title, fields in matrix_sections(data["_kinds"]):
        chunks.append(title + "\n" + render(data[key], fields, fmt))
    return "\n\n".join(chunks)


def write_matrix_xlsx(data: dict[str, Any], out: Path) -> None:
    """One sheet per section (cells escaped against formula injection)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for key, title, fields in matrix_sections(data["_kinds"]):
        ws = wb.create_sheet(title[:28].replace("、", " "))
        ws.append([f.header for f in fields])
        for row in data[key]:
            ws.append([escape_cell(v) if isinstance(v := row.get(f.key), str) else v for f in fields])
    wb.save(out)


def output_matrix(data: dict[str, Any], fmt: str, out: Path | None) -> str:
    """Write the report to ``out`` in ``fmt`` (xlsx needs ``out``); what to print: the report, or where it went."""
    if fmt == "json":
        text = matrix_json(data)
        if out:
            out.write_text(text, encoding="utf-8")
        return str(out) if out else text
    if fmt == "xlsx" and out is not None:
        write_matrix_xlsx(data, out)
    elif out:
        out.write_text(matrix_text(data, fmt), encoding="utf-8")
    else:
        return matrix_text(data, fmt)
    return tr(f"已写入 {out}", f"wrote {out}")

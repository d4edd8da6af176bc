"""Validating a whole ledger: every row, then the cross-row rules (one identity, one unit level, one phone
per person), merging the rows that name one account. Pure: problems become `RowError`s, nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.cells import NO_ACCOUNT
from registry.ledger.columns import BY_KEY, KEYS, WIDE_PREFIX, map_headers
from registry.ledger.completeness import PENDING_UNIT, is_pending
from registry.ledger.names import expand_platforms
from registry.ledger.records import ParsedLedger, Row
from registry.ledger.row_errors import RowError, column_letter


def _missing_column(header_row: int, key: str) -> RowError:
    column = BY_KEY[key]
    others = "、".join([a for a in column.aliases if not a.isascii()][:6])
    return RowError(header_row, column.header, tr(
        f"表头缺少这一列：请在第{header_row}行表头加一列「{column.header}」" + (f"（也可写作 {others} 等）" if others else "")
        + f"，或用 --map '表中列名={column.header}' 指明",
        f"the header row lacks this column: add a column headed {column.header!r} or name one with --map"), "")


#: Keys that a merged duplicate may fill in from a later row, and compare when both rows give them.
_COMPARED = tuple(k for k in KEYS if k not in ("notes", "matrix_role", "method"))


def _units_fit(a: dict[str, str], b: dict[str, str]) -> bool:
    return a["unit"] == b["unit"] or PENDING_UNIT in (a["unit"], b["unit"])


class _Merger:
    """Rows naming one account (same platform and id, or same platform and name with compatible units)."""

    def __init__(self, result: ParsedLedger, where: dict[str, tuple[str, str]]) -> None:
        self.result = result
        self.where = where
        self.by_uid: dict[tuple[str, str], int] = {}
        self.by_name: dict[tuple[str, str], list[int]] = {}
        self.given: list[set[str]] = []
        self.rows: list[list[int]] = []

    def find(self, record: dict[str, str]) -> int | None:
        if record["uid"] and (record["platform"], record["uid"]) in self.by_uid:
            return self.by_uid[(record["platform"], record["uid"])]
        for i in self.by_name.get((record["platform"], record["name"]), []):
            other = self.result.records[i][1]
            if _units_fit(other, record) and not (record["uid"] and other["uid"] and record["uid"] != other["uid"]):
                return i
        return None

    def add(self, number: int, record: dict[str, str], given: set[str]) -> list[RowError]:
        """Keep a record, or merge it into the earlier row of the same account; return conflicts."""
        i = self.find(record)
        if i is None:
            self.result.records.append((number, record))
            self.given.append(given)
            self.rows.append([number])
            self._index(len(self.result.records) - 1)
            return []
        first_number, first = self.result.records[i]
        conflicts = [k for k in _COMPARED if k in given and k in self.given[i] and first[k] and record[k]
                     and first[k] != record[k]]
        if conflicts:
            return [self._conflict(number, first_number, key, first[key], record[key]) for key in conflicts]
        merged = dict(first)
        for key in KEYS:
            if key == "notes" and record["notes"] and record["notes"] not in first["notes"]:
                merged["notes"] = "；".join(x for x in (first["notes"], record["notes"]) if x)
            elif (key in given and key not in self.given[i]) or (key == "unit" and first["unit"] == PENDING_UNIT):
                merged[key] = record[key] or merged[key]
        self.result.records[i] = (first_number, merged)
        self.given[i] |= given
        self.rows[i].append(number)
        self._index(i)
        return []

    def _index(self, i: int) -> None:
        record = self.result.records[i][1]
        if record["uid"]:
            self.by_uid[(record["platform"], record["uid"])] = i
        names = self.by_name.setdefault((record["platform"], record["name"]), [])
        if i not in names:
            names.append(i)

    def _conflict(self, number: int, first: int, key: str, old: str, new: str) -> RowError:
        header, letter = self.where.get(key, (BY_KEY[key].header, ""))
        return RowError(number, header, tr(
            f"与第{first}行是同一账号（同一平台、同一名称或账号ID），但两行的【{header}】不同：第{first}行「{old}」，"
            f"本行「{new}」；请改成一致，或删去其中一行",
            f"the same account as row {first} (same platform and name or id) but [{header}] differs: "
            f"{old!r} on row {first}, {new!r} here; make them agree or delete one"), new, letter)

    def notes(self) -> list[str]:
        out = []
        for (_number, record), rows in zip(self.result.records, self.rows, strict=True):
            if len(rows) > 1:
                shown = "、".join(str(n) for n in rows)
                out.append(tr(f"第{shown}行是同一账号「{record['name']}」，已合并为一个",
                              f"rows {shown} are one account {record['name']!r}; merged"))
        return out


def validate_rows(headers: list[str], rows: list[tuple[int, list[str]]], today: dt.date, *, header_row: int = 1,
                  default_platform: vocab.Platform | None = None, file_columns: int | None = None,
                  columns: dict[int, str] | None = None) -> ParsedLedger:
    """Validate every row and the cross-row rules; collect all errors.

    Only the name column is required: a missing platform, unit or id makes each account pending
    (待补全). Rows naming one account merge; only conflicting claims on one identity are errors.
    ``columns`` (index -> key) is the mapping step's result; without it the headings decide. Columns
    from `file_columns` on were added by the reader (from section rows) and have no spreadsheet letter.
    """
    result = ParsedLedger()
    if columns is None:
        mapping, unknown, _ = map_headers(headers)
        if unknown:
            result.warnings.append(tr(f"未知列将被忽略：{'、'.join(unknown)}", f"unknown columns ignored: {', '.join(unknown)}"))
    else:
        mapping = dict(columns)
    if "name" not in mapping.values() and not any(k.startswith(WIDE_PREFIX) for k in mapping.values()):
        result.errors.append(_missing_column(header_row, "name"))
        return result
    in_file = len(headers) if file_columns is None else file_columns
    where = {key: (headers[i].strip(), column_letter(i) if i < in_file else "") for i, key in mapping.items()}
    for i, key in mapping.items():  # a wide list's name columns are where its names are
        if key.startswith(WIDE_PREFIX):
            where.setdefault("name", (headers[i].strip(), column_letter(i) if i < in_file else ""))
    merger = _Merger(result, where)
    no_credential: list[int] = []
    no_platform: list[int] = []
    units: dict[str, tuple[int, str, str]] = {}
    people: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    expanded: list[int] = []
    for number, row_cells in _expanded(rows, mapping, expanded):
        row = Row(number, row_cells, today, where, default_platform)
        record = row.validate()
        result.errors.extend(row.errors)
        result.warnings.extend(row.warnings)
        if record is None:
            continue
        if row.no_credential and not is_pending(record):
            no_credential.append(number)
        if row.platform_unknown:
            no_platform.append(number)
        prev = units.get(record["unit"]) if record["unit"] != PENDING_UNIT else None
        if prev and record["unit_kind"] and prev[1] and prev[1] != record["unit_kind"]:
            row.err("unit_kind", tr(f"与第{prev[0]}行同一单位的类型不一致", f"conflicts with row {prev[0]} for the same unit"))
        if prev and record["parent_unit"] and prev[2] and prev[2] != record["parent_unit"]:
            row.err("parent_unit", tr(f"与第{prev[0]}行同一单位的上级单位不一致", f"conflicts with row {prev[0]} for the same unit"))
        if record["unit"] != PENDING_UNIT and (not prev or (record["unit_kind"] and not prev[1])):
            units[record["unit"]] = (number, record["unit_kind"], record["parent_unit"])
        for role, phone_key, wecom_key in (("head", "head_phone", "head_wecom"), ("operator", "operator_phone", "wecom")):
            if not record[role]:
                continue
            pkey = (record["unit"], record[role], role)
            before = people.setdefault(pkey, (number, record[phone_key], record[wecom_key]))
            if before[1] and record[phone_key] and before[1] != record[phone_key]:
                row.err(phone_key, tr(f"同一人员在第{before[0]}行的电话不同", f"same person has another phone on row {before[0]}"))
            if before[2] and record[wecom_key] and before[2] != record[wecom_key]:
                row.err(wecom_key, tr(f"同一人员在第{before[0]}行的企业微信账号不同", f"same person has another WeCom userid on row {before[0]}"))
        # validate() returned a record, so every error on the row now is a cross-row one.
        result.errors.extend(row.errors)
        if not row.errors:
            given = {k for k in KEYS if row.get(k)} | ({"unit"} if record["unit"] != PENDING_UNIT else set())
            result.errors.extend(merger.add(number, record, given))
    if expanded:
        result.notes.append(tr(f"第{_few(expanded)}行列出了多个平台，已按平台各登记一个账号",
                               f"rows {_few(expanded)} name several platforms: one account per platform"))
    result.notes.extend(merger.notes())
    if no_platform:
        result.warnings.append(tr(
            f"{len(no_platform)} 个账号没有平台（第{_few(no_platform)}行）：登记为待补全（平台 其他）；"
            "整表同一平台时可加 --default-platform 微信公众号",
            f"{len(no_platform)} account(s) have no platform (rows {_few(no_platform)}): registered pending "
            "(platform other); add --default-platform when the whole list is one platform"))
    if no_credential:
        result.warnings.append(tr(
            f"{len(no_credential)} 个账号的采集方式需要凭据但未填写（第{_few(no_credential)}行），采集时将失败；"
            "导入后运行 govmedia doctor 查看清单",
            f"{len(no_credential)} account(s) need a credential for their method but have none (rows {_few(no_credential)}); "
            "run govmedia doctor to list them"))
    return result


def _expanded(rows: list[tuple[int, list[str]]], mapping: dict[int, str], expanded: list[int]
              ) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row's cells by key, a row naming several platforms once per platform (its number in ``expanded``)."""
    for number, cells in rows:
        by_key = {key: cells[i] if i < len(cells) else "" for i, key in mapping.items()}
        wide = {k: v.strip() for k, v in by_key.items() if k.startswith(WIDE_PREFIX)}
        if wide:
            base = {k: v for k, v in by_key.items() if not k.startswith(WIDE_PREFIX)}
            named = [(k, v) for k, v in wide.items() if v and v not in NO_ACCOUNT]
            for key, name in named:
                yield number, {**base, "name": name, "platform": key.removeprefix(WIDE_PREFIX)}
            continue
        parts = expand_platforms(by_key)
        if len(parts) > 1:
            expanded.append(number)
        for part in parts:
            yield number, part


def _few(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers[:5]) + ("…" if len(numbers) > 5 else "")



"""Ledger import and export against a real database: all-or-nothing, idempotent, round-tripping, audited."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook

from registry.db.models import Account, AuditEvent, Person, Unit
from registry.ledger.files import export_ledger, import_ledger
from registry.ledger.tabular import read_table

TODAY = dt.date(2026, 11, 26)


def sample_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


async def counts() -> tuple[int, int, int, int]:
    return (await Account.all().count(), await Unit.all().count(), await Person.all().count(),
            await AuditEvent.all().count())


async def test_sample_imports_and_reimport_changes_nothing(db: str, sample_ledger: Path) -> None:
    result = await import_ledger(sample_ledger, actor="tester", today=TODAY)
    assert not result.errors and result.applied
    assert result.plan is not None and len(result.plan.added) == 40
    accounts, units, _, events = await counts()
    assert accounts == 40 and units == 27  # county + 20 departments + 6 townships
    flagship = await Account.get(platform="wechat", uid="gh_d29d035cc6d5").prefetch_related("unit", "operator")
    assert flagship.matrix_role == "flagship" and flagship.unit.kind == "county_gov"
    assert flagship.operator is not None and flagship.operator.wecom_userid
    again = await import_ledger(sample_ledger, actor="tester", today=TODAY)
    assert again.plan is not None and again.plan.empty and not again.applied
    assert (await counts())[3] == events


async def test_gbk_csv_gives_the_same_registry(db: str, sample_ledger: Path, tmp_path: Path) -> None:
    gbk = tmp_path / "ledger-gbk.csv"
    gbk.write_bytes(sample_ledger.read_text(encoding="utf-8").encode("gb18030"))
    assert read_table(gbk).encoding == "gb18030"
    result = await import_ledger(gbk, actor="t", today=TODAY)
    assert not result.errors and result.plan is not None and len(result.plan.added) == 40
    bom = tmp_path / "ledger-bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + sample_ledger.read_bytes())
    again = await import_ledger(bom, actor="t", today=TODAY)
    assert again.plan is not None and again.plan.empty


async def test_xlsx_with_three_broken_rows_writes_nothing(db: str, sample_ledger: Path, tmp_path: Path) -> None:
    headers, rows = sample_rows(sample_ledger)
    # Issue 21: an unknown platform is no longer an error (and 微信号 is a WeChat word): a bad phone instead.
    rows[4][headers.index("负责人电话")] = "12345"
    rows[9][headers.index("账号ID")] = "gh_12345"
    rows[20][headers.index("开设日期")] = "2019-02-30"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for r in rows:
        ws.append(r)
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    before = await counts()
    result = await import_ledger(broken, actor="t", today=TODAY)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (6, "负责人电话", "12345"), (11, "账号ID", "gh_12345"), (22, "开设日期", "2019-02-30")]
    assert not result.applied and await counts() == before


async def test_export_import_round_trip_xlsx_and_csv(db: str, sample_ledger: Path, tmp_path: Path) -> None:
    await import_ledger(sample_ledger, actor="t", today=TODAY)
    for name in ("out.xlsx", "out.csv"):
        out = tmp_path / name
        assert await export_ledger(out) == 40
        result = await import_ledger(out, actor="t", today=TODAY)
        assert not result.errors and result.plan is not None and result.plan.empty, name
    wb = load_workbook(tmp_path / "out.xlsx")
    ws = wb.active
    assert ws is not None and ws.freeze_panes == "A2" and ws["A1"].value == "账号名称"


async def test_changes_are_planned_field_by_field_and_audited(db: str, sample_ledger: Path, tmp_path: Path) -> None:
    await import_ledger(sample_ledger, actor="t", today=TODAY)
    headers, rows = sample_rows(sample_ledger)
    rows[0][headers.index("账号名称")] = "滹沱发布（新）"
    rows[0][headers.index("状态")] = "整改中"
    rows[1][headers.index("运维人员电话")] = "13900000000"
    del rows[5]
    changed = tmp_path / "changed.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([headers, *rows])
    dry = await import_ledger(changed, actor="t", today=TODAY, dry_run=True, retire_missing=True)
    assert dry.plan is not None and not dry.applied
    assert {c.record["uid"]: sorted(c.diffs) for c in dry.plan.changed} == {
        "gh_d29d035cc6d5": ["name", "status"], "5718301790": ["operator_phone"]}
    assert [a.uid for a in dry.plan.retired] == ["gh_14f7cbe8cfb3"]
    assert (await Account.get(uid="gh_d29d035cc6d5")).name == "滹沱发布"
    real = await import_ledger(changed, actor="office", today=TODAY, retire_missing=True)
    assert real.applied
    flagship = await Account.get(uid="gh_d29d035cc6d5")
    events = await AuditEvent.filter(entity="account", entity_id=flagship.id).order_by("id")
    assert [e.action for e in events] == ["create", "rename", "status"]
    assert events[1].changes == {"name": ["滹沱发布", "滹沱发布（新）"]} and events[1].actor == "office"
    retired = await Account.get(uid="gh_14f7cbe8cfb3")
    assert retired.status == "deregistered"
    assert await AuditEvent.filter(entity_id=retired.id, entity="account", action="retire").count() == 1
    assert await AuditEvent.filter(entity="person", action="update").count() == 1


async def test_a_list_without_a_column_keeps_what_another_list_gave(db: str, tmp_path: Path) -> None:
    # Two published lists name one account: a ranking with a 说明 column, an award list without one. The
    # second keeps the notes; a column the file has and leaves blank still clears (the ledger's own meaning).
    ranking, award, blanked = tmp_path / "bang.csv", tmp_path / "award.csv", tmp_path / "blank.csv"
    ranking.write_text("微博号,说明\n平安某县,月度发文超1000篇\n", encoding="utf-8")
    award.write_text("账号名称,参评平台\n平安某县,微博\n", encoding="utf-8")
    blanked.write_text("微博号,说明\n平安某县,\n", encoding="utf-8")
    assert not (await import_ledger(ranking, actor="t", today=TODAY)).errors
    second = await import_ledger(award, actor="t", today=TODAY)
    assert second.plan is not None and second.plan.empty
    assert (await Account.get(name="平安某县")).notes == "月度发文超1000篇"
    third = await import_ledger(blanked, actor="t", today=TODAY)
    assert third.plan is not None and len(third.plan.changed) == 1
    assert (await Account.get(name="平安某县")).notes == ""

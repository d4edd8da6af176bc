"""Pending is not a unit (issue 21, item 7): an account imported without its owner unit waits in a placeholder
the schema needs, but no view a user reads shows that placeholder as a unit: `units list`, `accounts
list/show` (table and JSON), findings, the monthly review's data and doctor."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from registry.config.i18n import set_lang
from registry.ledger.completeness import PENDING_UNIT
from registry.ledger.files import import_ledger
from registry.views.monthly_data import ReportBase

LIST = """序号,账号名称,平台,主办单位
1,某县发布,微信公众号,某县人民政府
2,某县融媒,抖音号,
3,某县气象,新浪微博,待核实
"""


@pytest.fixture
def gm(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str, lang: str = "zh") -> str:
        try:
            result = runner.invoke(main, ["--db", db_url, "--lang", lang, *args], catch_exceptions=False)
        finally:
            set_lang("zh")
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        return result.output

    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8")
    run("accounts", "import", str(tmp_path / "list.csv"))
    return run


def test_units_list_has_no_placeholder(gm) -> None:  # type: ignore[no-untyped-def]
    units = json.loads(gm("units", "list", "--format", "json"))
    assert [u["name"] for u in units] == ["某县人民政府"]
    assert PENDING_UNIT not in gm("units", "list")


def test_accounts_list_and_show_give_no_unit(gm) -> None:  # type: ignore[no-untyped-def]
    accounts = {a["name"]: a for a in json.loads(gm("accounts", "list", "--format", "json"))}
    assert accounts["某县发布"]["unit"] == "某县人民政府"
    assert accounts["某县融媒"]["unit"] is None and accounts["某县气象"]["unit"] is None
    table = gm("accounts", "list")
    assert PENDING_UNIT not in table and "—" in table
    shown = gm("accounts", "show", str(accounts["某县融媒"]["id"]))
    assert PENDING_UNIT not in shown and "主办单位未知" in shown
    assert PENDING_UNIT not in gm("accounts", "show", str(accounts["某县融媒"]["id"]), lang="en")


def test_findings_and_doctor_name_no_placeholder_unit(gm) -> None:  # type: ignore[no-untyped-def]
    gm("check")
    findings = json.loads(gm("findings", "--state", "all", "--format", "json"))
    assert all(f["unit"] != PENDING_UNIT for f in findings)
    assert PENDING_UNIT not in gm("findings", "--state", "all")
    assert PENDING_UNIT not in gm("doctor")


async def test_monthly_data_gives_pending_accounts_no_unit_and_no_kind(db: str, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    assert not (await import_ledger(path, actor="t", today=dt.date(2026, 12, 1))).errors
    base = await ReportBase.load()
    units = {a.name: (a.unit.name, a.unit.kind) for a in base.accounts}
    assert units["某县融媒"] == ("—", "") and units["某县气象"] == ("—", "")
    assert units["某县发布"][0] == "某县人民政府"

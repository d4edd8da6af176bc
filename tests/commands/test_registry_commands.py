"""The registry commands through click's CliRunner against a temporary database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main


@pytest.fixture
def gm(migrated_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`govmedia --db URL …` on a migrated database (the first command creating the schema is
    test_english_output's, below)."""
    db_url = migrated_db_url
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, ["--db", db_url, "--actor", "科员小王", *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_init_writes_commented_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "govmedia.toml").read_text(encoding="utf-8")
    for key in ("[database]", "[platforms.wechat]", "mobile_base", "[wecom]", "[secrets]"):
        assert key in text
    assert (tmp_path / "govmedia.db").exists()
    again = CliRunner().invoke(main, ["init"])
    assert again.exit_code == 0 and "保留不变" in again.output


def test_import_list_show_set_history(gm, sample_ledger: Path) -> None:  # type: ignore[no-untyped-def]
    out = gm("accounts", "import", str(sample_ledger), "--dry-run")
    assert "试运行" in out and "新增 40" in out
    assert json.loads(gm("accounts", "list", "--format", "json")) == []
    gm("accounts", "import", str(sample_ledger))
    items = json.loads(gm("accounts", "list", "--format", "json", "--platform", "新浪微博"))
    assert len(items) == 8 and {i["platform_code"] for i in items} == {"weibo"}
    table = gm("accounts", "list", "--unit", "教育")
    assert "滹沱县教育局家校服务" in table
    shown = gm("accounts", "show", "wechat:gh_d29d035cc6d5")
    assert "账号名称: 滹沱发布" in shown and "凭据: county_wx" in shown
    gm("accounts", "show", "滹沱发布", code=2)  # three accounts share the name
    out = gm("accounts", "set", "wechat:gh_d29d035cc6d5", "--status", "整改中", "--reason", "月度检查")
    assert "operating → rectifying" in out
    gm("accounts", "set", "wechat:gh_d29d035cc6d5", "--opened-on", "2016-13-01", code=2)
    hist = json.loads(gm("accounts", "history", "wechat:gh_d29d035cc6d5", "--format", "json"))
    assert [h["action"] for h in hist] == ["create", "status"]
    assert hist[1]["actor"] == "科员小王" and hist[1]["note"] == "月度检查"
    gm("accounts", "retire", "weibo:5158275984", "--reason", "账号已被平台删除")
    retired = json.loads(gm("accounts", "list", "--status", "已注销", "--format", "json"))
    assert [r["uid"] for r in retired] == ["5158275984"]


def test_add_and_bad_import_exit_codes(gm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gm("accounts", "add", "--platform", "wechat", "--uid", "gh_aaaaaaaaaaaa", "--name", "测试号", "--unit", "测试局",
       "--unit-kind", "县直部门")
    gm("accounts", "add", "--platform", "wechat", "--uid", "gh_aaaaaaaaaaaa", "--name", "测试号", "--unit", "测试局", code=2)
    # Issue 21: a list without a unit column imports (pending); a file with no name column is refused.
    bad = tmp_path / "bad.csv"
    bad.write_text("平台,主办单位\n微信,测试局\n", encoding="utf-8")
    gm("accounts", "import", str(bad), code=2)
    gm("accounts", "import", str(tmp_path / "missing.xlsx"), code=2)
    assert len(json.loads(gm("accounts", "list", "--format", "json"))) == 1


def test_export_xlsx_units_contacts(gm, sample_ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gm("accounts", "import", str(sample_ledger))
    gm("accounts", "export", str(tmp_path / "台账.xlsx"))
    out = gm("accounts", "import", str(tmp_path / "台账.xlsx"))
    assert "新增 0，变更 0，未变 40" in out
    gm("accounts", "list", "--format", "xlsx", "--out", str(tmp_path / "list.xlsx"))
    assert (tmp_path / "list.xlsx").exists()
    units = json.loads(gm("units", "list", "--format", "json"))
    assert len(units) == 27
    gm("units", "add", "滹沱县档案馆", "--kind", "县直部门", "--parent", "滹沱县人民政府")
    gm("contacts", "add", "--unit", "滹沱县档案馆", "--name", "李四", "--role", "运维人员", "--phone", "13100001111")
    people = json.loads(gm("contacts", "list", "--unit", "档案馆", "--format", "json"))
    # Recording a contact is itself a confirmation; `contacts confirm` renews it later.
    assert people[0]["name"] == "李四" and people[0]["confirmed_at"]
    gm("contacts", "confirm", str(people[0]["id"]))
    people = json.loads(gm("contacts", "list", "--unit", "档案馆", "--format", "json"))
    assert people[0]["confirmed_at"]


def test_english_output(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_ledger: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--lang", "en", "--db", db_url, "accounts", "import", str(sample_ledger)])
    assert result.exit_code == 0 and "40 added" in result.output


def test_unreachable_database_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--db", "postgres://nobody@127.0.0.1:1/none", "accounts", "list"])
    assert result.exit_code == 3
    assert "无法打开数据库" in result.output or "无法打开数据库" in (result.stderr or "")

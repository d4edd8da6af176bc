"""First run and data sources (issue 14, items 4-5): submission template, doctor readiness, --lang anywhere,
Chinese help and config, platform filters, the findings table, init --county, the demo's port."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from cli_commands import admin, help_zh
from registry.config.settings import DEFAULT_CONFIG, DEFAULT_CONFIG_ZH
from reports.table import cell_width
from tests.commands.demokit import DemoRun, copy_demo


@pytest.fixture
def gm(migrated_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`govmedia --db URL …` on a migrated database: these tests are about the commands, not the schema."""
    db_url = migrated_db_url
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


@pytest.fixture
def demo(demo_run: DemoRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    directory = copy_demo(demo_run, tmp_path)
    monkeypatch.chdir(directory)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0, env: dict[str, str] | None = None) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False, env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_submission_template_round_trip(gm, sample_ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gm("accounts", "import", str(sample_ledger))
    out = tmp_path / "报送.xlsx"
    assert "4 个手工报送账号" in gm("collect", "template", "--month", "2026-11", "--out", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == ["报送数据", "填报说明"]
    ws = wb["报送数据"]
    header = [c.value for c in ws[1]]
    assert header == ["账号", "平台", "账号ID", "日期", "标题", "链接", "阅读数", "点赞数", "转发数", "评论数", "粉丝数"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
    assert {r[2] for r in rows} == {"hutuofabu", "hutuowenlv", "sph_hutuorongmei", "chengguanzhen_dy"}
    assert all(r[3] == "2026-11-30" for r in rows)
    assert "toutiao:hutuofabu" in {r[0] for r in rows}  # 滹沱发布 is also a WeChat and a Weibo name
    assert "城关镇" in {r[0] for r in rows}  # a unique name stays readable
    assert any("粉丝数" in (c.value or "") for c in wb["填报说明"]["A"])
    # Unfilled, the rows say what is missing; filled as the notes say, the workbook imports.
    gm("collect", "import", str(out), code=2)
    for i, _ in enumerate(rows, start=2):
        ws.cell(row=i, column=11, value="1200")
    ws.append([rows[0][0], rows[0][1], rows[0][2], "2026-11-05 09:30", "关于冬季供暖的通知", "", "345", "", "", "", ""])
    wb.save(out)
    assert "已导入 4 个账号的 1 篇文章、4 条粉丝数据" in gm("collect", "import", str(out))


def test_submission_template_for_one_unit_and_bad_input(gm, sample_ledger: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gm("accounts", "import", str(sample_ledger))
    out = tmp_path / "t.xlsx"
    assert "1 个手工报送账号" in gm("collect", "template", "--unit", "文化广电", "--month", "2026-11", "--out", str(out))
    rows = [r for r in load_workbook(out)["报送数据"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert [r[2] for r in rows] == ["hutuowenlv"]
    assert "找不到单位" in gm("collect", "template", "--unit", "没有这个局", "--out", str(out), code=2)
    assert "YYYY-MM" in gm("collect", "template", "--month", "2026/11", "--out", str(out), code=2)
    assert ".xlsx" in gm("collect", "template", "--out", str(tmp_path / "t.csv"), code=2)
    assert "尚未开始" in gm("collect", "template", "--month", "2999-01", "--out", str(out), code=2)


def _readiness(out: str, method: str) -> list[int]:
    line = next(x for x in out.splitlines() if x.startswith(method + " "))
    return [int(v) for v in line.split()[1:]]


def test_doctor_reports_readiness_per_method(demo) -> None:  # type: ignore[no-untyped-def]
    out = demo("doctor")
    assert "各采集方式准备情况" in out
    before = _readiness(out, "wechat_api")
    assert before[0] == before[1] + sum(before[2:]) and before[1] > 0
    assert _readiness(out, "manual")[:2] == [4, 4]
    accounts = json.loads(demo("accounts", "list", "--platform", "wechat", "--format", "json"))
    ready = next(a for a in accounts if a["method"] == "wechat_api" and a["credential"])
    demo("accounts", "set", ready["ref"], "--credential", "nosuch_wx", "--reason", "test")
    after = _readiness(demo("doctor"), "wechat_api")
    assert after[1] == before[1] - 1 and after[3] == before[3] + 1  # ready -1, credential not in secrets +1
    assert "Readiness per collection method" not in demo("doctor") and "readiness per collection method" in demo(
        "doctor", "--lang", "en")


def test_lang_anywhere_and_platform_filters(demo) -> None:  # type: ignore[no-untyped-def]
    assert "Name" in demo("accounts", "list", "--lang", "en") or "Account" in demo("accounts", "list", "--lang", "en")
    en = demo("accounts", "list", "--unit", "教育", "--lang=en")
    zh = demo("accounts", "list", "--unit", "教育")
    assert en.splitlines()[0] != zh.splitlines()[0]
    assert json.loads(demo("findings", "--format", "json", "--lang", "en"))
    bad = demo("accounts", "list", "--platform", "政务微博x", code=2)
    assert "政务微博x" in bad and "新浪微博" in bad and "微信公众号" in bad
    assert "unknown platform" in demo("accounts", "list", "--platform", "政务微博x", "--lang", "en", code=2)
    weibo = json.loads(demo("accounts", "list", "--platform", "政务微博", "--format", "json"))
    assert weibo and {a["platform_code"] for a in weibo} == {"weibo"}
    demo("collect", "--platform", "微薄", code=2)
    demo("report", "activity", "--platform", "x", code=2)
    demo("findings", "--platform", "抖音号x", code=2)
    found = json.loads(demo("findings", "--platform", "微博", "--format", "json"))
    assert found and {f["platform"] for f in found} == {"weibo"}


def test_findings_table_fits_the_terminal_with_short_dates(demo) -> None:  # type: ignore[no-untyped-def]
    table = demo("findings", env={"COLUMNS": "80"})
    lines = table.splitlines()
    assert all(cell_width(line) <= 80 for line in lines), [line for line in lines if cell_width(line) > 80]
    assert re.search(r"\b\d\d-\d\d \d\d:\d\d\b", table) and not re.search(r"\d{4}-\d\d-\d\dT", table)
    assert "…" in table  # long names and summaries are cut, visibly
    items = json.loads(demo("findings", "--format", "json"))
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", f["first_seen"]) for f in items)
    assert "T" in demo("findings", "--format", "csv").splitlines()[1]


def test_demo_hint_names_the_port_it_used(demo_run: DemoRun) -> None:
    config = tomllib.loads((demo_run.path / "govmedia.toml").read_text(encoding="utf-8"))
    port = re.search(r":(\d+)$", config["platforms"]["wechat"]["api_base"]).group(1)  # type: ignore[union-attr]
    assert f"sandbox serve --port {port} " in demo_run.output
    assert "--port 0 " not in demo_run.output


def test_init_county_and_config_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["--config", "zh.toml", "init", "--county", "深泽县"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "zh.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["county"]["name"] == "深泽县" and "本县名称" in text
    result = CliRunner().invoke(main, ["--config", "en.toml", "init", "--lang", "en"])
    assert result.exit_code == 0 and "no county name set" in result.output
    text = (tmp_path / "en.toml").read_text(encoding="utf-8")
    assert "Name of the county" in text and "本县名称" not in text
    assert CliRunner().invoke(main, ["--config", "x.toml", "init", "--county", "a\x07b"]).exit_code == 2


def test_init_asks_the_county_when_interactive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(admin, "interactive", lambda: True)
    result = CliRunner().invoke(main, ["--config", "g.toml", "init"], input="深泽县\n")
    assert result.exit_code == 0 and "本县名称" in result.output
    assert tomllib.loads((tmp_path / "g.toml").read_text(encoding="utf-8"))["county"]["name"] == "深泽县"


def test_config_languages_have_the_same_keys_and_values() -> None:
    zh, en = tomllib.loads(DEFAULT_CONFIG_ZH), tomllib.loads(DEFAULT_CONFIG)
    assert zh == en
    commented = [line for line in DEFAULT_CONFIG_ZH.splitlines() if line.startswith("#")]
    assert commented and all(re.search(r"[\u4e00-\u9fff]", line) or "=" in line or line.strip() == "#"
                             or "[lanes" in line for line in commented)


def test_every_command_and_option_has_chinese_help() -> None:
    missing = []
    for path, cmd in help_zh.walk(main):
        if path not in help_zh.COMMANDS:
            missing.append(path or "(root)")
        for param in cmd.params:
            if isinstance(param, click.Option) and help_zh.option_help(path, param) is None:
                missing.append(f"{path} {param.opts[-1]}")
    assert not missing, missing


def test_help_is_chinese_by_default_and_english_with_lang_en() -> None:
    runner = CliRunner()
    zh = runner.invoke(main, ["accounts", "list", "--help"])
    assert zh.exit_code == 0 and "列出账号" in zh.output and "不认识的平台词会报错" in zh.output
    en = runner.invoke(main, ["accounts", "list", "--help", "--lang", "en"])
    assert en.exit_code == 0 and "List accounts." in en.output and "列出账号" not in en.output
    root = runner.invoke(main, ["--help"])
    assert "政务新媒体矩阵健康管理" in root.output and "生成带中文注释的默认配置文件" in root.output
    assert "Write a commented default config" in runner.invoke(main, ["--lang", "en", "--help"]).output
    assert "报送表" in runner.invoke(main, ["collect", "template", "--help"]).output


def test_hoist_lang_moves_only_the_lang_option() -> None:
    from cli_commands.app import hoist_lang

    assert hoist_lang(["accounts", "list", "--lang", "en", "--unit", "x"]) == ["--lang", "en", "accounts", "list", "--unit", "x"]
    assert hoist_lang(["findings", "--lang=en"]) == ["--lang=en", "findings"]
    assert hoist_lang(["content", "check", "--", "--lang", "en"]) == ["content", "check", "--", "--lang", "en"]
    assert hoist_lang(["accounts", "list"]) == ["accounts", "list"]

"""The composition root: the Runtime resolves config once and only when a use case needs it; the
scheduler's job table is data built from the config; queries and workbooks live outside the commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from cli_commands.app import App
from cli_commands.jobs import JOBS, first_working_day
from cli_commands.runtime import Runtime
from registry.config.settings import load, write_default


def _config(tmp_path: Path, db_url: str, extra: str = "", **overrides: object) -> Path:
    path = tmp_path / "govmedia.toml"
    write_default(path, database_url=db_url, overrides=overrides)
    if extra:
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def _gm(config: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, ["--config", str(config), "--actor", "科员小王", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_a_bad_rules_table_fails_only_the_commands_that_need_it(db_url: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, db_url, "\n[rules]\nno_such_rule = 1\n")
    _gm(config, "units", "list")
    for args in (("check",), ("rules", "list")):
        out = _gm(config, *args, code=2)
        assert "no_such_rule" in out and "Traceback" not in out


def test_runtime_resolves_each_setting_once(tmp_path: Path) -> None:
    config = _config(tmp_path, "sqlite://" + str(tmp_path / "x.db"),
                     '\n[rules.calendar]\nextra_holidays = ["2026-06-01", "2026-06-02"]\n', **{"collect.timeout": 7.5})
    rt = Runtime(App(settings=load(config), db_url="sqlite://:memory:", actor="t"))
    assert rt.rule_settings is rt.rule_settings and rt.notify_settings is rt.notify_settings
    assert rt.collect_options is rt.collect_options
    client = rt.http_client()
    try:
        assert client.timeout.read == 7.5 and client.timeout.connect == 7.5 and not client.follow_redirects
    finally:
        import asyncio

        asyncio.run(client.aclose())
    # Monday 1 June 2026 and the Tuesday after are configured holidays: the month's first working day is Wednesday.
    assert first_working_day(dt.date(2026, 6, 1), rt.is_working_day) == dt.date(2026, 6, 3)


def test_the_job_table_is_built_from_the_config(tmp_path: Path) -> None:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    config = _config(tmp_path, "sqlite://" + str(tmp_path / "x.db"),
                     **{"collect.interval_minutes": 3, "reports.monthly_time": "08:30"})
    rt = Runtime(App(settings=load(config), db_url="sqlite://:memory:", actor="t"))
    assert [j.id for j in JOBS] == ["cycle", "monthly"] and [j.first_run_now for j in JOBS] == [True, False]
    cycle, monthly = (j.trigger(rt) for j in JOBS)
    assert isinstance(cycle, IntervalTrigger) and cycle.interval == dt.timedelta(minutes=3)
    assert isinstance(monthly, CronTrigger)
    fields = {f.name: str(f) for f in monthly.fields}
    assert fields["hour"] == "8" and fields["minute"] == "30"


def test_silence_for_a_unit_goes_through_the_registry(db_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, db_url)
    out = _gm(config, "silence", "add", "--unit", "没有这个单位", "--until", "2099-01-01", "--reason", "过渡期", code=2)
    assert "找不到单位：没有这个单位" in out
    _gm(config, "units", "add", "滹沱县教育局", "--kind", "县直部门")
    assert "已添加豁免" in _gm(config, "silence", "add", "--unit", "滹沱县教育局", "--until", "2099-01-01",
                                "--reason", "过渡期")
    assert "滹沱县教育局" in _gm(config, "silence", "list")


def test_matrix_report_files(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             sample_ledger: Path) -> None:
    monkeypatch.chdir(tmp_path)
    config = _config(tmp_path, db_url)
    _gm(config, "accounts", "import", str(sample_ledger))
    _gm(config, "report", "matrix", "--format", "xlsx", code=2)
    assert "已写入 m.xlsx" in _gm(config, "report", "matrix", "--format", "xlsx", "--out", "m.xlsx")
    wb = load_workbook(tmp_path / "m.xlsx")
    assert len(wb.sheetnames) == 5 and wb.worksheets[0]["A1"].value == "平台"
    assert "已写入 m.csv" in _gm(config, "report", "matrix", "--format", "csv", "--out", "m.csv")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert text.startswith("一、账号分布") and "五、待决定的关停整合复核" in text
    assert _gm(config, "report", "matrix", "--format", "json").lstrip().startswith('{\n  "grid"')

"""Issue 17, item 9: every config value is checked at load (type, range, time zone); the message names
the key and the file (or the environment variable), exit 2, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

BAD = [
    ("[collect]\nconcurrency = 0\n", "collect.concurrency"),
    ("[collect]\nper_host_concurrency = 0\n", "collect.per_host_concurrency"),
    ("[collect]\nlease_minutes = -5\n", "collect.lease_minutes"),
    ("[collect]\ntimeout = \"twenty\"\n", "collect.timeout"),
    ("[collect]\nretries = 2.5\n", "collect.retries"),
    ("[collect]\nbackfill_days = true\n", "collect.backfill_days"),
    ("[collect]\ninterval_minutes = 0\n", "collect.interval_minutes"),
    ("[county]\ntimezone = \"Mars/Olympus\"\n", "county.timezone"),
    ("[county]\ntimezone = \"../../etc/passwd\"\n", "county.timezone"),
    ("[platforms.weibo]\nmin_interval = nan\n", "platforms.weibo.min_interval"),
    ("[notify]\nquiet_hours = \"late\"\n", "notify.quiet_hours"),
    ("[notify]\noffice_users = \"li\"\n", "notify.office_users"),
    ("[reports]\nmonthly_time = \"25:00\"\n", "reports.monthly_time"),
    ("[wecom]\nagent_id = 99999999999\n", "wecom.agent_id"),
    ("collect = 3\n", "collect."),
]


@pytest.mark.parametrize("text,key", BAD)
def test_a_bad_config_value_is_named_with_its_file(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "govmedia.toml"
    config.write_text(text + f'[database]\nurl = "sqlite://{tmp_path}/g.db"\n', encoding="utf-8")
    for args in (["collect"], ["doctor"], ["run", "--once"], ["accounts", "list"]):
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 2, (args, result.output)
        assert key in result.output and str(config) in result.output and "配置有误" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "g.db").exists()  # refused before the database was touched


def test_a_bad_environment_override_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVMEDIA_COLLECT_CONCURRENCY", "0")
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path}/g.db", "collect"])
    assert result.exit_code == 2 and "GOVMEDIA_COLLECT_CONCURRENCY" in result.output
    monkeypatch.setenv("GOVMEDIA_COLLECT_CONCURRENCY", "many")
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path}/g.db", "collect"])
    assert result.exit_code == 2 and "GOVMEDIA_COLLECT_CONCURRENCY" in result.output


def test_missing_and_unreadable_config_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "none.toml"), "accounts", "list"])
    assert result.exit_code == 2 and "找不到配置文件" in result.output
    (tmp_path / "dir.toml").mkdir()
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "dir.toml"), "accounts", "list"])
    assert result.exit_code == 2 and "无法读取配置文件" in result.output

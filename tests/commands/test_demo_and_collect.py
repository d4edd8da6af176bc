"""`govmedia demo`, `collect`, `collect status` and `collect import` end to end (real HTTP to the sandbox)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner

from cli import main
from registry.config.settings import write_default
from sandbox.county import demo_secrets
from sandbox.server import running_sandbox
from tests.commands.demokit import TEST_ENV, DemoRun, copy_demo


def test_demo_runs_and_reruns_cleanly(demo_run: DemoRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = demo_run.output
    assert "新增 40" in first and "采集：36 个账号" in first
    assert "账号不存在或已删除（gone）" in first and "认证失败（auth）" in first
    for rule in ("stale_veto", "stale_warning", "dormant_long", "low_use", "frequency_below_target", "no_interaction",
                 "slow_response", "duplicate_account", "account_gone", "collection_blind", "registry_incomplete"):
        assert f"（{rule}）" in first, rule  # the sample county shows every rule
    assert oct(os.stat(demo_run.path / "secrets.toml").st_mode & 0o777) == "0o600"
    copy_demo(demo_run, tmp_path)
    stored = _posts(tmp_path / "d" / "govmedia.db")
    second = CliRunner(env=TEST_ENV).invoke(main, ["demo", "--dir", "d", "--port", "0"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "新增 0，变更 0" in second.output
    # The sandbox county is rebuilt from the wall clock, so posts published between the two runs
    # may appear (a morning push can bring dozens); what the rerun calls new is exactly what it
    # added, and nothing stored before came back (fixed-clock idempotence: tests/collectors).
    # Across 08:00 Beijing time datacube starts to cover yesterday: a provisional ``fp:`` copy of
    # one of its articles then gives way to the final one (same account and title, counted as new).
    new = int(re.search(r"新发现文章 (\d+) 篇", second.output).group(1))  # type: ignore[union-attr]
    after = _posts(tmp_path / "d" / "govmedia.db")
    replaced = {key: title for key, title in stored.items() if key not in after}
    finals = {(account, title) for (account, pid), title in after.items() if not pid.startswith("fp:")}
    assert all(pid.startswith("fp:") and (account, title) in finals for (account, pid), title in replaced.items())
    assert len(after) == len(stored) - len(replaced) + new


def _posts(path: Path) -> dict[tuple[int, str], str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {(a, p): t for a, p, t in conn.execute("SELECT account_id, post_id, title FROM post")}


def test_collect_status_and_manual_import(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          sample_ledger: Path) -> None:
    monkeypatch.chdir(tmp_path)
    with running_sandbox(seed=7) as sb:
        base = sb.base_url
        write_default(tmp_path / "govmedia.toml", database_url=db_url, overrides={
            "platforms.wechat.api_base": base, "platforms.weibo.api_base": base, "platforms.weibo.mobile_base": base,
            "platforms.weibo.min_interval": 0.0, "platforms.weibo.jitter": 0.0, "platforms.feed.base_url": base,
            "collect.backfill_days": 15})
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(tomli_w.dumps({"credentials": demo_secrets(sb.county)}), encoding="utf-8")
        os.chmod(secrets, 0o600)
        runner = CliRunner()

        def gm(*args: str, code: int = 0) -> str:
            result = runner.invoke(main, list(args), catch_exceptions=False)
            assert result.exit_code == code, result.output
            return result.output

        gm("accounts", "import", str(sample_ledger))
        out = gm("collect", "--platform", "weibo")
        assert "weibo_public" in out and "合计" in out and "账号不存在或已删除" in out
        status = json.loads(gm("collect", "status", "--format", "json"))
        flagship = next(r for r in status if r["ref"] == "weibo:5718301790")
        assert flagship["posts"] > 0 and flagship["last_success"] and flagship["error"] == ""
        gone = next(r for r in status if r["ref"] == "weibo:5158275984")
        assert gone["last_success"] == "" and "gone" in gone["error"]
        gm("collect", "--account", "wechat:gh_d29d035cc6d5")
        os.chmod(secrets, 0o644)
        assert "chmod 600" in gm("collect", code=2)
        os.chmod(secrets, 0o600)

    submission = tmp_path / "报送.csv"
    submission.write_text(
        "账号,日期,标题,链接,阅读数,点赞数,粉丝数\n"
        "douyin:hutuowenlv,2026-11-20,文旅宣传片,https://v.douyin.com/abc,1200,30,\n"
        "douyin:hutuowenlv,2026-11-21,,,,,5230\n", encoding="utf-8")
    assert "已导入 1 个账号的 1 篇文章、1 条粉丝数据" in gm("collect", "import", str(submission))
    bad = tmp_path / "bad.csv"
    bad.write_text("账号,日期,标题,阅读数\ndouyin:nobody,2026-11-20,x,1\ndouyin:hutuowenlv,2026-13-01,y,abc\n",
                   encoding="utf-8")
    err = gm("collect", "import", str(bad), code=2)
    assert "第2行" in err and "第3行" in err and "阅读数" in err

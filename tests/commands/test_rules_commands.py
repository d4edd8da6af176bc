"""check / findings / rules list / review list|show|decide|dossier on the demo county (one demo run)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.commands.demokit import DemoRun, copy_demo


@pytest.fixture(scope="module")
def demo_dir(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield copy_demo(demo_run, tmp_path_factory.mktemp("demo"))


def gm(demo_dir: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, ["--config", str(demo_dir / "govmedia.toml"), "--actor", "公开办", *args],
                                catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_findings_json_contract(demo_dir: Path) -> None:
    items = json.loads(gm(demo_dir, "findings", "--format", "json"))
    keys = {"id", "rule", "severity", "state", "platform", "account_uid", "account_name", "unit", "first_seen",
            "last_seen", "evidence"}
    assert items and all(keys <= set(i) for i in items)
    veto = [i for i in items if i["rule"] == "stale_veto"]
    assert {i["account_name"] for i in veto} == {"滹沱水利", "北留乡讯"}
    assert all(i["evidence"]["threshold_days"] == 14 and i["severity"] == "veto" for i in veto)
    blind = {i["account_uid"] for i in items if i["rule"] == "collection_blind"}
    stale = {i["account_uid"] for i in items if i["rule"] in ("stale_veto", "stale_warning", "dormant_long")}
    assert blind and not blind & stale  # blind is not silent
    only = json.loads(gm(demo_dir, "findings", "--rule", "no_interaction", "--format", "json"))
    assert [i["account_name"] for i in only] == ["滹沱农业农村"]


def test_check_again_and_fail_on(demo_dir: Path) -> None:
    out = gm(demo_dir, "check")
    assert "新发现 0" in out
    gm(demo_dir, "check", "--fail-on", "veto", code=1)
    assert "stale_veto" in gm(demo_dir, "--lang", "en", "rules", "list")


def test_review_decide_and_dossier(demo_dir: Path, tmp_path: Path) -> None:
    reviews = json.loads(gm(demo_dir, "review", "list", "--format", "json"))
    water = next(r for r in reviews if r["account"] == "滹沱水利")
    dossier = tmp_path / "d.html"
    gm(demo_dir, "review", "dossier", str(water["id"]), "--out", str(dossier))
    html = dossier.read_text(encoding="utf-8")
    assert "滹沱水利" in html and "近90天" in html and "分管领导签字" in html
    gm(demo_dir, "review", "decide", str(water["id"]), "--decision", "整合", "--reason", "x", code=2)
    out = gm(demo_dir, "review", "decide", str(water["id"]), "--decision", "关停", "--reason", "长期无人维护")
    assert "已决定：关停" in out
    assert "已关停" in gm(demo_dir, "accounts", "show", str(water["account_ref"]))
    hist = json.loads(gm(demo_dir, "accounts", "history", str(water["account_ref"]), "--format", "json"))
    assert hist[-1]["action"] == "status" and hist[-1]["actor"] == "公开办" and "关停" in hist[-1]["note"]
    gm(demo_dir, "check")
    open_water = json.loads(gm(demo_dir, "findings", "--account", str(water["account_ref"]), "--format", "json"))
    assert open_water == []  # a closed account is no longer checked


def test_notify_log_and_silences(demo_dir: Path) -> None:
    log = json.loads(gm(demo_dir, "notify", "log", "--format", "json"))
    assert log and {e["state"] for e in log} == {"sent"} and {e["channel"] for e in log} == {"wecom_app"}
    dry = gm(demo_dir, "notify", "--dry-run")
    # Only the 已恢复 notice of the account closed by the review test; the unchanged sets are not resent.
    assert "· alert ·" not in dry and "· repeat ·" not in dry and "未写入、未发送" in dry
    gm(demo_dir, "silence", "add", "--account", "wechat:gh_98711e2a2e2f", "--until", "2099-01-01", code=2)
    out = gm(demo_dir, "silence", "add", "--account", "wechat:gh_98711e2a2e2f", "--until", "2099-01-01",
             "--reason", "乡镇合并过渡期")
    sid = out.split("#")[1].split("，")[0]
    listed = json.loads(gm(demo_dir, "silence", "list", "--format", "json"))
    assert listed[0]["author"] == "公开办" and listed[0]["state"] == "生效"
    gm(demo_dir, "silence", "expire", sid)
    assert json.loads(gm(demo_dir, "silence", "list", "--format", "json")) == []


def test_monthly_review_job_runs_once_on_the_first_working_day(demo_dir: Path) -> None:
    import asyncio
    import datetime as dt

    from cli_commands.app import App
    from cli_commands.demo import demo_config as _demo_config
    from cli_commands.jobs import monthly_review as _monthly_review
    from cli_commands.runtime import Runtime
    from registry.db.lifecycle import database
    from registry.db.models import Notification
    from sandbox.server import fetch_messages, running_sandbox

    with running_sandbox(seed=7) as sb:
        settings = _demo_config(demo_dir, sb.base_url, sb.county)
        app = App(settings=settings, db_url=settings.database_url, actor="test")
        rt = Runtime(app)
        tz = app.tz

        async def go() -> tuple[str | None, str | None, str | None, int]:
            async with database(app.db_url):
                not_today = await _monthly_review(rt, dt.datetime(2026, 12, 2, 9, 0, tzinfo=tz))
                first = await _monthly_review(rt, dt.datetime(2026, 12, 1, 9, 0, tzinfo=tz))
                again = await _monthly_review(rt, dt.datetime(2026, 12, 1, 9, 5, tzinfo=tz))
                return not_today, first, again, await Notification.filter(kind="report").count()

        not_today, first, again, reports = asyncio.run(go())
        delivered = [m for m in fetch_messages(sb.base_url, "wecom_app") if m["status"] == "delivered"]
    assert not_today is None and first and again and reports == 1
    assert "2026-11" in first and Path(first).exists()
    assert len(delivered) == 1 and delivered[0]["to"] == "hutuo_office"
    assert "2026年11月" in str(delivered[0]["payload"])


def test_check_records_the_month_that_closed_once(demo_run: DemoRun, tmp_path: Path) -> None:
    # The first check after a month closes records its trend figures (the demo's own check already did):
    # the record equals the month judged again, and further checks leave it as it is.
    import asyncio
    import datetime as dt
    from zoneinfo import ZoneInfo

    from registry.db.lifecycle import database
    from registry.db.models import MonthSnapshot
    from registry.findings.snapshots import stored_months
    from reports.monthly_build import month_figures
    from rules.config import BLIND_RULE, CATALOGUE, RuleSettings, rules_where
    from rules.evaluate import evaluate_at

    # Its own copy of the demo: the module's shared copy is changed by other tests (statuses, decisions),
    # which a re-evaluation would see and the month's record, rightly, would not.
    demo_dir = copy_demo(demo_run, tmp_path)
    tz = ZoneInfo("Asia/Shanghai")
    month = (dt.datetime.now(tz).date().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    gm(demo_dir, "check")
    settings = RuleSettings.from_dict({})

    async def read() -> tuple[object, object, int]:
        async with database("sqlite://" + str(demo_dir / "govmedia.db")):
            stored = (await stored_months([month]))[month]
            again = await month_figures(month, tz=tz, now=dt.datetime.now(tz),
                                        evaluate=lambda at: evaluate_at(at, settings, only=rules_where("trend")),
                                        rules=list(CATALOGUE.values()), blind_rule=BLIND_RULE)
            return stored, again, await MonthSnapshot.filter(month=month).count()

    stored, again, rows = asyncio.run(read())
    assert stored == again and rows == 1
    assert stored.accounts == 40 and 0 < stored.checked <= 40  # type: ignore[attr-defined]

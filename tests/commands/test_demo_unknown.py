"""On the demo county: the review's WCI table has real 在看 / 点赞 figures, feed-only accounts are listed apart,
accounts we cannot see read 无法判断, and `report activity` JSON carries null (never 0) for unknown figures."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import main
from tests.commands.demokit import DemoRun, copy_demo

INSUFFICIENT = "数据不足，未参与排名"


@pytest.fixture(scope="module")
def demo_dir(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield copy_demo(demo_run, tmp_path_factory.mktemp("demo_unknown"))


def gm(demo_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(demo_dir / "govmedia.toml"), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


#: Days into a month before its review has enough collected figures to rank: datacube reports a day only
#: from 08:00 the next day, so on the 1st (Beijing time) the month has no read figures at all.
RANKABLE_FROM_DAY = 8


def review_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of the month whose review the test reads: this month, or the last one early in a month."""
    start = today.replace(day=1)
    if today.day < RANKABLE_FROM_DAY:
        start = (start - dt.timedelta(days=1)).replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _today() -> dt.date:
    # The demo's county clock is Beijing time.
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def _posted(demo_dir: Path, since: dt.date, until: dt.date | None = None) -> dict[tuple[str, str], str]:
    """(name, platform) → collect method of every account with an unpinned post in [since, until)."""
    with sqlite3.connect(demo_dir / "govmedia.db") as conn:
        rows = conn.execute(
            "SELECT DISTINCT a.name, a.platform, a.collect_method FROM post p JOIN account a ON a.id = p.account_id"
            " WHERE p.pinned = 0 AND p.published_at >= ? AND p.published_at < ?"
            " AND a.status IN ('operating', 'rectifying', 'reviewing')",
            (since.isoformat(), (until or dt.date.max).isoformat())).fetchall()
    return {(n, p): m for n, p, m in rows}


def test_review_month_is_this_month_once_it_has_a_week() -> None:
    assert review_month(dt.date(2026, 12, 8)) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert review_month(dt.date(2026, 12, 1)) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert review_month(dt.date(2027, 1, 7)) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))


def test_review_ranks_real_figures_and_lists_unknown_apart(demo_dir: Path, tmp_path: Path) -> None:
    month, month_end = review_month(_today())
    gm(demo_dir, "report", "monthly", "--month", month.strftime("%Y-%m"), "--out", str(tmp_path), "--format", "xlsx")
    [path] = tmp_path.glob("*.xlsx")
    book = load_workbook(path)
    cells = [[c for c in row] for row in book["排行"].iter_rows(values_only=True)]
    wci_head = next(i for i, r in enumerate(cells) if r[3] == "WCI")
    wci_rows = []
    for r in cells[wci_head + 1:]:
        if r[0] is None or not isinstance(r[0], int):
            break
        wci_rows.append(r)
    assert wci_rows, "the demo ranks WeChat accounts"
    # Columns: rank, account, unit, WCI, articles, reads, 在看, likes, shares — real, collected figures.
    assert any(isinstance(r[6], int) and r[6] > 0 for r in wci_rows), "在看 figures"
    assert any(isinstance(r[7], int) and r[7] > 0 for r in wci_rows), "点赞 figures"
    posted = _posted(demo_dir, month, month_end)
    feed_wechat = {n for (n, p), m in posted.items() if p == "wechat" and m == "feed"}
    ranked = {r[1] for r in wci_rows}
    assert not feed_wechat & ranked, "a feed-only account is never ranked"
    notes = [str(r[0]) for r in cells if r[0] and str(r[0]).startswith(INSUFFICIENT)]
    for name in feed_wechat:
        assert any(f"{name}（微信公众号）" in n for n in notes), name
    # No WeChat account ranks at WCI 0 for want of data.
    assert all(isinstance(r[3], int | float) and r[3] > 0 for r in wci_rows)

    heads = next(book["明细"].iter_rows(max_row=1, values_only=True))
    pi, vi = heads.index("问题"), heads.index("结论")  # by header: sections may add columns
    details = [r for r in book["明细"].iter_rows(min_row=2, values_only=True) if r[0]]
    unseen = [r for r in details if r[pi] and ("数据采集中断" in r[pi] or "账号异常" in r[pi])]
    assert unseen, "the demo has accounts we cannot see"
    assert all(r[vi] == "无法判断" for r in unseen), [(r[0], r[vi]) for r in unseen]
    assert not any(r[vi] == "合格" and r[pi] and "数据采集中断" in r[pi] for r in details)
    summary = [r for r in book["汇总"].iter_rows(values_only=True)]
    assert summary  # the headline exists; its checked count excludes the same accounts (tests/reports)


def test_activity_json_carries_null_for_unknown(demo_dir: Path) -> None:
    today = _today()
    start = today - dt.timedelta(days=30)
    rows = json.loads(gm(demo_dir, "report", "activity", "--from", start.isoformat(), "--to", today.isoformat(),
                         "--format", "json"))
    keys = {"likes", "zaikan", "comments", "shares", "answered_comments", "answer_rate", "median_answer_hours"}
    assert rows and all(keys <= set(r) for r in rows)
    posted = _posted(demo_dir, start)
    by_name = {(r["name"], r["platform"]): r for r in rows}
    feed = [r for (n, p), m in posted.items() if m == "feed" and (r := by_name.get((n, {"wechat": "微信公众号",
                                                                                      "weibo": "新浪微博"}.get(p, p))))]
    assert feed, "the demo has feed-only accounts that posted"
    for r in feed:
        for key in ("reads", "likes", "zaikan", "comments", "shares", "answered_comments", "answer_rate",
                    "median_answer_hours", "index"):
            assert r[key] is None, (r["name"], key)
    weibo = [r for r in rows if r["platform"] == "新浪微博" and r["posts"]]
    assert weibo and all(r["reads"] is None and r["zaikan"] is None for r in weibo)
    wechat_api = [r for r in rows if r["platform"] == "微信公众号" and r["zaikan"] is not None]
    assert wechat_api and any(r["zaikan"] > 0 for r in wechat_api) and any(r["likes"] > 0 for r in wechat_api)
    # Answers: a rate only where comments were read and some were received.
    for r in rows:
        if r["answer_rate"] is not None:
            assert 0 <= r["answer_rate"] <= 1 and r["answered_comments"] is not None

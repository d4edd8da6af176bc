"""Issue 16 "done when": collected through the sandbox, `check` finds exactly the planted content problems."""

from __future__ import annotations

import datetime as dt
import json

from collectors.model import PostObs
from registry.db.models import Account, Finding, Post
from registry.observations.ingest import upsert_posts
from reports.content_safety import build_content_safety, content_section_html
from rules.config import DEFAULT_SETTINGS
from rules.content_check import ContentChecker, ContentConfig
from rules.evaluate import run_check
from sandbox import content as planted
from tests.collectors.conftest import NOW, County

CONTENT_RULES = ("content_error", "privacy_leak")


async def _content_findings() -> dict[tuple[str, str], list[str]]:
    """Open content findings as {(rule, account uid): [entry ids]}."""
    uids = {a["id"]: a["uid"] for a in await Account.all().values("id", "uid")}
    out: dict[tuple[str, str], list[str]] = {}
    for f in await Finding.filter(state="open", rule__in=CONTENT_RULES).order_by("id"):
        hits = f.evidence["hits"]
        assert isinstance(hits, list)
        out.setdefault((f.rule, uids[f.account_id or 0]), []).extend(h["entry_id"] for h in hits)
    return out


async def test_check_finds_exactly_the_planted_problems(county: County) -> None:
    summary = await county.collect()
    assert summary.counts.get("ok", 0) > 20
    checker = ContentChecker(ContentConfig(hotlines=planted.HOTLINES))
    result = await run_check(NOW, DEFAULT_SETTINGS, checker)
    assert result.content_scanned > 500
    assert await _content_findings() == {
        ("content_error", "5718301790"): ["name:2018-local-environment"],
        ("privacy_leak", "5581726316"): ["privacy:id_card"],
        ("privacy_leak", "5967838011"): ["privacy:mobile"],
    }
    veto = await Finding.get(rule="content_error", state="open")
    assert veto.severity == "veto" and "环境保护局" in veto.summary_zh and veto.evidence["url"]
    assert {f.severity for f in await Finding.filter(rule="privacy_leak", state="open")} == {"warning"}
    # The trap post before the reform was collected (so its quiet is the date rule's, not a gap).
    assert await Post.filter(published_at__lt=planted.PRE_REFORM_AT.replace(year=2019)).count() == 1
    # A finding never spreads the leak it reports.
    stored = json.dumps([(f.rule, f.summary_zh, f.summary_en, f.evidence) for f in await Finding.all()], ensure_ascii=False)
    assert planted.VALID_ID not in stored and planted.PERSONAL_MOBILE not in stored
    assert planted.VALID_ID[:4] + "*" * 10 + planted.VALID_ID[-4:] in stored

    # The monthly 内容安全 section counts them per unit, beside the text coverage, masked.
    section = await build_content_safety(NOW - dt.timedelta(days=30), NOW)
    by_unit = {r.unit: r for r in section.rows}
    assert (by_unit["滹沱县人民政府"].severe, by_unit["滹沱县市场监督管理局"].privacy,
            by_unit["滹沱县人力资源和社会保障局"].privacy) == (1, 1, 1)
    assert section.totals.problems == 3 and section.totals.unscanned == 0
    assert section.totals.posts == section.totals.full + section.totals.digest + section.totals.title_only
    assert section.totals.title_only > 0  # WeChat datacube posts: titles only, and said so
    html = content_section_html(section)
    assert "内容安全" in html and planted.VALID_ID not in html

    # A second check scans nothing new and keeps the findings.
    again = await run_check(NOW, DEFAULT_SETTINGS, checker)
    assert again.content_scanned == 0 and not again.sync.opened and not again.sync.resolved

    # The account edits the post (the number removed): the finding resolves; deleting the ID post too.
    post = await Post.get(text__contains=planted.PERSONAL_MOBILE)
    edited = PostObs(post_id=post.post_id, published_at=post.published_at, title=post.title,
                     text=(post.text or "").replace(planted.PERSONAL_MOBILE, "12345"), text_coverage="full")
    await upsert_posts(post.account_id, [edited], "weibo_public")
    await Post.filter(text__contains=planted.VALID_ID).delete()
    after = await run_check(NOW, DEFAULT_SETTINGS, checker)
    assert after.content_scanned == 1
    assert sorted(f.rule for f in after.sync.resolved) == ["privacy_leak", "privacy_leak"]
    assert list(await _content_findings()) == [("content_error", "5718301790")]


async def test_without_the_hotline_listed_the_units_number_is_flagged(county: County) -> None:
    await county.collect(account_ids=None)
    await run_check(NOW, DEFAULT_SETTINGS, ContentChecker(ContentConfig()))
    assert (await _content_findings())[("privacy_leak", "5967838011")] == ["privacy:mobile", "privacy:mobile"]

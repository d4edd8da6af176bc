"""The monthly review built from a scenario database: numbers checked against hand-computed values."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from registry.ledger import accounts as store
from registry.observations import store as obs
from reports.monthly_build import build_monthly
from rules.config import BLIND_RULE, CATALOGUE, RuleSettings, rules_where
from rules.evaluate import evaluate_at

RULES = {"rules": list(CATALOGUE.values()), "blind_rule": BLIND_RULE}

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ)  # early November: October is complete
SETTINGS = RuleSettings.from_dict({})


@dataclass(frozen=True)
class P:
    post_id: str
    published_at: dt.datetime
    reads: int | None = None
    shares: int | None = None
    likes: int | None = None
    comments: int | None = None
    title: str = "标题"
    url: str | None = None
    pinned: bool = False
    original: bool | None = None
    zaikan: int | None = 0
    favorites: int | None = None


async def add(uid: str, name: str, platform: str = "wechat", **extra: str) -> int:
    record = {"platform": platform, "uid": uid, "name": name, "unit": f"{name}单位", "unit_kind": "县直部门",
              "interaction": "留言", "opened_on": "2020-01-01", "head": "甲", "head_phone": "13100000001",
              "operator": "乙", "operator_phone": "13100000002", "verified_subject": "某单位", "frequency": "每两周",
              "filed": "是", "filed_on": "2020-02-01", **extra}
    return (await store.add_account(record, actor="t", today=NOW.date())).id


async def observe(account_id: int, posts: list[P]) -> None:
    attempt = await obs.start_attempt(account_id, "wechat_api", "t", NOW)
    await obs.record_success(attempt, account_id, "wechat_api",
                             obs.Success(posts=posts, metrics=[], known_until=NOW, backfilled_from=dt.date(2026, 7, 1)), NOW)


def day(d: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, d, 10, 0, tzinfo=TZ)


async def test_october_review_numbers(db: str) -> None:
    good = await add("gh_00000000000a", "好号")
    await observe(good, [P(f"{i}_1", day(i), reads=100 * i, shares=i, likes=0) for i in range(1, 32, 3)] + [P("x_1", day(2, 11))])
    # Silent from 10-05 to the end of October: 26 days before 10-31 → 不合格 at the month's end.
    silent = await add("gh_00000000000b", "停更号")
    await observe(silent, [P("s_1", day(5), reads=50, shares=0), P("s_2", day(2, 11))])
    # No interaction channel: a veto all month long, although it posts.
    mute = await add("gh_00000000000c", "无互动号", interaction="无")
    await observe(mute, [P(f"m{i}_1", day(i), reads=10) for i in range(1, 32, 7)] + [P("m_1", day(2, 11))])
    weibo = await add("5000000001", "微博号", platform="weibo")
    await observe(weibo, [P(f"{i}", day(i), reads=None, shares=2, likes=3, comments=1) for i in (3, 10, 17, 24, 30)]
                  + [P("w1", day(1, 11))])
    never = await add("gh_00000000000d", "失联号")  # never collected: blind, not checked

    async def evaluate(moment: dt.datetime):  # type: ignore[no-untyped-def]
        return await evaluate_at(moment, SETTINGS)

    rep = await build_monthly("2026-10", county="测试县", tz=TZ, now=NOW, evaluate=evaluate, **RULES, trend_months=3)
    assert not rep.partial and rep.period_end == dt.date(2026, 10, 31)
    total = rep.overview.total
    assert (total.accounts, total.checked, total.failed) == (5, 4, 2)
    assert total.pass_rate == 0.5  # (4 checked − 2 failed) / 4
    vetoes = {g.rule: g.accounts for g in rep.problems if g.veto}
    assert vetoes == {"stale_veto": ["停更号（微信公众号）"], "no_interaction": ["无互动号（微信公众号）"]}
    blind = next(g for g in rep.problems if g.rule == "collection_blind")
    assert blind.accounts == ["失联号（微信公众号）"] and never
    rows = {r.name: r for r in rep.details}
    assert rows["好号"].posts == 11 and rows["好号"].verdict == "合格"
    assert rows["停更号"].days_since_last_post == 26 and rows["停更号"].verdict == "不合格"
    # WCI of 好号 by hand: d = 31 days, n = 11 articles, every one a lead article.
    reads = [100 * i for i in range(1, 32, 3)]
    shares = list(range(1, 32, 3))
    r, re_ = sum(reads), sum(shares)

    def dim(rr: float, ss: float, div: float) -> float:
        return 0.70 * math.log(rr / div + 1) + 0.15 * math.log(10 * ss / div + 1)

    o, a = dim(r, re_, 31), dim(r, re_, 11)
    h, p = o, 0.70 * math.log(max(reads) + 1) + 0.15 * math.log(10 * max(shares) + 1)
    expected = (0.6 * o + 0.2 * a + 0.1 * h + 0.1 * p) ** 2 * 12
    assert rows["好号"].index == round(expected, 2)
    # BCI of 微博号 by hand: 5 posts, 10 reposts, 5 comments, 15 likes.
    w2 = 0.4 * math.log(11) + 0.4 * math.log(6) + 0.2 * math.log(16)
    assert rows["微博号"].index == round((0.2 * math.log(6) + 0.8 * w2) * 160, 2)
    assert [t.month for t in rep.trends] == ["2026-08", "2026-09", "2026-10"]
    assert rep.rankings.wechat[0].account == "好号" and "好号（微信公众号）" in rep.rankings.praised
    # 无互动号 and 停更号 have no known likes (无互动号 no shares either): listed apart, never ranked at 0.
    assert [r.account for r in rep.rankings.wechat] == ["好号"]
    assert rep.rankings.insufficient == ["停更号（微信公众号）", "无互动号（微信公众号）"]
    assert rows["无互动号"].index is None and rows["微博号"].reads is None
    # The blind account is not checked in the headline and reads 无法判断 in the details, never 合格.
    assert rows["失联号"].verdict == "无法判断" and rows["失联号"].posts is None

    async def evaluate_trend(moment: dt.datetime):  # type: ignore[no-untyped-def]
        # A trend point must only depend on the catalogue's trend rules' findings.
        return await evaluate_at(moment, SETTINGS, only=rules_where("trend"))

    light = await build_monthly("2026-10", county="测试县", tz=TZ, now=NOW, evaluate=evaluate, **RULES,
                                evaluate_trend=evaluate_trend, trend_months=4)
    assert light.trends[1:] == rep.trends and light.trends[0].month == "2026-07"
    assert (light.details, light.overview) == (rep.details, rep.overview)

    current = await build_monthly("2026-11", county="测试县", tz=TZ, now=NOW, evaluate=evaluate, **RULES, trend_months=2)
    assert current.partial and current.as_of == NOW
    recheck = {r.account: r.now_state for r in current.recheck}
    assert recheck == {"停更号": "已整改", "无互动号": "仍未整改"}

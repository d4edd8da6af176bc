"""Reach indices printed in the review: 清博 WCI V14.2 for WeChat and the provincial BCI for Weibo.

Both follow reference/policy.md §6 to the letter so that our numbers can be compared with the
lists 清博 and the provincial data products publish.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from registry.views.monthly_data import Summing

#: 清博 stores the public counter "10万+" as this number (policy.md §6.1).
TEN_WAN_PLUS = 100001
#: A WeChat lead article (头条, the first of a push) has a platform post id ending in this.
LEAD_SUFFIX = "_1"
#: Each index's inputs (PostTotals fields): an account with any of them unknown for the whole period is
#: listed apart ("数据不足，未参与排名"), never ranked at zero. Reads are not a BCI input (Weibo shows none).
INDEX_INPUTS: dict[str, tuple[str, ...]] = {
    "wechat": ("reads", "zaikan", "likes", "shares"),
    "weibo": ("shares", "comments", "likes"),
}
#: How the registry sums a month's posts for the indices: reads capped at 10万+, lead articles by id.
SUMMING = Summing(read_cap=TEN_WAN_PLUS, lead_suffix=LEAD_SUFFIX)

WCI_FORMULA_ZH: tuple[str, ...] = (
    "微信传播指数 WCI（清博 V14.2）：统计周期 d 天（月度取当月天数），发文 n 篇；"
    "R、Z、L、RE 分别为阅读数、在看数、点赞数、转发数总和，Rt、Zt、Lt、REt 为头条文章的对应总和，"
    "Rmax、Zmax、Lmax、REmax 为单篇最高值；“10万+”按 100001 计。",
    "整体传播力 O = 0.70×ln(R/d+1) + 0.09×ln(10×Z/d+1) + 0.06×ln(10×L/d+1) + 0.15×ln(10×RE/d+1)",
    "篇均传播力 A = 0.70×ln(R/n+1) + 0.09×ln(10×Z/n+1) + 0.06×ln(10×L/n+1) + 0.15×ln(10×RE/n+1)",
    "头条传播力 H = 0.70×ln(Rt/d+1) + 0.09×ln(10×Zt/d+1) + 0.06×ln(10×Lt/d+1) + 0.15×ln(10×REt/d+1)",
    "峰值传播力 P = 0.70×ln(Rmax+1) + 0.09×ln(10×Zmax+1) + 0.06×ln(10×Lmax+1) + 0.15×ln(10×REmax+1)",
    "WCI = (0.6×O + 0.2×A + 0.1×H + 0.1×P)² × 12",
)

BCI_FORMULA_ZH: tuple[str, ...] = (
    "微博传播指数 BCI（省级数据产品口径）：BCI = (0.2×W1 + 0.8×W2) × 160；",
    "活跃度 W1 = ln(发博数+1)；传播度 W2 = 0.4×ln(转发数+1) + 0.4×ln(评论数+1) + 0.2×ln(点赞数+1)",
)

#: Every formula line, in the order the appendix prints them.
FORMULAS_ZH: tuple[str, ...] = WCI_FORMULA_ZH + BCI_FORMULA_ZH

WCI_FORMULA_EN: tuple[str, ...] = (
    "WeChat reach index WCI (Qingbo V14.2): a period of d days (the month's days in the monthly review) with n "
    "articles; R, Z, L and RE are the totals of reads, zaikan (\"Wow\"), likes and shares, Rt, Zt, Lt and REt the "
    "same totals over lead articles, and Rmax, Zmax, Lmax and REmax the highest single-article values; "
    "\"100k+\" counts as 100001.",
    "Overall reach O = 0.70×ln(R/d+1) + 0.09×ln(10×Z/d+1) + 0.06×ln(10×L/d+1) + 0.15×ln(10×RE/d+1)",
    "Per-article reach A = 0.70×ln(R/n+1) + 0.09×ln(10×Z/n+1) + 0.06×ln(10×L/n+1) + 0.15×ln(10×RE/n+1)",
    "Lead-article reach H = 0.70×ln(Rt/d+1) + 0.09×ln(10×Zt/d+1) + 0.06×ln(10×Lt/d+1) + 0.15×ln(10×REt/d+1)",
    "Peak reach P = 0.70×ln(Rmax+1) + 0.09×ln(10×Zmax+1) + 0.06×ln(10×Lmax+1) + 0.15×ln(10×REmax+1)",
    "WCI = (0.6×O + 0.2×A + 0.1×H + 0.1×P)² × 12",
)

BCI_FORMULA_EN: tuple[str, ...] = (
    "Weibo reach index BCI (provincial data product method): BCI = (0.2×W1 + 0.8×W2) × 160;",
    "Activity W1 = ln(posts+1); spread W2 = 0.4×ln(reposts+1) + 0.4×ln(comments+1) + 0.2×ln(likes+1)",
)

#: FORMULAS_ZH in English, line for line (``--lang en``).
FORMULAS_EN: tuple[str, ...] = WCI_FORMULA_EN + BCI_FORMULA_EN


@dataclass(frozen=True)
class WciParts:
    """The four WCI dimensions and the resulting index."""

    o: float  # 整体传播力
    a: float  # 篇均传播力
    h: float  # 头条传播力
    p: float  # 峰值传播力
    wci: float


class Article(NamedTuple):
    """One WeChat article's counters (as seen on its 7th day, per 清博's monthly convention)."""

    reads: int
    zaikan: int
    likes: int
    shares: int
    is_lead: bool  # 头条 (first article of a push)


def parse_count(value: int | str) -> int:
    """A public counter as a number: "10万+" → 100001, "1.2万" → 12000, "3,456" → 3456."""
    if isinstance(value, int):
        return value
    text = value.strip().replace(",", "")
    if text.endswith("+") and text[:-1] in ("10万", "100000"):
        return TEN_WAN_PLUS
    match = re.fullmatch(r"(\d+(?:\.\d+)?)万\+?", text)
    if match:
        return round(float(match.group(1)) * 10_000)
    return int(text)


def _dimension(reads: float, zaikan: float, likes: float, shares: float, div: float) -> float:
    # One row of the V14.2 table: reads weigh 70%, 在看 9%, likes 6%, shares 15%; the three
    # interaction counters are scaled ×10 because they run about an order below reads.
    return (0.70 * math.log(reads / div + 1) + 0.09 * math.log(10 * zaikan / div + 1)
            + 0.06 * math.log(10 * likes / div + 1) + 0.15 * math.log(10 * shares / div + 1))


def wci_parts(*, d: int, n: int, reads: int, zaikan: int, likes: int, shares: int,
              lead_reads: int, lead_zaikan: int, lead_likes: int, lead_shares: int,
              max_reads: int, max_zaikan: int, max_likes: int, max_shares: int) -> WciParts:
    """WCI V14.2 with its dimensions, from period totals (R, Z, L, RE), lead totals and maxima."""
    if d <= 0:
        raise ValueError("the period must have at least one day")
    o = _dimension(reads, zaikan, likes, shares, d)
    # With no articles every total is 0 and 篇均 has nothing to average: it contributes 0.
    a = _dimension(reads, zaikan, likes, shares, n) if n > 0 else 0.0
    h = _dimension(lead_reads, lead_zaikan, lead_likes, lead_shares, d)
    p = _dimension(max_reads, max_zaikan, max_likes, max_shares, 1)
    return WciParts(o, a, h, p, (0.6 * o + 0.2 * a + 0.1 * h + 0.1 * p) ** 2 * 12)


def wci(*, d: int, n: int, reads: int, zaikan: int, likes: int, shares: int,
        lead_reads: int, lead_zaikan: int, lead_likes: int, lead_shares: int,
        max_reads: int, max_zaikan: int, max_likes: int, max_shares: int) -> float:
    """清博 WCI V14.2 (policy.md §6.1): (0.6·O + 0.2·A + 0.1·H + 0.1·P)² × 12."""
    return wci_parts(d=d, n=n, reads=reads, zaikan=zaikan, likes=likes, shares=shares,
                     lead_reads=lead_reads, lead_zaikan=lead_zaikan, lead_likes=lead_likes,
                     lead_shares=lead_shares, max_reads=max_reads, max_zaikan=max_zaikan,
                     max_likes=max_likes, max_shares=max_shares).wci


ArticleLike = Article | tuple[int | str, int, int, int, bool] | Mapping[str, object]


def _as_article(item: ArticleLike, cap: bool) -> Article:
    raw: tuple[object, ...]
    if isinstance(item, Mapping):
        raw = (item["reads"], item.get("zaikan", 0), item.get("likes", 0), item.get("shares", 0),
               item.get("is_lead", False))
    else:
        raw = tuple(item)
    reads_raw, zaikan, likes, shares, is_lead = raw
    reads = _to_int(reads_raw)
    if cap:
        # 清博 only sees "10万+" on the public page, so anything above is 100001 in its lists.
        reads = min(reads, TEN_WAN_PLUS)
    return Article(reads, _to_int(zaikan), _to_int(likes), _to_int(shares), bool(is_lead))


def _to_int(value: object) -> int:
    if isinstance(value, int | str):
        return parse_count(value)
    raise TypeError(f"not a counter: {value!r}")


def wci_from_articles(articles: Iterable[ArticleLike], d: int, *, cap_10w: bool = True) -> WciParts:
    """WCI from per-article (reads, zaikan, likes, shares, is_lead) tuples, Articles or dicts.

    Reads may be "10万+"; with ``cap_10w`` reads above 100000 count as 100001 like 清博's lists.
    """
    items = [_as_article(a, cap_10w) for a in articles]
    leads = [a for a in items if a.is_lead]
    return wci_parts(
        d=d, n=len(items),
        reads=sum(a.reads for a in items), zaikan=sum(a.zaikan for a in items),
        likes=sum(a.likes for a in items), shares=sum(a.shares for a in items),
        lead_reads=sum(a.reads for a in leads), lead_zaikan=sum(a.zaikan for a in leads),
        lead_likes=sum(a.likes for a in leads), lead_shares=sum(a.shares for a in leads),
        max_reads=max((a.reads for a in items), default=0), max_zaikan=max((a.zaikan for a in items), default=0),
        max_likes=max((a.likes for a in items), default=0), max_shares=max((a.shares for a in items), default=0),
    )


def bci(posts: int, reposts: int, comments: int, likes: int) -> float:
    """Provincial BCI (policy.md §6.2 ✔ form): (0.2·W1 + 0.8·W2) × 160."""
    w1 = math.log(posts + 1)
    w2 = 0.4 * math.log(reposts + 1) + 0.4 * math.log(comments + 1) + 0.2 * math.log(likes + 1)
    return (0.2 * w1 + 0.8 * w2) * 160

"""Content: `rules.content` scanning every post's title and text vs a bare scan with the same automaton.

The dataset has titles only ("政务信息第k期"), so each post gets a generated digest-like text (two to
five sentences of ordinary government prose, about 120 characters; deterministic for the post), and one
post in 40 has a planted problem (outdated name, ID number, mobile, card, misspelling) or a trap that
must stay quiet (order number, masked ID, the unit's hotline, a historical mention). Posts are read
with the raw driver in batches of 20,000; per batch the text is built first (not timed), then scanned
by both sides, so memory stays flat and both sides see the same strings while they are warm.

- bare: ``for _ in automaton.iter(text): pass`` over the title and the text, with the very automaton the
  scanner built (the least any automaton-based checker must do);
- govmedia: ``Scanner.scan(title, published_at, ctx)`` and ``Scanner.scan(text, published_at, ctx)``:
  the automaton plus the date, allow-list and historical-mention filters, the privacy checks
  (regular expressions, GB 11643 and Luhn validation), masking and the hits.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

from bench.common import Result, backend, is_sqlite, max_rss_mb, pg_connect, sqlite_connect, timed
from rules.content import ScanContext, build_scanner

BATCH = 20_000
POSTS_SQL = "SELECT id, title, published_at FROM post ORDER BY id"
HOTLINE = "13900001111"
SENTENCES = (
    "县委县政府高度重视此项工作，多次召开专题会议研究部署。",
    "各乡镇、各部门要切实提高政治站位，压实工作责任。",
    "近日，县政务服务中心开展了“服务企业月”活动，为企业解决实际困难。",
    "活动现场，工作人员耐心解答群众咨询，发放宣传资料二百余份。",
    "下一步，我们将持续优化营商环境，推动各项政策落地见效。",
    "据统计，今年以来全县新增市场主体一千二百余户，同比增长百分之八。",
    "县自然资源局、县生态环境局联合开展专项执法检查。",
    "本次培训邀请了省内专家授课，参训人员一百五十人。",
    "请广大群众提高防范意识，谨防电信网络诈骗。",
    "县应急管理局提醒：汛期来临，请注意防范地质灾害。",
    "欢迎广大市民积极参与，共同营造文明和谐的社会环境。",
    "详情请关注本公众号后续发布，或拨打咨询热线0311-12345678。",
)
PLANTED = (
    "县国土资源局召开专题会议。",                          # outdated name
    "请申请人（身份证130102199003083015）到窗口领取。",      # unmasked ID
    "联系人王先生，电话13812345678。",                     # individual mobile
    "补贴已发放至卡号6222021234567890128。",               # bank card
    "会议对下一阶段工作作了布署。",                         # misspelling
    "订单号130102199003083016已作废。",                    # trap: wrong check digit
    "身份证1301**********3015已核验。",                    # trap: masked
    f"咨询热线{HOTLINE}。",                                # trap: the unit's hotline
    "原县环境保护局旧址改建为图书馆。",                     # trap: historical mention
)

PROBLEMS = 5  # the first five planted sentences are problems, the rest traps that must stay quiet


def make_text(rng: random.Random, k: int) -> str:
    """A digest-like text; one in 40 carries a planted problem or trap."""
    parts = rng.sample(SENTENCES, rng.randint(2, 5))
    if k % 40 == 0:
        parts.insert(rng.randint(0, len(parts)), PLANTED[(k // 40) % len(PLANTED)])
    return "".join(parts)


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])


def _sqlite_batches(url: str) -> Iterator[list[tuple[Any, ...]]]:
    conn = sqlite_connect(url)
    try:
        cur = conn.execute(POSTS_SQL)
        while rows := cur.fetchmany(BATCH):
            yield rows
    finally:
        conn.close()


async def _batches(url: str) -> AsyncIterator[list[tuple[Any, ...]]]:
    if is_sqlite(url):
        for rows in _sqlite_batches(url):
            yield rows
        return
    conn = await pg_connect(url)
    try:
        async with conn.transaction():
            batch: list[tuple[Any, ...]] = []
            async for rec in conn.cursor(POSTS_SQL, prefetch=BATCH):
                batch.append(tuple(rec))
                if len(batch) == BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch
    finally:
        await conn.close()


async def run(url: str, accounts: int) -> Result:
    """Scan every post's title and generated text with both sides; ratio of throughputs."""
    res = Result("content", backend(url), accounts)
    with timed() as t_build:
        scanner = build_scanner()
    automaton = scanner.automaton
    ctx = ScanContext.of([HOTLINE])
    rng = random.Random(20260615)
    posts = chars = hits = bare_matches = planted = 0
    bare_s = scan_s = 0.0
    kinds: dict[str, int] = {}
    k = 0
    async for rows in _batches(url):
        items = []
        for _pid, title, published in rows:
            items.append((str(title or ""), make_text(rng, k), _as_date(published)))
            planted += k % 40 == 0 and (k // 40) % len(PLANTED) < PROBLEMS
            k += 1
        with timed() as t_bare:
            for title, text, _on in items:
                for _ in automaton.iter(title):
                    bare_matches += 1
                for _ in automaton.iter(text):
                    bare_matches += 1
        with timed() as t_scan:
            found = []
            for title, text, on in items:
                found += scanner.scan(title, on, ctx)
                found += scanner.scan(text, on, ctx)
        bare_s += t_bare.wall
        scan_s += t_scan.wall
        posts += len(items)
        chars += sum(len(t) + len(x) for t, x, _ in items)
        hits += len(found)
        for h in found:
            kinds[h.kind] = kinds.get(h.kind, 0) + 1
    res.values.update({
        "posts": posts, "chars": chars, "build_ms": round(t_build.wall * 1000, 1),
        "bare_s": round(bare_s, 3), "scan_s": round(scan_s, 3),
        "bare_mchars_per_s": round(chars / bare_s / 1e6, 2) if bare_s else None,
        "scan_mchars_per_s": round(chars / scan_s / 1e6, 2) if scan_s else None,
        "scan_posts_per_s": round(posts / scan_s) if scan_s else None,
        "ratio_vs_bare": round(bare_s / scan_s, 2) if scan_s else None,
        "hits": hits, "planted": planted, "hits_by_kind": ", ".join(f"{k}={n}" for k, n in sorted(kinds.items())),
        "bare_matches": bare_matches, "max_rss_mb": round(max_rss_mb(), 1),
    })
    if hits != planted:
        res.notes.append(f"found {hits} problems where {planted} were planted")
    return res

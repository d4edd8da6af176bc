"""Post text in the store on both backends: a source without text keeps the stored one, and the content
scan marker is reset exactly when the title, date or text changes (so a check scans only those)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from collectors.model import PostObs
from registry.db.models import Post
from registry.ledger import accounts as store
from registry.observations.content import store_scans
from registry.observations.ingest import upsert_posts
from registry.views.content_posts import coverage_counts, flagged_posts, posts_to_scan

BEIJING = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
HIT = {"kind": "privacy", "severity": "warning", "matched": "138****5678", "context": "…", "entry_id": "privacy:mobile",
       "suggestion": "删除", "source": "s"}


async def account() -> int:
    record = {"platform": "weibo", "uid": "1234567890", "name": "某发布", "unit": "测试单位", "unit_kind": "乡镇",
              "interaction": "评论", "opened_on": "2020-01-01", "credential": "c"}
    return (await store.add_account(record, actor="t", today=NOW.date())).id


async def pending(fp: str = "fp1") -> list[int]:
    return [r.id for batch in [b async for b in posts_to_scan(fp)] for r in batch]


async def test_text_kept_and_scan_marker_reset_only_on_change(db: str) -> None:
    aid = await account()
    full = PostObs(post_id="p1", published_at=NOW - dt.timedelta(hours=3), title="标题", text="标题\n正文",
                   text_coverage="full", likes=1)
    await upsert_posts(aid, [full], "weibo_api")
    [pid] = await pending()
    await store_scans("fp1", [(pid, [HIT])])
    assert await pending() == [] and await pending("fp2") == [pid]  # another checker scans again
    # New numbers, same text; then a source without text (title only): nothing to scan again, text kept.
    await upsert_posts(aid, [replace(full, likes=5)], "weibo_api")
    await upsert_posts(aid, [replace(full, text=None, text_coverage=None, likes=6)], "weibo_api")
    assert await pending() == []
    row = await Post.get(id=pid)
    assert (row.text, row.text_coverage, row.likes) == ("标题\n正文", "full", 6)
    [flagged] = await flagged_posts("fp1")
    assert flagged.hits == [HIT] and flagged.text_coverage == "full"
    # The account edits the post: scanned again; the new scan finds nothing and the post is no longer flagged.
    await upsert_posts(aid, [replace(full, text="标题\n改过的正文")], "weibo_api")
    assert await pending() == [pid]
    await store_scans("fp1", [(pid, None)])
    assert await flagged_posts("fp1") == []
    assert (await coverage_counts([aid]))[aid] == {"title": 0, "digest": 0, "full": 1}


async def test_one_batch_of_clean_and_flagged_posts(db: str) -> None:
    """Clean posts are marked in one statement, flagged ones row by row: each gets its own marker and hits,
    a clean rescan clears old hits, and a post outside the batch is left alone."""
    aid = await account()
    posts = [PostObs(post_id=f"p{i}", published_at=NOW - dt.timedelta(hours=i), title=f"标题{i}") for i in range(1, 6)]
    await upsert_posts(aid, posts, "weibo_api")
    ids = sorted(await pending())
    await store_scans("fp1", [(ids[1], [HIT])])  # an earlier checker's hit on the second post
    await store_scans("fp2", [(ids[0], None), (ids[1], None), (ids[2], [HIT]), (ids[3], None)])
    rows = {r["id"]: r for r in await Post.filter(id__in=ids).values("id", "content_scanned", "content_hits")}
    assert [rows[i]["content_scanned"] for i in ids] == ["fp2", "fp2", "fp2+", "fp2", None]
    assert [rows[i]["content_hits"] for i in ids] == [None, None, [HIT], None, None]
    assert await pending("fp2") == [ids[4]]
    assert [p.id for p in await flagged_posts("fp2")] == [ids[2]]

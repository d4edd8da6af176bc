"""The SQL digest applies the pinned-post rule it is given (the rule itself lives in rules/), on both backends."""

from __future__ import annotations

import datetime as dt

from registry.db.models import Post
from registry.ledger import accounts as store
from registry.views.post_digest import DigestBounds, post_digests
from rules.rule_base import pinned_counts

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=TZ)


async def test_the_latest_post_follows_the_rule_passed_in(db: str) -> None:
    ids = []
    for i in range(3):
        record = {"platform": "wechat", "uid": f"gh_{i:012d}", "name": f"账号{i}", "unit": "单位"}
        ids.append((await store.add_account(record, actor="t", today=NOW.date())).id)
    old_pinned, fresh, new_pinned = NOW - dt.timedelta(days=40), NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1)
    # 0: an old notice pinned above a fresh post; 1: a pinned post newer than every ordinary one; 2: pinned only.
    for aid, pid, at, pinned in ((ids[0], "a", old_pinned, True), (ids[0], "b", fresh, False),
                                 (ids[1], "c", fresh, False), (ids[1], "d", new_pinned, True),
                                 (ids[2], "e", old_pinned, True)):
        await Post.create(account_id=aid, post_id=pid, published_at=at, title=pid, pinned=pinned)
    bounds = [DigestBounds(aid, NOW, NOW - dt.timedelta(days=90)) for aid in ids]

    def latest(digests: dict[int, object]) -> list[str | None]:
        return [getattr(getattr(digests[aid], "latest", None), "title", None) for aid in ids]

    assert latest(await post_digests(bounds, pinned_counts=pinned_counts)) == ["b", "d", "e"]

    def never(newest_ordinary: dt.datetime | None, newest_pinned: dt.datetime) -> bool:
        return False

    assert latest(await post_digests(bounds, pinned_counts=never)) == ["b", "c", None]

"""The follower figures' two SQL forms (index probes on PostgreSQL, one grouped pass on SQLite) agree."""

from __future__ import annotations

import datetime as dt
import random

from registry.db.models import DailyMetric
from registry.db.rawsql import is_pg, marks
from registry.ledger import accounts as store
from registry.views import post_digest
from registry.views.post_digest import follower_figures_marked

TODAY = dt.date(2026, 11, 20)


async def _metrics(rng: random.Random) -> None:
    for i in range(30):
        account = await store.add_account({"platform": "weibo", "uid": str(1_000_000_000 + i), "name": f"账号{i}",
                                           "unit": f"单位{i % 4}", "unit_kind": "乡镇"}, actor="t", today=TODAY)
        if i % 7 == 0:
            continue  # no figures at all
        days = rng.sample(range(0, 80), rng.randrange(1, 25))
        await DailyMetric.bulk_create([DailyMetric(
            account_id=account.id, day=TODAY - dt.timedelta(days=d),
            followers=None if rng.random() < 0.2 else rng.randrange(0, 10**6),
            followers_approx=rng.choice([None, False, True])) for d in days])


async def test_both_forms_give_the_same_figures(db: str) -> None:
    rng = random.Random(7)
    await _metrics(rng)
    conn = post_digest._db()
    checked = 0
    for offset, span in [(30, 30), (3, 2), (60, 10), (0, 0), (90, 5), (45, 45)]:
        start, until = TODAY - dt.timedelta(days=offset), TODAY - dt.timedelta(days=offset) + dt.timedelta(days=span)
        got = await follower_figures_marked(start, until)
        since = start - dt.timedelta(days=7)
        values = [start, since, until] if is_pg(conn) else [start.isoformat(), since.isoformat(), until.isoformat()]
        # Whichever form this backend runs, the other one must agree with it on the same rows.
        other = post_digest._FOLLOWERS_SQL if is_pg(conn) else None
        if other is not None:
            _, rows = await conn.execute_query(other.format(p=marks(conn, 3)), values)
            assert got == {int(r[0]): (int(r[1]), int(r[2]), bool(r[3])) for r in rows}
        # And both agree with the definition, applied in Python to every row.
        expect: dict[int, tuple[int, int, bool]] = {}
        rows_by: dict[int, list[DailyMetric]] = {}
        for m in await DailyMetric.filter(followers__isnull=False, day__gte=since, day__lte=until).order_by("day"):
            rows_by.setdefault(m.account_id, []).append(m)
        for aid, ms in rows_by.items():
            before = [m for m in ms if m.day <= start]
            first = before[-1] if before else ms[0]
            last = ms[-1]
            expect[aid] = (int(first.followers or 0), int(last.followers or 0),
                           bool(first.followers_approx or last.followers_approx))
        assert got == expect
        checked += len(got)
    assert checked > 20

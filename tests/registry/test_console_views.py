"""The web console's read models on both databases: scope, filters, verdicts, SQL pagination, ordering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from registry.db.models import Account, Finding, Review, Unit
from registry.ledger.files import import_ledger
from registry.views import console

NOW = dt.datetime.now(dt.UTC)


async def _county(sample_ledger: Path) -> None:
    result = await import_ledger(sample_ledger, actor="test", today=NOW.date())
    assert result.applied, result.errors


async def _finding(account: Account, rule: str, severity: str, state: str = "open") -> Finding:
    return await Finding.create(rule=rule, subject=f"account:{account.id}", severity=severity, state=state,
                                account=account, first_seen=NOW - dt.timedelta(days=3), last_seen=NOW,
                                summary_zh=f"{rule} 摘要",
                                resolved_at=NOW - dt.timedelta(days=1) if state == "resolved" else None)


async def test_scope_filters_and_pages(db: str, sample_ledger: Path) -> None:
    await _county(sample_ledger)
    total = await Account.all().count()
    seen: set[int] = set()
    for page in range(1, 100):
        n, rows = await console.account_page(None, console.AccountQuery(page=page, per_page=7), "collection_blind")
        assert n == total
        if not rows:
            break
        assert len(rows) <= 7
        seen |= {r["id"] for r in rows}
    assert len(seen) == total

    parents = {u["parent_id"] for u in await Unit.all().values("parent_id")}
    leaf = await Unit.exclude(id__in=[p for p in parents if p]).filter(accounts__id__isnull=False).first()
    assert leaf is not None
    scope = await console.unit_scope(leaf.id)
    assert scope == {leaf.id}
    county_gov = await Unit.filter(id__in=[p for p in parents if p]).first()
    assert county_gov is not None and len(await console.unit_scope(county_gov.id)) > 1  # its sub-units too
    n, rows = await console.account_page(scope, console.AccountQuery(per_page=200), "collection_blind")
    own = await Account.filter(unit_id__in=list(scope)).count()
    assert n == own == len(rows) and own < total
    outside = await Account.exclude(unit_id__in=list(scope)).first()
    assert outside is not None
    assert await console.account_in_scope(outside.id, scope) is None
    assert await console.account_dossier(outside.id, scope, now=NOW) is None
    assert (await console.account_dossier(outside.id, None, now=NOW)) is not None
    assert await console.unit_scope(None) == frozenset()
    n, rows = await console.account_page(None, console.AccountQuery(unit_text=leaf.name[-3:], per_page=200),
                                         "collection_blind")
    assert n >= 1 and all(leaf.name[-3:] in r["unit_name"] for r in rows)
    assert len(await console.units_in(None, limit=2)) == 2


async def test_verdicts_and_finding_order(db: str, sample_ledger: Path) -> None:
    await _county(sample_ledger)
    a, b, c = await Account.all().order_by("id").limit(3)
    await _finding(a, "stale_veto", "veto")
    await _finding(b, "collection_blind", "ops")
    await _finding(c, "stale_warning", "warning")
    await _finding(c, "ledger_incomplete", "info")
    await _finding(c, "stale_veto", "veto", state="resolved")

    async def verdict(v: str) -> set[int]:
        _, rows = await console.account_page(None, console.AccountQuery(verdict=v, per_page=200), "collection_blind")
        return {r["id"] for r in rows}

    assert await verdict("fail") == {a.id}
    assert await verdict("unknown") == {b.id}
    passing = await verdict("pass")
    assert c.id in passing and a.id not in passing and b.id not in passing
    total, rows = await console.finding_page(None, state="open")
    assert total == 4
    assert [r["severity"] for r in rows][:2] == ["veto", "warning"]
    assert (await console.finding_in_scope(rows[0]["id"], frozenset({-1}))) is None

    data = await console.overview(None, blind_rule="collection_blind")
    assert data["vetoed"] == 1 and data["blind"] == 1 and data["by_severity"]["veto"] == 1
    await Account.all().update(created_at=NOW - dt.timedelta(days=5))  # the county existed before the findings
    later, before = dt.datetime.now(dt.UTC), NOW - dt.timedelta(days=10)
    assert await console.rates_at(None, [later]) == [(data["active"], 1)]
    assert (await console.rates_at(None, [NOW - dt.timedelta(days=2)]))[0][1] == 2  # c's veto was open then
    assert await console.rates_at(None, [before]) == [(0, 0)]  # no account existed yet


async def test_reviews_in_scope(db: str, sample_ledger: Path) -> None:
    await _county(sample_ledger)
    account = await Account.all().order_by("id").first()
    assert account is not None
    review = await Review.create(account=account, rule="long_dormant", opened_at=NOW)
    other_unit = await Unit.exclude(id=account.unit_id).first()  # type: ignore[attr-defined]
    assert other_unit is not None
    assert await console.review_in_scope(review.id, frozenset({other_unit.id})) is None
    assert (await console.review_in_scope(review.id, None))["account_id"] == account.id  # type: ignore[index]
    total, rows = await console.review_page(None)
    assert total == 1 and [r["id"] for r in rows] == [review.id]
    assert (await console.review_page(frozenset({other_unit.id})))[0] == 0

"""Two checks syncing findings at once (the leader's scheduled check and a user's `govmedia check`): each
finding is opened once, and neither fails. On PostgreSQL the syncs take turns (an advisory lock); SQLite's
write lock already serialises them."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from registry.db.models import Finding
from registry.findings.sync import sync_findings

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Draft:
    """A rule's draft as the lifecycle sees it."""

    rule: str
    subject: str
    severity: str = "warning"
    account_id: int | None = None
    unit_id: int | None = None
    summary_zh: str = "测试"
    summary_en: str = "test"
    evidence: dict[str, object] = field(default_factory=dict)


async def _sync(drafts: list[Draft], now: dt.datetime) -> int:
    result = await sync_findings(drafts, [], now, activity_rules=(), review_rules=())
    return len(result.opened)


async def test_two_syncs_at_once_open_each_finding_once(db: str) -> None:
    drafts = [Draft("registry_incomplete", f"unit:{i}", evidence={"n": i}) for i in range(300)]
    opened = await asyncio.gather(_sync(drafts, NOW), _sync(drafts, NOW + dt.timedelta(seconds=1)))
    assert sorted(opened) == [0, 300]  # one opened them all, the other found them open
    rows = await Finding.filter(state="open").values_list("rule", "subject")
    assert len(rows) == len(set(rows)) == 300

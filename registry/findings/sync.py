"""The findings lifecycle a check drives, and the shutdown reviews it opens.

A finding's identity is (rule, subject); it opens once, refreshes ``last_seen`` and evidence while
the condition holds, and resolves itself when it clears. A blind account's activity findings are
neither refreshed nor resolved: we cannot see, so we do not say.

Which rules are activity rules and which open a review is the rule catalogue's knowledge: the
check passes both sets in (this module names no rule).

Writes are set-based so a province-size check (tens of thousands of open findings) costs a handful
of statements: one bulk insert for new findings, one prepared UPDATE run over the findings whose
text or evidence changed, and one ``UPDATE ... WHERE id IN`` (the ids bound as one array on
PostgreSQL, see `registry.db.rawsql.in_ids`) for the findings that only need their ``last_seen``
moved, and one for the resolved ones.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from registry.db.models import Finding, Review
from registry.db.rawsql import id_list, in_ids, is_pg, marks

#: PostgreSQL advisory lock key serialising findings syncs (see `sync_findings`).
SYNC_LOCK = 0x676D5F73  # "gm_s"
CHUNK = 5000  # ids per IN list of the ORM query below: far below PostgreSQL's 32,767 parameters
OPEN_FIELDS = ("id", "rule", "subject", "severity", "summary_zh", "summary_en", "evidence", "claimed_fixed_at",
               "claimed_by", "account_id")


class DraftLike(Protocol):
    """What the lifecycle needs of a rule's finding draft."""

    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def summary_zh(self) -> str: ...
    @property
    def summary_en(self) -> str: ...
    @property
    def evidence(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class FindingRef:
    """A stored finding as a check reports it."""

    id: int
    rule: str
    subject: str
    severity: str
    account_id: int | None


@dataclass
class SyncResult:
    """What one check changed."""

    opened: list[FindingRef] = field(default_factory=list)
    refreshed: list[FindingRef] = field(default_factory=list)
    resolved: list[FindingRef] = field(default_factory=list)
    kept_blind: list[FindingRef] = field(default_factory=list)
    claims_confirmed: list[FindingRef] = field(default_factory=list)
    claims_rejected: list[FindingRef] = field(default_factory=list)
    reviews_opened: list[Review] = field(default_factory=list)


def _same_evidence(stored: Any, new: dict[str, object], exact_text: bool) -> bool:
    """Whether stored evidence (raw from the database) says what ``new`` says.

    On SQLite the stored text is exactly what the field's encoder wrote, so encoding the draft and
    comparing text avoids decoding 35,000 documents per check; PostgreSQL normalises jsonb, so
    there the stored document is decoded and compared as data (tuples in a draft became lists).
    """
    if exact_text and stored == _EVIDENCE.to_db_value(new, Finding):
        return True
    data = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return bool(data == new or data == json.loads(json.dumps(new, ensure_ascii=False)))


_EVIDENCE = Finding._meta.fields_map["evidence"]


async def sync_findings(drafts: Sequence[DraftLike], blind_accounts: Iterable[int], now: dt.datetime,
                        grace_accounts: Iterable[int] = (), *, activity_rules: Collection[str],
                        review_rules: Collection[str], known_rules: Collection[str] | None = None) -> SyncResult:
    """Open, refresh and resolve findings to match the drafts; open review cases; one transaction.

    ``activity_rules``: findings of these rules are kept as they are while their account is blind;
    ``review_rules``: findings of these rules open a shutdown review (关停整合);
    ``known_rules``: the rules this program evaluates (None: all); a finding of any other rule (written by
    a newer version sharing the database) is left as it is: not evaluating a rule is not seeing it clear.
    """
    blind, grace = set(blind_accounts), set(grace_accounts)
    result = SyncResult()
    async with in_transaction() as conn:
        exact_text = not is_pg(conn)
        if not exact_text:
            # Two checks at once (the leader's and a user's `govmedia check`) must not both open the same
            # finding, nor deadlock rewriting the same rows in different orders: on PostgreSQL syncs take
            # turns (SQLite's BEGIN IMMEDIATE already makes them), and each reads what the other wrote.
            await conn.execute_query(f"SELECT pg_advisory_xact_lock({SYNC_LOCK})")
        current = {(r["rule"], r["subject"]): r for r in await _open_rows(conn)}
        seen: set[tuple[str, str]] = set()
        new: list[Finding] = []
        changed: list[tuple[int, str, str, str, dict[str, object]]] = []
        touched: list[int] = []
        for d in drafts:
            key = (d.rule, d.subject)
            if key in seen:
                continue
            seen.add(key)
            r = current.get(key)
            if r is None:
                new.append(Finding(rule=d.rule, subject=d.subject, severity=d.severity, state="open",
                                   account_id=d.account_id, unit_id=d.unit_id, first_seen=now, last_seen=now,
                                   summary_zh=d.summary_zh, summary_en=d.summary_en, evidence=d.evidence))
                continue
            ref = FindingRef(r["id"], d.rule, d.subject, d.severity, r["account_id"])
            result.refreshed.append(ref)
            if r["claimed_fixed_at"] is not None:
                # 已整改 was claimed but the condition still holds: reopen the claim.
                evidence = {**d.evidence, "claim_rejected_at": now.isoformat(), "claimed_by": r["claimed_by"]}
                changed.append((r["id"], d.severity, d.summary_zh, d.summary_en, evidence))
                result.claims_rejected.append(ref)
            elif (r["severity"], r["summary_zh"], r["summary_en"]) != (d.severity, d.summary_zh, d.summary_en) or (
                    not _same_evidence(r["evidence"], d.evidence, exact_text)):
                changed.append((r["id"], d.severity, d.summary_zh, d.summary_en, d.evidence))
            else:
                touched.append(r["id"])
        if new:
            await Finding.bulk_create(new, batch_size=500)
            created = {(f["rule"], f["subject"]): f for f in await Finding.filter(state="open", first_seen=now).values(
                "id", "rule", "subject", "severity", "account_id")}
            result.opened = [FindingRef(**created[(f.rule, f.subject)]) for f in new]
        await _rewrite(conn, changed, now)
        if touched:
            m = marks(conn, 2)
            await conn.execute_query(f"UPDATE finding SET last_seen = {m[0]} WHERE {in_ids(conn, 'id', m[1])}",
                                     [now, id_list(conn, touched)])
        for key, r in current.items():
            if key in seen:
                continue
            ref = FindingRef(r["id"], r["rule"], r["subject"], r["severity"], r["account_id"])
            if known_rules is not None and r["rule"] not in known_rules:
                continue
            if r["rule"] in activity_rules and r["account_id"] in blind:
                result.kept_blind.append(ref)
                continue
            result.resolved.append(ref)
            if r["claimed_fixed_at"] is not None:
                result.claims_confirmed.append(ref)
        if result.resolved:
            m = marks(conn, 2)
            await conn.execute_query(
                f"UPDATE finding SET state = 'resolved', resolved_at = {m[0]} WHERE {in_ids(conn, 'id', m[1])}",
                [now, id_list(conn, [f.id for f in result.resolved])])
        result.reviews_opened = await _open_reviews([*result.opened, *result.refreshed], grace, now, review_rules)
    return result


async def _open_rows(conn: Any) -> list[dict[str, Any]]:
    """The open findings, read raw: tortoise's per-row conversion costs more than the query here."""
    _, rows = await conn.execute_query(f"SELECT {', '.join(OPEN_FIELDS)} FROM finding WHERE state = 'open'")
    # Evidence stays raw: `_same_evidence` decodes it only when the text alone cannot decide.
    return [dict(zip(OPEN_FIELDS, r, strict=True)) for r in rows]


async def _rewrite(conn: Any, rows: list[tuple[int, str, str, str, dict[str, object]]], now: dt.datetime) -> None:
    """One prepared UPDATE over every finding whose text or evidence changed."""
    if not rows:
        return
    m = marks(conn, 6)
    # Clearing claimed_fixed_at is right for every row: a rejected claim is reopened, and the
    # other changed rows carry no claim.
    sql = (f"UPDATE finding SET last_seen = {m[0]}, severity = {m[1]}, summary_zh = {m[2]}, "
           f"summary_en = {m[3]}, evidence = {m[4]}, claimed_fixed_at = NULL WHERE id = {m[5]}")
    values = [[now, severity, zh, en, _EVIDENCE.to_db_value(evidence, Finding), fid]
              for fid, severity, zh, en, evidence in rows]
    await conn.execute_many(sql, values)


async def _open_reviews(found: list[FindingRef], grace: set[int], now: dt.datetime,
                        review_rules: Collection[str]) -> list[Review]:
    """One open review case per account whose finding calls for 关停整合 (never one per run)."""
    have = {r["account_id"] for r in await Review.filter(state="open").values("account_id")}
    todo: dict[int, FindingRef] = {}
    for f in found:
        aid = f.account_id
        if f.rule in review_rules and aid is not None and aid not in grace and aid not in have:
            todo.setdefault(aid, f)
    if not todo:
        return []
    await Review.bulk_create([Review(account_id=aid, finding_id=f.id, rule=f.rule, state="open", opened_at=now)
                              for aid, f in todo.items()], batch_size=500)
    ids, out = list(todo), []
    for i in range(0, len(ids), CHUNK):
        out.extend(await Review.filter(state="open", opened_at=now, account_id__in=ids[i:i + CHUNK]))
    return out

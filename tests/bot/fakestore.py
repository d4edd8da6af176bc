"""An in-memory implementation of the bot's storage Protocols (``bot.storage``), for the cycle tests.

It keeps the same contract as the registry's: dedupe keys are unique, the last message per recipient
ignores failed ones, marking ``sending`` counts an attempt, ``sent`` stamps the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.storage import Outcome, Storage


@dataclass
class Finding:
    id: int
    rule: str
    severity: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    account_id: int | None
    summary_zh: str = ""
    summary_en: str = ""
    evidence: dict[str, object] = field(default_factory=dict)
    claimed_fixed: bool = False
    state: str = "open"
    resolved_at: dt.datetime | None = None


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    platform: str
    uid: str
    unit_id: int
    unit_name: str


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str
    wecom_userid: str
    unit_id: int


@dataclass(frozen=True)
class Row:
    finding: Finding
    account: Account | None
    contacts: list[Person]


@dataclass
class Note:
    """An outbox row / notification-log entry."""

    id: int
    channel: str
    recipient: str
    kind: str
    dedupe_key: str
    fingerprint: str
    finding_ids: list[int]
    payload: dict[str, Any]
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    state: str = "pending"
    attempts: int = 0
    last_error: str = ""
    sent_at: dt.datetime | None = None


@dataclass(frozen=True)
class SilenceRow:
    id: int
    account_id: int | None
    unit_id: int | None
    rule: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str
    author: str
    reason: str


@dataclass(frozen=True)
class Last:
    id: int
    fingerprint: str
    created_at: dt.datetime


class FakeStore:
    """Findings, accounts, contacts, silences and the outbox in lists; one object implements every Protocol."""

    def __init__(self) -> None:
        self.findings: dict[int, Finding] = {}
        self.accounts: dict[int, Account] = {}
        self.contacts: dict[int, list[Person]] = {}
        self.silences: list[SilenceRow] = []
        self.notes: list[Note] = []
        self.inbound: list[tuple[str, str, str]] = []

    # builders ---------------------------------------------------------------
    def account(self, name: str, unit: str, op: str, head: str) -> int:
        """Add an account of its own unit with an operator and a head; return its id."""
        aid = len(self.accounts) + 1
        self.accounts[aid] = Account(aid, name, "wechat", f"gh_{aid:012x}", 100 + aid, unit)
        self.contacts[aid] = [Person(10 * aid, f"{name}负责人", "head", head, 100 + aid),
                              Person(10 * aid + 1, f"{name}运维", "operator", op, 100 + aid)]
        return aid

    def finding(self, account_id: int | None, rule: str, severity: str, first_seen: dt.datetime) -> Finding:
        """Open a finding."""
        f = Finding(len(self.findings) + 1, rule, severity, first_seen, first_seen, account_id, f"{rule}情况")
        self.findings[f.id] = f
        return f

    def resolve(self, f: Finding, at: dt.datetime) -> None:
        f.state, f.resolved_at = "resolved", at

    def storage(self) -> Storage:
        return Storage(alerts=self, silences=self, log=self, outbox=self, replies=self)

    def _row(self, f: Finding, contacts: bool) -> Row:
        a = self.accounts.get(f.account_id) if f.account_id is not None else None
        return Row(f, a, list(self.contacts.get(a.id, [])) if a and contacts else [])

    # AlertSource ------------------------------------------------------------
    async def open_alert_rows(self) -> list[Row]:
        return [self._row(f, True) for f in self.findings.values() if f.state == "open"]

    async def resolved_since(self, since: dt.datetime) -> list[Row]:
        return [self._row(f, False) for f in self.findings.values()
                if f.state == "resolved" and f.resolved_at is not None and f.resolved_at >= since]

    async def unit_alert_rows(self, unit_ids: list[int] | None, account_name: str | None = None) -> list[Row]:
        rows = [self._row(f, False) for f in self.findings.values() if f.state == "open" and f.account_id is not None]
        return [r for r in rows if r.account is not None and (unit_ids is None or r.account.unit_id in unit_ids)
                and (not account_name or account_name in r.account.name)]

    # Silences ---------------------------------------------------------------
    async def silence_rows(self, states: tuple[str, ...] = ("active",)) -> list[SilenceRow]:
        return [s for s in reversed(self.silences) if s.state in states]

    async def add_silence(self, *, account_id: int | None, unit_id: int | None, rule: str | None,
                          starts: dt.datetime, ends: dt.datetime, author: str, reason: str, state: str) -> SilenceRow:
        s = SilenceRow(len(self.silences) + 1, account_id, unit_id, rule, starts, ends, state, author, reason)
        self.silences.append(s)
        return s

    # NotificationLog --------------------------------------------------------
    async def last_sent_all(self, kinds: tuple[str, ...] = ("alert", "repeat")) -> dict[str, Last]:
        out: dict[str, Note] = {}
        for n in self.notes:
            if n.kind in kinds and n.state != "failed":
                best = out.get(n.recipient)
                if best is None or (n.created_at, n.id) > (best.created_at, best.id):
                    out[n.recipient] = n
        return {k: Last(n.id, n.fingerprint, n.created_at) for k, n in out.items()}

    async def told_since(self, since: dt.datetime) -> dict[str, tuple[dict[str, Any], set[int]]]:
        out: dict[str, tuple[dict[str, Any], set[int]]] = {}
        for n in sorted(self.notes, key=lambda n: n.id):
            if n.kind in ("alert", "repeat") and n.created_at >= since:
                ids = out[n.recipient][1] if n.recipient in out else set()
                out[n.recipient] = (dict(n.payload["recipient"]), ids | set(n.finding_ids))
        return out

    # Outbox -----------------------------------------------------------------
    async def write(self, rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
        seen = {n.dedupe_key for n in self.notes}
        new = 0
        for r in rows:
            if r["dedupe_key"] in seen:
                continue
            seen.add(r["dedupe_key"])
            fields = {k: v for k, v in r.items() if k != "not_before"}
            self.notes.append(Note(id=len(self.notes) + 1, created_at=now, next_attempt_at=r.get("not_before") or now,
                                   **fields))
            new += 1
        return new

    async def due(self, now: dt.datetime, limit: int = 500) -> list[Note]:
        found = [n for n in self.notes if n.state in ("pending", "sending") and n.next_attempt_at <= now]
        # Copies: the sender must not rely on the outbox changing the rows it handed out.
        return [Note(**vars(n)) for n in sorted(found, key=lambda n: (n.next_attempt_at, n.id))[:limit]]

    async def advance(self, done: Sequence[Outcome], sending: int | None, now: dt.datetime) -> None:
        changes = list(done) + ([Outcome(sending, "sending")] if sending is not None else [])
        by_id = {n.id: n for n in self.notes}
        for o in changes:
            n = by_id[o.id]
            n.state = o.state
            n.attempts += o.state == "sending"
            if o.state == "sent":
                n.sent_at = now
            if o.error:
                n.last_error = o.error[:1000]
            if o.retry_at is not None:
                n.next_attempt_at = o.retry_at

    # Replies ----------------------------------------------------------------
    async def person_by_wecom(self, userid: str) -> Person | None:
        return next((p for ps in self.contacts.values() for p in ps if p.wecom_userid == userid.lower()), None)

    async def claim_fixed(self, finding_id: int, userid: str, now: dt.datetime) -> None:
        self.findings[finding_id].claimed_fixed = True

    async def record_inbound(self, msg_id: str, userid: str, content: str, reply: str, now: dt.datetime) -> None:
        self.inbound.append((userid, content, reply))

"""Storage for the warning pipeline: open findings with contacts, silences, the outbox and replies.

Outbox contract: a message is written (unique dedupe key) before it is sent; sending marks it
``sending`` first, then ``sent``, ``pending`` (retry later) or ``failed``. A row left in ``sending``
by a crash is sent again on the next run (WeCom's duplicate check drops the copy of an app message).
A cycle's messages are written in one transaction (`write`); each message's outcome is recorded in
the commit that marks the next one ``sending`` (`advance`), so at most one message is ever in doubt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from tortoise.models import Model
from tortoise.transactions import in_transaction

from registry.db.models import Account, Finding, InboundMessage, Notification, Person, Silence, Unit
from registry.db.rawsql import marks
from registry.ledger import audit

MAX_ATTEMPTS = 5
# Ids per ``IN`` list: far below PostgreSQL's 32,767 parameters per statement.
CHUNK = 5000
# Rows per INSERT statement of the outbox (each row binds 13 values).
BULK_BATCH = 500


class AccountFacts(NamedTuple):
    """The account and unit facts a message names."""

    id: int
    name: str
    platform: str
    uid: str
    unit_id: int
    unit_name: str


class ContactFacts(NamedTuple):
    """A contact person of an account."""

    id: int
    name: str
    role: str
    wecom_userid: str


@dataclass(frozen=True)
class AlertRow:
    """An open finding with the account, unit and contact facts a message needs."""

    finding: Finding
    account: AccountFacts | None
    contacts: list[ContactFacts]

    @classmethod
    def of(cls, finding: Finding) -> AlertRow:
        """The row of a finding whose account and unit are loaded, without contacts."""
        a: Account | None = finding.account
        facts = AccountFacts(a.id, a.name, a.platform, a.uid, a.unit.id, a.unit.name) if a is not None else None
        return cls(finding, facts, [])


def _fk_id(instance: Model, field: str) -> int | None:
    """The raw id column of a foreign key (``<field>_id``), which tortoise does not type."""
    value: int | None = getattr(instance, f"{field}_id")
    return value


async def _load_fk(instances: Sequence[Model], field: str, model: type[Model]) -> None:
    """Attach a foreign key's related rows to instances: one ``id IN`` query per 5,000 ids.

    Replaces ``prefetch_related`` of foreign keys, whose tortoise 1.1.9 implementation checks each
    id against a list and so grows as instances × distinct ids (8 s for 35k findings).
    """
    ids = list({i for i in (_fk_id(x, field) for x in instances) if i is not None})
    related: dict[int, Model] = {}
    for start in range(0, len(ids), CHUNK):
        related.update((r.pk, r) for r in await model.filter(id__in=ids[start:start + CHUNK]))
    for x in instances:
        key = _fk_id(x, field)
        setattr(x, field, related.get(key) if key is not None else None)


async def _with_accounts(findings: Sequence[Finding]) -> None:
    """Attach each finding's account with its unit."""
    await _load_fk(findings, "account", Account)
    await _load_fk(list({a.id: a for a in (f.account for f in findings) if a is not None}.values()), "unit", Unit)


async def _by_id(model: type[Model], ids: list[int], *fields: str) -> dict[int, dict[str, Any]]:
    """``values()`` rows of a model by id, one query per CHUNK ids."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        out.update((r["id"], r) for r in await model.filter(id__in=ids[start:start + CHUNK]).values("id", *fields))
    return out


async def open_alert_rows() -> list[AlertRow]:
    """Open findings with their account, unit and the account's head and operator."""
    findings = await Finding.filter(state="open").order_by("id")
    # Plain values of accounts (joined with their unit) and people: at 35k findings, model instances
    # and attaching them cost more than the rest of the planning.
    account_ids = [_fk_id(f, "account") for f in findings]
    accounts = await _by_id(Account, list({i for i in account_ids if i is not None}),
                            "name", "platform", "uid", "unit_id", "unit__name", "head_id", "operator_id")
    people = await _by_id(Person, list({p for a in accounts.values() for p in (a["head_id"], a["operator_id"])
                                        if p is not None}), "name", "role", "wecom_userid")
    facts: dict[int, tuple[AccountFacts, list[ContactFacts]]] = {}
    for a in accounts.values():
        contacts = [ContactFacts(p["id"], p["name"], p["role"], p["wecom_userid"])
                    for p in (people.get(a["head_id"]), people.get(a["operator_id"])) if p is not None]
        facts[a["id"]] = (AccountFacts(a["id"], a["name"], a["platform"], a["uid"], a["unit_id"], a["unit__name"]),
                          contacts)
    rows = []
    for f, account_id in zip(findings, account_ids, strict=True):
        found = facts.get(account_id) if account_id is not None else None
        rows.append(AlertRow(f, found[0], found[1]) if found else AlertRow(f, None, []))
    return rows


async def resolved_since(since: dt.datetime) -> list[Finding]:
    """Findings resolved after a moment, with account and unit."""
    findings = await Finding.filter(state="resolved", resolved_at__gte=since)
    await _with_accounts(findings)
    return findings


async def silences(states: tuple[str, ...] = ("active",)) -> list[Silence]:
    """Silences in the given states."""
    found = await Silence.filter(state__in=list(states)).order_by("-id")
    await _load_fk(found, "account", Account)
    await _load_fk(found, "unit", Unit)
    return found


class LastSent(NamedTuple):
    """The facts of a recipient's latest alert/repeat message that dedup and repeat need."""

    id: int
    fingerprint: str
    created_at: dt.datetime


async def last_sent_all(kinds: tuple[str, ...] = ("alert", "repeat")) -> dict[str, LastSent]:
    """Each recipient's latest written message of these kinds (any state but failed), by recipient key.

    One window query for all recipients instead of one query per recipient.
    """
    db = Notification._meta.db
    kind_marks = ", ".join(marks(db, len(kinds)))
    table = Notification._meta.db_table
    # Newest created_at first, then the highest id (the last part of a split message).
    sql = (f'SELECT "id" FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "recipient" ORDER BY "created_at" DESC,'
           f' "id" DESC) AS rn FROM "{table}" WHERE "kind" IN ({kind_marks}) AND "state" <> \'failed\') AS latest'
           f" WHERE rn = 1")
    _, rows = await db.execute_query(sql, list(kinds))
    ids = [int(r["id"]) for r in rows]
    out: dict[str, LastSent] = {}
    for start in range(0, len(ids), CHUNK):
        for n in await Notification.filter(id__in=ids[start:start + CHUNK]).values(
                "id", "recipient", "fingerprint", "created_at"):
            out[n["recipient"]] = LastSent(n["id"], n["fingerprint"], n["created_at"])
    return out


async def write(rows: list[dict[str, Any]], now: dt.datetime) -> int:
    """Write a cycle's messages to the outbox, all or none; a dedupe key already present is skipped.

    One transaction: a crash half-way must not leave the first part of a split message alone, which
    the next cycle would take for "already told" (same fingerprint) and never complete. Return how
    many were new.
    """
    async with in_transaction():
        keys = list(dict.fromkeys(str(r["dedupe_key"]) for r in rows))
        seen: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            found = await Notification.filter(dedupe_key__in=keys[start:start + CHUNK]).values_list(
                "dedupe_key", flat=True)
            seen.update(str(k) for k in found)
        new = []
        for row in rows:
            if row["dedupe_key"] in seen:
                continue
            seen.add(row["dedupe_key"])
            fields = {k: v for k, v in row.items() if k != "not_before"}
            new.append(Notification(created_at=now, next_attempt_at=row.get("not_before") or now, **fields))
        # ignore_conflicts: a key another process wrote since the SELECT above is skipped, not an error.
        await Notification.bulk_create(new, batch_size=BULK_BATCH, ignore_conflicts=True)
    return len(new)


async def due(now: dt.datetime, limit: int = 500) -> list[Notification]:
    """Messages to send now: pending and due, or left in ``sending`` by a crashed run."""
    return await Notification.filter(state__in=["pending", "sending"], next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id").limit(limit)


def _apply(n: Notification, state: str, now: dt.datetime, error: str, retry_at: dt.datetime | None) -> None:
    n.state = state
    if state == "sending":
        n.attempts += 1
    if state == "sent":
        n.sent_at = now
    if error:
        n.last_error = error[:1000]
    if retry_at is not None:
        n.next_attempt_at = retry_at


_MARKED = ["state", "attempts", "sent_at", "last_error", "next_attempt_at"]


@dataclass(frozen=True)
class Outcome:
    """How sending a message ended: its next state, the error to keep and when to retry."""

    n: Notification
    state: str
    error: str = ""
    retry_at: dt.datetime | None = None


async def advance(done: Sequence[Outcome], sending: Notification | None, now: dt.datetime) -> None:
    """Record the outcomes of messages already sent and mark the next one ``sending``, in one commit.

    Sending still marks each message ``sending`` durably before it goes out, and a message sent but
    not yet recorded stays ``sending`` until this commit, so a crash resends exactly the message in
    flight, as with one commit per state change, at half the commits.
    """
    changes = [(o.n, o.state, o.error, o.retry_at) for o in done]
    if sending is not None:
        changes.append((sending, "sending", "", None))
    rows = []
    for n, state, error, retry_at in changes:
        _apply(n, state, now, error, retry_at)
        rows.append([n.state, n.attempts, n.sent_at, n.last_error, n.next_attempt_at, n.id])
    if not rows:
        return
    db = Notification._meta.db
    *column_marks, id_mark = marks(db, len(_MARKED) + 1)
    sets = ", ".join(f'"{column}" = {mark}' for column, mark in zip(_MARKED, column_marks, strict=True))
    sql = f'UPDATE "{Notification._meta.db_table}" SET {sets} WHERE "id" = {id_mark}'
    if len(rows) == 1:  # the first or the last message of a batch: one statement, no transaction
        await db.execute_query(sql, rows[0])
    else:  # one transaction (execute_many is atomic on both backends), one commit
        await db.execute_many(sql, rows)


async def told_since(since: dt.datetime) -> dict[str, tuple[dict[str, Any], set[int]]]:
    """Per recipient key: its recipient (from its latest alert) and every finding id alerted since ``since``.

    Every alert counts, not the newest few: a province writes thousands of alerts a day, and a
    recipient missing here would never hear that its findings were resolved.
    """
    ids: dict[str, set[int]] = {}
    latest: dict[str, int] = {}
    for r in await Notification.filter(kind__in=["alert", "repeat"], created_at__gte=since).values(
            "id", "recipient", "finding_ids"):
        ids.setdefault(r["recipient"], set()).update(r["finding_ids"] or [])
        latest[r["recipient"]] = max(latest.get(r["recipient"], 0), r["id"])
    wanted = list(latest.values())
    out: dict[str, tuple[dict[str, Any], set[int]]] = {}
    for i in range(0, len(wanted), CHUNK):
        for r in await Notification.filter(id__in=wanted[i:i + CHUNK]).values("recipient", "payload"):
            out[r["recipient"]] = (dict(r["payload"]["recipient"]), ids[r["recipient"]])
    return out


async def notification_log(limit: int = 100, recipient: str | None = None) -> list[Notification]:
    """The newest messages."""
    query = Notification.all()
    if recipient:
        query = query.filter(recipient__icontains=recipient)
    return await query.order_by("-created_at", "-id").limit(limit)


async def person_by_wecom(userid: str) -> Person | None:
    """The registered contact with this WeCom userid (case-insensitive)."""
    return await Person.filter(wecom_userid=userid.lower()).prefetch_related("unit").first()


async def unit_findings(unit_ids: list[int] | None, account_name: str | None = None) -> list[Finding]:
    """Open findings of accounts of some units (None: all units), optionally one account by name."""
    query = Finding.filter(state="open", account_id__isnull=False)
    if unit_ids is not None:
        query = query.filter(account__unit_id__in=unit_ids)
    if account_name:
        query = query.filter(account__name__icontains=account_name)
    found = await query.order_by("id")
    await _with_accounts(found)
    return found


async def claim_fixed(finding_id: int, userid: str, now: dt.datetime) -> Finding:
    """Mark a finding claimed-fixed (the next check confirms or reopens it)."""
    f = await Finding.get(id=finding_id)
    f.claimed_fixed_at, f.claimed_by = now, userid
    await f.save(update_fields=["claimed_fixed_at", "claimed_by"])
    await audit.record(actor=f"wecom:{userid}", entity="finding", entity_id=f.id, ref=f"finding:{f.id}",
                       action="claim_fixed")
    return f


async def add_silence(*, account: Account | None, unit: Unit | None, rule: str | None, starts: dt.datetime,
                      ends: dt.datetime, author: str, reason: str, state: str) -> Silence:
    """Create an exemption (pending ones wait for the county office's approval)."""
    s = await Silence.create(account=account, unit=unit, rule=rule, starts_at=starts, ends_at=ends, state=state,
                             author=author, reason=reason)
    await audit.record(actor=author, entity="silence", entity_id=s.id, ref=f"silence:{s.id}", action="create",
                       changes={"state": (None, state), "until": (None, ends)}, note=reason)
    return s


async def set_silence_state(silence_id: int, state: str, actor: str) -> Silence:
    """Approve or expire an exemption."""
    s = await Silence.get(id=silence_id)
    before = s.state
    s.state = state
    if state == "active":
        s.approved_by = actor
    await s.save(update_fields=["state", "approved_by"])
    await audit.record(actor=actor, entity="silence", entity_id=s.id, ref=f"silence:{s.id}", action=state,
                       changes={"state": (before, state)})
    return s


async def record_inbound(msg_id: str, userid: str, content: str, reply: str, now: dt.datetime) -> None:
    """Keep a received command and the reply given (filling in the row `claim_inbound` made, if any)."""
    updated = await InboundMessage.filter(msg_id=msg_id).update(from_user=userid[:64], content=content[:2000],
                                                                 reply=reply[:2000])
    if not updated:
        await InboundMessage.create(msg_id=msg_id, from_user=userid[:64], content=content[:2000], received_at=now,
                                    reply=reply[:2000])


async def claim_inbound(msg_id: str, userid: str, now: dt.datetime) -> bool:
    """Record that a message arrived, before handling it; False when its id is already on record (a replay)."""
    from tortoise.exceptions import IntegrityError

    if await InboundMessage.filter(msg_id=msg_id).exists():
        return False
    try:
        await InboundMessage.create(msg_id=msg_id, from_user=userid[:64], content="", received_at=now, reply="")
    except IntegrityError:  # another worker claimed it between the two statements
        return False
    return True

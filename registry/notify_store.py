"""Storage for the warning pipeline: open findings with contacts, silences, the outbox and replies.

Outbox contract: a message is written (unique dedupe key) before it is sent; sending marks it
``sending`` first, then ``sent``, ``pending`` (retry later) or ``failed``. A row left in ``sending``
by a crash is sent again on the next run (WeCom's duplicate check drops the copy of an app message).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from registry import audit
from registry.models import Account, Finding, InboundMessage, Notification, Person, Silence, Unit

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class AlertRow:
    """An open finding with the account, unit and contact facts a message needs."""

    finding: Finding
    account: Account | None
    contacts: list[Person]


async def open_alert_rows() -> list[AlertRow]:
    """Open findings with their account, unit and the account's head and operator."""
    rows = []
    for f in await Finding.filter(state="open").prefetch_related("account__unit", "account__head",
                                                                  "account__operator").order_by("id"):
        account: Account | None = f.account
        people = [p for p in ((account.head, account.operator) if account else ()) if p is not None]
        rows.append(AlertRow(f, account, people))
    return rows


async def resolved_since(since: dt.datetime) -> list[Finding]:
    """Findings resolved after a moment, with account and unit."""
    return await Finding.filter(state="resolved", resolved_at__gte=since).prefetch_related("account__unit")


async def silences(states: tuple[str, ...] = ("active",)) -> list[Silence]:
    """Silences in the given states."""
    return await Silence.filter(state__in=list(states)).prefetch_related("account", "unit").order_by("-id")


async def last_sent(recipient: str, kinds: tuple[str, ...] = ("alert", "repeat")) -> Notification | None:
    """The latest written alert/repeat message for a recipient (any state but failed)."""
    return await Notification.filter(recipient=recipient, kind__in=list(kinds)).exclude(state="failed").order_by(
        "-created_at", "-id").first()


async def write(rows: list[dict[str, Any]], now: dt.datetime) -> int:
    """Write a cycle's messages to the outbox, all or none; a dedupe key already present is skipped.

    One transaction: a crash half-way must not leave the first part of a split message alone, which
    the next cycle would take for "already told" (same fingerprint) and never complete. Return how
    many were new.
    """
    new = 0
    async with in_transaction():
        for row in rows:
            try:
                async with in_transaction():  # a savepoint: a duplicate key undoes only its own row
                    await Notification.create(created_at=now, next_attempt_at=row.pop("not_before", None) or now,
                                              **row)
                new += 1
            except IntegrityError:
                continue
    return new


async def due(now: dt.datetime, limit: int = 500) -> list[Notification]:
    """Messages to send now: pending and due, or left in ``sending`` by a crashed run."""
    return await Notification.filter(state__in=["pending", "sending"], next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id").limit(limit)


async def mark(n: Notification, state: str, *, now: dt.datetime, error: str = "",
               retry_at: dt.datetime | None = None) -> None:
    """Move a message through its states."""
    n.state = state
    if state == "sending":
        n.attempts += 1
    if state == "sent":
        n.sent_at = now
    if error:
        n.last_error = error[:1000]
    if retry_at is not None:
        n.next_attempt_at = retry_at
    await n.save(update_fields=["state", "attempts", "sent_at", "last_error", "next_attempt_at"])


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
    query = Finding.filter(state="open", account_id__isnull=False).prefetch_related("account__unit")
    if unit_ids is not None:
        query = query.filter(account__unit_id__in=unit_ids)
    if account_name:
        query = query.filter(account__name__icontains=account_name)
    return await query.order_by("id")


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
    """Keep a received command and the reply given."""
    await InboundMessage.create(msg_id=msg_id, from_user=userid, content=content[:2000], received_at=now,
                                reply=reply[:2000])

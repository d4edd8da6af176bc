"""The outbox: messages written before they are sent, then marked as sending goes.

Contract: a message is written (unique dedupe key) before it is sent; sending marks it ``sending``
first, then ``sent``, ``pending`` (retry later) or ``failed``. A row left in ``sending`` by a crash
is sent again on the next run (WeCom's duplicate check drops the copy of an app message). A cycle's
messages are written in one transaction (`write`); each message's outcome is recorded in the commit
that marks the next one ``sending`` (`advance`), so at most one message is ever in doubt. How many
attempts a message gets is the sender's policy, not the outbox's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from tortoise.transactions import in_transaction

from registry.db.models import Notification
from registry.db.rawsql import marks
from registry.notify.rows import CHUNK

# Rows per INSERT statement of the outbox (each row binds 13 values).
BULK_BATCH = 500


class OutboxRow(NamedTuple):
    """A message waiting in the outbox, with the attempts made so far."""

    id: int
    channel: str
    kind: str
    fingerprint: str
    finding_ids: list[int]
    payload: dict[str, Any]
    attempts: int


async def write(rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
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


async def due(now: dt.datetime, limit: int = 500) -> list[OutboxRow]:
    """Messages to send now: pending and due, or left in ``sending`` by a crashed run."""
    return [OutboxRow(**r) for r in await Notification.filter(
        state__in=["pending", "sending"], next_attempt_at__lte=now).order_by("next_attempt_at", "id").limit(
        limit).values(*OutboxRow._fields)]


# Marking ``sending`` counts an attempt; ``sent`` stamps the time; an error or a retry time is kept
# only when given. One statement shape for every change, so a batch goes in one execute_many.
_ADVANCE = ('UPDATE "{table}" SET "state" = {0}, "attempts" = "attempts" + {1}, "sent_at" = COALESCE({2}, "sent_at"),'
            ' "last_error" = COALESCE({3}, "last_error"), "next_attempt_at" = COALESCE({4}, "next_attempt_at")'
            ' WHERE "id" = {5}')


async def advance(done: Sequence[tuple[int, str, str, dt.datetime | None]], sending: int | None,
                  now: dt.datetime) -> None:
    """Record outcomes (id, state, error, retry at) of messages sent and mark the next one ``sending``, in one commit.

    Sending still marks each message ``sending`` durably before it goes out, and a message sent but
    not yet recorded stays ``sending`` until this commit, so a crash resends exactly the message in
    flight, as with one commit per state change, at half the commits.
    """
    changes = list(done)
    if sending is not None:
        changes.append((sending, "sending", "", None))
    if not changes:
        return
    rows = [[state, 1 if state == "sending" else 0, now if state == "sent" else None, error[:1000] or None, retry_at,
             ident] for ident, state, error, retry_at in changes]
    db = Notification._meta.db
    sql = _ADVANCE.format(*marks(db, 6), table=Notification._meta.db_table)
    if len(rows) == 1:  # the first or the last message of a batch: one statement, no transaction
        await db.execute_query(sql, rows[0])
    else:  # one transaction (execute_many is atomic on both backends), one commit
        await db.execute_many(sql, rows)

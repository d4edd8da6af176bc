"""The notification log read back: each recipient's last message, what each was told, the history."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from registry.db.models import Notification
from registry.db.rawsql import marks
from registry.notify.rows import CHUNK


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

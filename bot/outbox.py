"""Sending what the outbox holds: messages to rows and back, and the retry policy (backoff, attempts).

The outbox (storage) only records states; how often and how long to retry is decided here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.model import Message, Recipient
from bot.notifier import Notifier
from bot.storage import Outbox, OutboxRecord, Outcome
from registry.config.killpoint import killpoint

#: Minutes to wait before the 2nd, 3rd, ... attempt when the channel gives no Retry-After.
BACKOFF_MINUTES = (1, 5, 30, 120)
#: Attempts a message gets before a transient failure counts as final.
MAX_ATTEMPTS = 5


@dataclass
class CycleResult:
    """What one cycle did."""

    planned: list[tuple[Message, dt.datetime | None]] = field(default_factory=list)
    written: int = 0
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)
    retrying: list[tuple[Message, str]] = field(default_factory=list)
    invalid_users: list[str] = field(default_factory=list)
    silenced: int = 0
    inhibited: int = 0


def payload(m: Message) -> dict[str, Any]:
    """The stored form of a message (everything but its outbox columns)."""
    r = m.recipient
    return {"recipient": {"kind": r.kind, "person_id": r.person_id, "name": r.name, "wecom_userid": r.wecom_userid,
                          "unit_id": r.unit_id, "robot_key_name": r.robot_key_name},
            "title": m.title, "body": m.body, "msgtype": m.msgtype, "part": m.part, "parts": m.parts, "url": m.url}


def outbox_row(m: Message, dedupe_key: str, kind: str | None = None, not_before: dt.datetime | None = None,
               ) -> dict[str, Any]:
    """The outbox row of a message under a dedupe key."""
    return {"channel": m.channel, "recipient": m.recipient.key, "kind": kind or m.kind, "dedupe_key": dedupe_key[:128],
            "fingerprint": m.fingerprint, "finding_ids": list(m.finding_ids), "payload": payload(m),
            "not_before": not_before}


def message_from(n: OutboxRecord) -> Message:
    """Rebuild a Message from an outbox row."""
    p = n.payload
    return Message(channel=n.channel, recipient=Recipient(**p["recipient"]), kind=n.kind,  # type: ignore[arg-type]
                   title=p["title"], body=p["body"], msgtype=p["msgtype"], finding_ids=tuple(n.finding_ids),
                   fingerprint=n.fingerprint, part=p["part"], parts=p["parts"], url=p.get("url", ""))


async def send_due(now: dt.datetime, notifiers: Mapping[str, Notifier], result: CycleResult, outbox: Outbox,
                   *, max_attempts: int = MAX_ATTEMPTS) -> None:
    """Send every due outbox message, with retries and backoff for transient failures."""
    seen: set[int] = set()
    while True:
        batch = [n for n in await outbox.due(now) if n.id not in seen]
        if not batch:
            return
        seen.update(n.id for n in batch)
        await _send_batch(batch, now, notifiers, result, outbox, max_attempts)


async def _send_batch(batch: list[OutboxRecord], now: dt.datetime, notifiers: Mapping[str, Notifier],
                      result: CycleResult, outbox: Outbox, max_attempts: int) -> None:
    # Each message's outcome is recorded in the same commit that marks the next one "sending".
    done: list[Outcome] = []
    for n in batch:
        message = message_from(n)
        notifier = notifiers.get(n.channel)
        if notifier is None:
            done.append(Outcome(n.id, "failed", f"no notifier for channel {n.channel}"))
            result.failed.append((message, "no channel"))
            continue
        await outbox.advance(done, n.id, now)
        done = []
        attempts = n.attempts + 1  # marking it "sending" counted this attempt
        killpoint("notify.sending")
        sent = await notifier.send(message)
        killpoint("notify.sent")
        if sent.ok:
            note = f"invalid users: {', '.join(sent.invalid_users)}" if sent.invalid_users else ""
            done.append(Outcome(n.id, "sent", note))
            result.sent.append(message)
            result.invalid_users.extend(sent.invalid_users)
        elif sent.retryable and attempts < max_attempts:
            wait = sent.retry_after or BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1] * 60
            done.append(Outcome(n.id, "pending", sent.error, now + dt.timedelta(seconds=wait)))
            result.retrying.append((message, sent.error))
        else:
            done.append(Outcome(n.id, "failed", sent.error))
            result.failed.append((message, sent.error))
    await outbox.advance(done, None, now)

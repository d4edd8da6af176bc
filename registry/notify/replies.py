"""What answering a contact's WeCom command reads and writes: who they are, claims, the inbound log."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from registry.db.models import Finding, InboundMessage, Person
from registry.ledger import audit


class PersonFacts(NamedTuple):
    """A registered contact and the unit it belongs to."""

    id: int
    name: str
    unit_id: int


async def person_by_wecom(userid: str) -> PersonFacts | None:
    """The registered contact with this WeCom userid (case-insensitive)."""
    found = await Person.filter(wecom_userid=userid.lower()).order_by("id").first().values("id", "name", "unit_id")
    return PersonFacts(found["id"], found["name"], found["unit_id"]) if found else None


async def claim_fixed(finding_id: int, userid: str, now: dt.datetime, *, actor: str | None = None) -> None:
    """Mark a finding claimed-fixed (the next check confirms or reopens it); ``actor`` for the audit trail
    defaults to the WeCom user (the web console passes its own user)."""
    f = await Finding.get(id=finding_id)
    f.claimed_fixed_at, f.claimed_by = now, userid[:64]
    await f.save(update_fields=["claimed_fixed_at", "claimed_by"])
    await audit.record(actor=actor or f"wecom:{userid}", entity="finding", entity_id=f.id, ref=f"finding:{f.id}",
                       action="claim_fixed")


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

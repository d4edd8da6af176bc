"""Silences (豁免): listing, creating and approving or expiring exemptions, each change audited."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from registry.db.models import Account, Silence, Unit
from registry.ledger import audit
from registry.notify.rows import load_fk


class SilenceFacts(NamedTuple):
    """A silence's matchers, validity window, state, author and reason."""

    id: int
    account_id: int | None
    unit_id: int | None
    rule: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str
    author: str
    reason: str


async def silences(states: tuple[str, ...] = ("active",)) -> list[Silence]:
    """Silences in the given states, newest first, with their account and unit (for listings)."""
    found = await Silence.filter(state__in=list(states)).order_by("-id")
    await load_fk(found, "account", Account)
    await load_fk(found, "unit", Unit)
    return found


async def silence_rows(states: tuple[str, ...] = ("active",)) -> list[SilenceFacts]:
    """Silences in the given states, newest first, as plain values (for matching)."""
    return [SilenceFacts(**r) for r in await Silence.filter(state__in=list(states)).order_by("-id").values(
        *SilenceFacts._fields)]


async def add_silence(*, account_id: int | None, unit_id: int | None, rule: str | None, starts: dt.datetime,
                      ends: dt.datetime, author: str, reason: str, state: str) -> Silence:
    """Create an exemption (pending ones wait for the county office's approval)."""
    s = await Silence.create(account_id=account_id, unit_id=unit_id, rule=rule, starts_at=starts, ends_at=ends,
                             state=state, author=author, reason=reason)
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

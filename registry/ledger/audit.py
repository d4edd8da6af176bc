"""The audit trail: every change to the registry is recorded with actor, time, before and after."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Mapping

from tortoise import timezone

from registry.db.models import AuditEvent


def default_actor() -> str:
    """The OS user running the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


async def record(
    *,
    actor: str,
    entity: str,
    entity_id: int,
    ref: str,
    action: str,
    changes: Mapping[str, tuple[object, object]] | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Write one audit event; changes map a field to (before, after)."""
    return await AuditEvent.create(
        at=at or timezone.now(),
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        ref=ref,
        action=action,
        changes={k: [_plain(b), _plain(a)] for k, (b, a) in (changes or {}).items()},
        note=note,
    )


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


async def history(entity: str, entity_id: int) -> list[AuditEvent]:
    """Events of one entity, oldest first."""
    return await AuditEvent.filter(entity=entity, entity_id=entity_id).order_by("at", "id")

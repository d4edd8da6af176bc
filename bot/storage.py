"""The storage the warning pipeline needs, declared by the bot (as Alertmanager's notify declares
``NotificationLog``): alert rows, silences, the notification log, the outbox and replies.

The registry implements these structurally (its ``registry.notify`` modules satisfy them as they are);
the composition root passes them in, and the tests pass an in-memory fake. Rows are read-only plain
values: the bot never sees an ORM instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


class FindingRecord(Protocol):
    """The facts of a finding a message states."""

    @property
    def id(self) -> int: ...
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def first_seen(self) -> dt.datetime: ...
    @property
    def last_seen(self) -> dt.datetime: ...
    @property
    def summary_zh(self) -> str: ...
    @property
    def summary_en(self) -> str: ...
    @property
    def evidence(self) -> Mapping[str, object]: ...
    @property
    def claimed_fixed(self) -> bool: ...


class AccountRecord(Protocol):
    """The account and unit a finding is about."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def uid(self) -> str: ...
    @property
    def unit_id(self) -> int: ...
    @property
    def unit_name(self) -> str: ...


class ContactRecord(Protocol):
    """A contact person of an account (head or operator)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def wecom_userid(self) -> str: ...


class AlertRecord(Protocol):
    """A finding with its account (None when it is about no account) and the account's contacts."""

    @property
    def finding(self) -> FindingRecord: ...
    @property
    def account(self) -> AccountRecord | None: ...
    @property
    def contacts(self) -> Sequence[ContactRecord]: ...


class SilenceRecord(Protocol):
    """A stored exemption."""

    @property
    def id(self) -> int: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def rule(self) -> str | None: ...
    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def ends_at(self) -> dt.datetime: ...
    @property
    def state(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def reason(self) -> str: ...


class Created(Protocol):
    """A row just created: its id."""

    @property
    def id(self) -> int: ...


class LastMessage(Protocol):
    """A recipient's latest alert or repeat message, as dedup and repeat need it."""

    @property
    def id(self) -> int: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...


class OutboxRecord(Protocol):
    """A message waiting in the outbox, with the attempts made so far."""

    @property
    def id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def finding_ids(self) -> Sequence[int]: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def attempts(self) -> int: ...


class PersonRecord(Protocol):
    """A registered contact and the unit it belongs to."""

    @property
    def id(self) -> int: ...
    @property
    def unit_id(self) -> int: ...


class Outcome(NamedTuple):
    """How sending a message ended: the outbox row, its next state, the error to keep and when to retry."""

    id: int
    state: str
    error: str = ""
    retry_at: dt.datetime | None = None


class AlertSource(Protocol):
    """Findings as alert rows."""

    async def open_alert_rows(self) -> Sequence[AlertRecord]:
        """Open findings with account, unit and contacts."""
    async def resolved_since(self, since: dt.datetime) -> Sequence[AlertRecord]:
        """Findings resolved after a moment, with account and unit."""
    async def unit_alert_rows(self, unit_ids: list[int] | None,
                              account_name: str | None = None) -> Sequence[AlertRecord]:
        """Open findings of some units' accounts (None: all units), optionally one account by name."""


class Silences(Protocol):
    """Exemptions: read for matching, created from a contact's request."""

    async def silence_rows(self, states: tuple[str, ...] = ("active",)) -> Sequence[SilenceRecord]:
        """Silences in the given states."""
    async def add_silence(self, *, account_id: int | None, unit_id: int | None, rule: str | None,
                          starts: dt.datetime, ends: dt.datetime, author: str, reason: str, state: str) -> Created:
        """Create an exemption."""


class NotificationLog(Protocol):
    """What each recipient was already told."""

    async def last_sent_all(self, kinds: tuple[str, ...] = ("alert", "repeat")) -> Mapping[str, LastMessage]:
        """Each recipient key's latest message of these kinds (failed ones left out)."""
    async def told_since(self, since: dt.datetime) -> Mapping[str, tuple[dict[str, Any], set[int]]]:
        """Per recipient key: the recipient (from its latest alert) and every finding id alerted since then."""


class Outbox(Protocol):
    """Messages written before they are sent (see ``registry.notify.outbox`` for the contract)."""

    async def write(self, rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
        """Write messages all or none, skipping dedupe keys already present; return how many were new."""
    async def due(self, now: dt.datetime, limit: int = 500) -> Sequence[OutboxRecord]:
        """Messages to send now (pending and due, or left ``sending`` by a crash)."""
    async def advance(self, done: Sequence[Outcome], sending: int | None, now: dt.datetime) -> None:
        """Record outcomes and mark the next message ``sending``, in one commit."""


class Replies(Protocol):
    """What answering a contact's command reads and writes."""

    async def person_by_wecom(self, userid: str) -> PersonRecord | None:
        """The registered contact with this WeCom userid."""
    async def claim_fixed(self, finding_id: int, userid: str, now: dt.datetime) -> None:
        """Mark a finding claimed-fixed."""
    async def record_inbound(self, msg_id: str, userid: str, content: str, reply: str, now: dt.datetime) -> None:
        """Keep a received command and the reply given."""
    async def claim_inbound(self, msg_id: str, userid: str, now: dt.datetime) -> bool:
        """Record that a message arrived, before handling it; False when it is on record already (a replay)."""


@dataclass(frozen=True)
class Storage:
    """Everything the bot stores, as the composition root wires it."""

    alerts: AlertSource
    silences: Silences
    log: NotificationLog
    outbox: Outbox
    replies: Replies

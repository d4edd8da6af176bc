"""Plain values the warning pipeline passes around: alerts in, recipients, contacts and messages out.

No ORM here: the notification use case builds these from registry rows, and every pure stage
(route, inhibit, silence, group, render) works on them alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Severity = Literal["veto", "warning", "review", "ops", "info"]
RecipientKind = Literal["person", "robot", "office"]
MessageKind = Literal["alert", "repeat", "resolved", "report"]
MsgType = Literal["text", "markdown", "textcard"]

#: Worst first; the order problems are listed in a message.
SEVERITY_ORDER: tuple[str, ...] = ("veto", "warning", "review", "ops", "info")


def severity_rank(severity: str) -> int:
    """Position of a severity in SEVERITY_ORDER (unknown ones sort last)."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


@dataclass(frozen=True)
class Alert:
    """One open finding as the bot sees it, with what a message needs to describe it."""

    finding_id: int
    rule: str
    severity: str
    account_id: int | None
    account_name: str
    platform: str
    account_uid: str
    unit_id: int | None
    unit_name: str
    first_seen: datetime
    last_seen: datetime
    summary_zh: str
    summary_en: str
    # Left out of the hash (a dict is unhashable) but kept in equality.
    evidence: dict[str, object] = field(default_factory=dict, hash=False)
    claimed_fixed: bool = False


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: a unit's person, a group robot, or a county-office contact."""

    kind: RecipientKind
    person_id: int | None
    name: str
    wecom_userid: str
    unit_id: int | None
    robot_key_name: str = ""

    @property
    def key(self) -> str:
        """A stable text identity (for notification-log rows and dedupe keys)."""
        if self.kind == "robot":
            return f"robot:{self.robot_key_name}"
        ident = self.person_id if self.person_id is not None else self.wecom_userid.lower()
        return f"{self.kind}:{ident}"


@dataclass(frozen=True)
class Contact:
    """A unit contact from the ledger: head (负责人), leader (分管领导) or operator (运维人员)."""

    person_id: int | None
    name: str
    role: str
    wecom_userid: str
    unit_id: int | None


@dataclass(frozen=True)
class Message:
    """One rendered message for one recipient on one channel, within that channel's size limits."""

    channel: str
    recipient: Recipient
    kind: MessageKind
    title: str
    body: str
    msgtype: MsgType
    finding_ids: tuple[int, ...]
    # Fingerprint of the recipient's whole set of findings (the dedupe basis), the same for every part.
    fingerprint: str
    part: int = 1
    parts: int = 1
    # Required by textcard messages (the card's link), ignored otherwise.
    url: str = ""

    @property
    def dedupe_key(self) -> str:
        """Unique per channel, recipient, kind, finding set and part: the outbox's dedupe key basis."""
        return f"{self.channel}|{self.recipient.key}|{self.kind}|{self.fingerprint}|{self.part}/{self.parts}"


@dataclass(frozen=True)
class ReportSummary:
    """The figures a monthly-report notice quotes."""

    month: str  # YYYY-MM
    checked: int
    failed: int
    # (problem label, number of accounts), biggest first as the caller wants them shown.
    problems: tuple[tuple[str, int], ...] = ()
    url: str = ""

"""Grouping: one message per recipient per cycle, worst problem first, with a set fingerprint.

The fingerprint is what dedup compares with the notification log: a recipient is messaged when
the set of their open findings (and which of them are claimed fixed) changes, not when a day
count in a summary ticks up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.model import Alert, Recipient, severity_rank


@dataclass(frozen=True)
class Group:
    """A recipient's alerts for this cycle, sorted worst first, and their fingerprint."""

    recipient: Recipient
    alerts: tuple[Alert, ...]
    fingerprint: str


def problem_days(alert: Alert) -> int:
    """How long the problem has lasted: the evidence's day count, else days since first seen."""
    days = alert.evidence.get("days")
    if isinstance(days, int) and not isinstance(days, bool):
        return days
    return (alert.last_seen - alert.first_seen).days


def worst_first(alerts: Iterable[Alert]) -> list[Alert]:
    """Alerts by severity (veto > warning > review > ops > info), then longest-lasting, without duplicates."""
    unique = {a.finding_id: a for a in alerts}
    return sorted(
        unique.values(),
        key=lambda a: (severity_rank(a.severity), -problem_days(a), a.first_seen, a.account_name, a.finding_id),
    )


def fingerprint(alerts: Iterable[Alert]) -> str:
    """Stable hash of the sorted set of (finding_id, rule, claimed_fixed); order and duplicates don't matter."""
    items = sorted({(a.finding_id, a.rule, a.claimed_fixed) for a in alerts})
    return hashlib.sha256(json.dumps(items, separators=(",", ":")).encode()).hexdigest()[:24]


def group(routed: Mapping[Recipient, Iterable[Alert]]) -> list[Group]:
    """One group per recipient that has alerts, recipients in a stable order."""
    groups = []
    for recipient, alerts in routed.items():
        ordered = worst_first(alerts)
        if ordered:
            groups.append(Group(recipient, tuple(ordered), fingerprint(ordered)))
    groups.sort(key=lambda g: (g.recipient.kind, g.recipient.key))
    return groups

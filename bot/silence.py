"""Silences (豁免, exemptions): pure matching of alerts against approved, unexpired silences.

A silence names an account or a unit (at least one; a silence with neither matches nothing, so
a slip of the keyboard can never mute the whole county) and optionally a rule. It applies only
while `active` and within [starts_at, ends_at): a `pending` exemption asked for by a unit does
nothing until the county office approves it, and an `expired` one never applies again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.model import Alert

SilenceState = Literal["pending", "active", "expired"]


@dataclass(frozen=True)
class Silence:
    """An exemption: matchers, validity window, state, and who asked for it and why."""

    id: int
    account_id: int | None
    unit_id: int | None
    rule: str | None
    starts_at: datetime
    ends_at: datetime
    state: SilenceState
    author: str
    reason: str

    def in_force(self, now: datetime) -> bool:
        """True when approved and `now` lies in [starts_at, ends_at)."""
        return self.state == "active" and self.starts_at <= now < self.ends_at

    def matches(self, alert: Alert) -> bool:
        """True when every matcher the silence sets agrees with the alert."""
        if self.account_id is None and self.unit_id is None:
            return False
        return (
            (self.account_id is None or self.account_id == alert.account_id)
            and (self.unit_id is None or self.unit_id == alert.unit_id)
            and (self.rule is None or self.rule == alert.rule)
        )


def silencing(alert: Alert, silences: Iterable[Silence], now: datetime) -> Silence | None:
    """The first silence in force that matches the alert, or None."""
    return next((s for s in silences if s.in_force(now) and s.matches(alert)), None)


def apply_silences(
    alerts: Iterable[Alert], silences: Sequence[Silence], now: datetime
) -> tuple[list[Alert], list[Alert]]:
    """Split alerts into (kept, silenced) by the silences in force at `now`."""
    kept: list[Alert] = []
    silenced: list[Alert] = []
    for alert in alerts:
        (silenced if silencing(alert, silences, now) else kept).append(alert)
    return kept, silenced

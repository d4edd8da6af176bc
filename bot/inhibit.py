"""Inhibition as data, in the Alertmanager way: an open alert of a source rule mutes the alerts of a
target kind that share its label (blind is not silent: an account we cannot see gets no staleness
warnings).

The rules already withhold these findings for a blind account, but findings opened before the
account went blind stay open until the next check; this stage keeps them from being sent. Which
rule mutes which kind, and each rule's kinds, come from the rule catalogue through the composition
root: the bot names no rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.model import Alert

#: The alert labels an inhibition rule can require to be equal.
EQUAL_LABELS = ("account", "unit")


@dataclass(frozen=True)
class InhibitRule:
    """An open ``source_rule`` alert mutes alerts of rules of kind ``target_kind`` with the same ``equal`` label."""

    source_rule: str
    target_kind: str
    equal: str = "account"

    def __post_init__(self) -> None:
        if self.equal not in EQUAL_LABELS:
            raise ValueError(f"inhibit rule: equal must be one of {', '.join(EQUAL_LABELS)}, got {self.equal!r}")


def _label(alert: Alert, name: str) -> int | None:
    return alert.account_id if name == "account" else alert.unit_id


def inhibit(alerts: Iterable[Alert], rules: Sequence[InhibitRule] = (),
            kinds: Mapping[str, Collection[str]] | None = None) -> list[Alert]:
    """The alerts minus those muted by an inhibition rule; ``kinds`` gives each rule id its kinds."""
    alerts = list(alerts)
    kinds = kinds or {}
    muted: set[int] = set()
    for rule in rules:
        sources = {v for a in alerts if a.rule == rule.source_rule and (v := _label(a, rule.equal)) is not None}
        if not sources:
            continue
        muted.update(i for i, a in enumerate(alerts) if a.rule != rule.source_rule
                     and rule.target_kind in kinds.get(a.rule, ()) and _label(a, rule.equal) in sources)
    return [a for i, a in enumerate(alerts) if i not in muted]

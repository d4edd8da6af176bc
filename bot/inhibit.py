"""Inhibition: blind is not silent, so an account we cannot see gets no staleness warnings.

The rules already withhold these findings for a blind account, but findings opened before the
account went blind stay open until the next check; this stage keeps them from being sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Alert

BLIND_RULE = "collection_blind"
#: Rules whose findings mean "nothing was posted" and so are unknowable while collection is blind.
MUTED_BY_BLIND = frozenset({"stale_veto", "stale_warning", "dormant_long", "low_use", "frequency_below_target"})


def inhibit(alerts: Iterable[Alert]) -> list[Alert]:
    """The alerts minus the staleness ones of accounts with an open collection_blind."""
    alerts = list(alerts)
    blind = {a.account_id for a in alerts if a.rule == BLIND_RULE and a.account_id is not None}
    return [a for a in alerts if not (a.rule in MUTED_BY_BLIND and a.account_id in blind)]

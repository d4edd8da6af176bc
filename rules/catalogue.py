"""The rule catalogue and `evaluate_all`: every rule applied to every account, purely.

Cross-cutting behaviour (each rule also enforces its own part, so calling one alone is safe):

* only active accounts (operating / rectifying / reviewing) are checked; notice, closed and
  deregistered accounts get nothing;
* blind is not silent: an account without a successful collection within the collection_blind
  window gets collection_blind and none of stale_veto, stale_warning, dormant_long, low_use,
  frequency_below_target or slow_response; the ledger rules (no_interaction, registry_incomplete, account_gone,
  duplicate_account) still apply;
* during a 保留整改 grace period (review_deadline today or later) the staleness, low_use and
  frequency rules are suppressed;
* stale_warning stops where stale_veto starts; dormant_long comes together with stale_veto.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from rules.config import CATALOGUE, DEFAULT_SETTINGS, RuleSettings
from rules.facts import AccountFacts, FindingDraft
from rules.rule_activity import (
    collection_blind,
    dormant_long,
    frequency_below_target,
    stale_veto,
    stale_warning,
)
from rules.rule_base import require_aware
from rules.rule_ledger import (
    account_gone,
    duplicate_account,
    identity_pending,
    no_interaction,
    registry_incomplete,
)
from rules.rule_low_use import low_use, low_use_all
from rules.rule_response import slow_response

AccountRule = Callable[[AccountFacts, datetime, RuleSettings], FindingDraft | None]
CrossRule = Callable[[Sequence[AccountFacts], datetime, RuleSettings], list[FindingDraft]]

#: Rules judging one account at a time.
ACCOUNT_RULES: dict[str, AccountRule] = {
    "stale_veto": stale_veto,
    "stale_warning": stale_warning,
    "dormant_long": dormant_long,
    "frequency_below_target": frequency_below_target,
    "no_interaction": no_interaction,
    "slow_response": slow_response,
    "account_gone": account_gone,
    "collection_blind": collection_blind,
    "registry_incomplete": registry_incomplete,
    "identity_pending": identity_pending,
}
#: Rules that need the whole set of accounts (peers, siblings of one unit).
CROSS_RULES: dict[str, CrossRule] = {"low_use": low_use_all, "duplicate_account": duplicate_account}

def evaluate_account(f: AccountFacts, now: datetime, settings: RuleSettings = DEFAULT_SETTINGS,
                     only: Collection[str] | None = None) -> list[FindingDraft]:
    """The single-account rules for one account (low_use and duplicate_account need evaluate_all)."""
    require_aware(now)
    # A pending account was never seen: only the rules marked pending_ok may judge it.
    rules = [r for rid, r in ACCOUNT_RULES.items() if (only is None or rid in only)
             and (not f.pending or CATALOGUE[rid].pending_ok)]
    return [d for rule in rules if (d := rule(f, now, settings)) is not None]


def evaluate_all(
    facts: Sequence[AccountFacts], now: datetime, settings: RuleSettings = DEFAULT_SETTINGS,
    only: Collection[str] | None = None,
) -> list[FindingDraft]:
    """Every rule (or the rules named in ``only``) over every account; sorted by account, then catalogue order."""
    require_aware(now)
    order = {rid: i for i, rid in enumerate(CATALOGUE)}  # read now: the catalogue is the one list of rules
    unknown = set(only or ()) - set(order)
    if unknown:
        raise ValueError(f"unknown rule ids: {sorted(unknown)}")
    drafts = [d for f in facts for d in evaluate_account(f, now, settings, only)]
    for rid, rule in CROSS_RULES.items():
        if only is None or rid in only:
            drafts.extend(rule([f for f in facts if not f.pending], now, settings))
    drafts.sort(key=lambda d: (d.account_id or 0, d.subject, order[d.rule]))
    return drafts


__all__ = [
    "ACCOUNT_RULES",
    "CROSS_RULES",
    "account_gone",
    "collection_blind",
    "dormant_long",
    "duplicate_account",
    "evaluate_account",
    "evaluate_all",
    "frequency_below_target",
    "identity_pending",
    "low_use",
    "low_use_all",
    "no_interaction",
    "registry_incomplete",
    "slow_response",
    "stale_veto",
    "stale_warning",
]

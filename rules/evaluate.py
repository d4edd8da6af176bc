"""`govmedia check`: load every account's facts set-based, run the catalogue, sync findings and reviews."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from registry.checks import CheckData, SyncResult, load_check_data, sync_findings
from registry.models import Account, Person
from rules.catalogue import evaluate_all
from rules.config import RuleSettings
from rules.facts import AccountFacts, FindingDraft, PostFact
from rules.rule_base import is_blind

LOOKBACK_MARGIN_DAYS = 7


def lookback_days(settings: RuleSettings) -> int:
    """The post window that covers the longest rule window."""
    windows = [settings.get_int("low_use", "window_days"), settings.get_int("frequency_below_target", "window_days"),
               settings.get_int("dormant_long", "days")]
    return max(windows) + LOOKBACK_MARGIN_DAYS


def _post(row: dict[str, Any]) -> PostFact:
    return PostFact(published_at=row["published_at"], title=row["title"], pinned=row["pinned"], reads=row["reads"],
                    likes=row["likes"], shares=row["shares"], comments=row["comments"], zaikan=row["zaikan"],
                    url=row["url"] or None)


def _confirmed(*people: Person | None) -> dt.datetime | None:
    present = [p for p in people if p is not None]
    if not present or any(p.confirmed_at is None for p in present):
        return None
    return min(p.confirmed_at for p in present if p.confirmed_at is not None)


def build_facts(data: CheckData, now: dt.datetime) -> list[AccountFacts]:
    """One `AccountFacts` per account from the loaded rows."""
    out = []
    for a in data.accounts:
        posts = tuple(_post(r) for r in data.posts.get(a.id, []) if r["published_at"] <= now)
        last_row = data.last_posts.get(a.id)
        last = max(posts, key=lambda p: p.published_at, default=None) or (_post(last_row) if last_row else None)
        state = data.states.get(a.id)
        head: Person | None = a.head
        operator: Person | None = a.operator
        success = state.last_success_at if state else None
        out.append(AccountFacts(
            account_id=a.id, platform=a.platform, uid=a.uid, name=a.name, unit_id=a.unit.id, unit_name=a.unit.name,
            unit_kind=a.unit.kind, status=a.status, matrix_role=a.matrix_role, opened_on=a.opened_on, filed=a.filed,
            filed_on=a.filed_on, interaction=a.interaction, update_frequency=a.update_frequency,
            collect_method=a.collect_method, verified_subject=a.verified_subject,
            head_name=head.name if head else "", head_phone=head.phone if head else "",
            operator_name=operator.name if operator else "", operator_phone=operator.phone if operator else "",
            operator_wecom=operator.wecom_userid if operator else "", contacts_confirmed_at=_confirmed(head, operator),
            posts=posts, last_post=last, followers=data.followers.get(a.id),
            followers_at_window_start=data.followers_at_start.get(a.id),
            # An as-of in the past must not see successes that happened after it.
            last_success_at=success if success is None or success <= now else now,
            known_until=min(state.known_until, now) if state and state.known_until else None,
            last_error_kind=state.last_error_kind if state else None, gone=bool(state and state.gone),
            review_deadline=data.review_deadlines.get(a.id),
            history_from=state.backfilled_from if state else None,
        ))
    return out


@dataclass
class CheckSummary:
    """The outcome of one check."""

    now: dt.datetime
    accounts: int
    active: int
    drafts: list[FindingDraft]
    sync: SyncResult

    @property
    def by_rule(self) -> Counter[str]:
        """Current findings by rule."""
        return Counter(d.rule for d in self.drafts)

    @property
    def by_severity(self) -> Counter[str]:
        """Current findings by severity."""
        return Counter(d.severity for d in self.drafts)


async def run_check(now: dt.datetime, settings: RuleSettings) -> CheckSummary:
    """Evaluate every account at ``now`` and bring findings and reviews up to date."""
    data = await load_check_data(now, lookback_days(settings))
    facts = build_facts(data, now)
    drafts = evaluate_all(facts, now, settings)
    blind = [f.account_id for f in facts if is_blind(f, now, settings)]
    today = now.date()
    grace = [aid for aid, deadline in data.review_deadlines.items() if deadline >= today]
    result = await sync_findings(drafts, blind, now, grace)
    active = sum(1 for a in data.accounts if _active(a))
    return CheckSummary(now=now, accounts=len(data.accounts), active=active, drafts=drafts, sync=result)


def _active(a: Account) -> bool:
    from registry.vocab import ACTIVE_STATUSES

    return a.status in {s.value for s in ACTIVE_STATUSES}


async def evaluate_at(now: dt.datetime, settings: RuleSettings) -> list[FindingDraft]:
    """The catalogue's findings at ``now`` without touching stored findings (for reports)."""
    data = await load_check_data(now, lookback_days(settings))
    return evaluate_all(build_facts(data, now), now, settings)

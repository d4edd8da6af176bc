"""`govmedia check`: load every account's facts set-based, run the catalogue, sync findings and reviews."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from registry.db.batch import paused_gc
from registry.findings.checks import CheckData, SyncResult, load_check_data, sync_findings
from registry.views.post_digest import digest_reads, merge_digests
from registry.views.reads import together
from registry.views.response_facts import ResponseBounds, ResponseRow, response_rows
from rules.catalogue import evaluate_all
from rules.config import CATALOGUE, RuleSettings, rules_where
from rules.digest import digest_bounds, make_digest
from rules.facts import AccountFacts, FindingDraft, ResponseFacts
from rules.rule_base import ACTIVE, is_blind, pinned_counts
from rules.rule_response import RULE as RESPONSE_RULE
from rules.rule_response import grace, response_window

if TYPE_CHECKING:
    from rules.content_check import ContentChecker

LOOKBACK_MARGIN_DAYS = 7


def lookback_days(settings: RuleSettings) -> int:
    """The post window that covers the longest rule window."""
    windows = [settings.get_int("low_use", "window_days"), settings.get_int("frequency_below_target", "window_days"),
               settings.get_int("dormant_long", "days"), settings.get_int(RESPONSE_RULE, "window_days"),
               *(v for kind in settings.overrides.get(RESPONSE_RULE, {}).values()
                 if isinstance(v := kind.get("window_days"), int))]
    return max(windows) + LOOKBACK_MARGIN_DAYS


def _confirmed(*people: dict[str, Any] | None) -> dt.datetime | None:
    present = [p for p in people if p is not None]
    if not present or any(p["confirmed_at"] is None for p in present):
        return None
    confirmed: list[dt.datetime] = [p["confirmed_at"] for p in present]
    return min(confirmed)


def base_facts(data: CheckData, now: dt.datetime) -> list[AccountFacts]:
    """One `AccountFacts` per account from the loaded rows, without the posting activity yet."""
    out = []
    for a in data.accounts:
        unit = data.units[a["unit_id"]]
        head, operator = data.people.get(a["head_id"] or 0), data.people.get(a["operator_id"] or 0)
        state = data.states.get(a["id"])
        success = state["last_success_at"] if state else None
        known = state["known_until"] if state else None
        start_followers, followers = data.followers.get(a["id"], (None, None))
        out.append(AccountFacts(
            account_id=a["id"], platform=a["platform"], uid=a["uid"], name=a["name"], unit_id=unit["id"],
            unit_name=unit["name"], unit_kind=unit["kind"], status=a["status"], matrix_role=a["matrix_role"],
            opened_on=a["opened_on"], filed=a["filed"], filed_on=a["filed_on"], interaction=a["interaction"],
            pending=a["pending"],
            update_frequency=a["update_frequency"], collect_method=a["collect_method"],
            verified_subject=a["verified_subject"],
            head_name=head["name"] if head else "", head_phone=head["phone"] if head else "",
            operator_name=operator["name"] if operator else "", operator_phone=operator["phone"] if operator else "",
            operator_wecom=operator["wecom_userid"] if operator else "",
            contacts_confirmed_at=_confirmed(head, operator),
            followers=followers, followers_at_window_start=start_followers,
            # An as-of in the past must not see successes that happened after it.
            last_success_at=success if success is None or success <= now else now,
            known_until=min(known, now) if known else None,
            last_error_kind=state["last_error_kind"] if state else None, gone=bool(state and state["gone"]),
            review_deadline=data.review_deadlines.get(a["id"]),
            history_from=state["backfilled_from"] if state else None,
        ))
    return out


async def build_facts(data: CheckData, now: dt.datetime, settings: RuleSettings,
                      only: Collection[str] | None = None) -> list[AccountFacts]:
    """Every account's facts, with its posting activity aggregated in SQL over the rules' own windows.

    When ``only`` names no rule that reads a window, only each account's latest post is looked up.
    The posts' digest (in slices) and the responsiveness are independent reads: they run at once where the
    database gains from it (`registry.views.reads.together`).
    """
    latest_only = only is not None and not rules_where("window") & set(only)
    facts = base_facts(data, now)
    bounds = [digest_bounds(f, now, settings, latest_only) for f in facts]
    slice_reads = digest_reads(bounds, pinned_counts=pinned_counts)
    if only is None or RESPONSE_RULE in only:
        windows = {f.account_id: response_window(f, now, settings) for f in facts}
        response_read = response_rows([ResponseBounds(aid, since, until, int(grace(f, settings).total_seconds()))
                                       for f in facts for aid, (since, until) in [(f.account_id, windows[f.account_id])]])
        *slices, responses = await together(*slice_reads, response_read)
        digests = merge_digests(slices)
        for f in facts:
            since, until = windows[f.account_id]
            # Fresh objects nobody holds yet (see below): set in place.
            object.__setattr__(f, "response", response_facts(responses.get(f.account_id), since, until))
            object.__setattr__(f, "response_measured", True)
    else:
        digests = merge_digests(await together(*slice_reads))
    for f, b in zip(facts, bounds, strict=True):
        # These facts were made above and nobody holds them yet: set the digest in place instead
        # of copying 20,000 frozen objects (dataclasses.replace re-runs every validation).
        object.__setattr__(f, "digest", make_digest(b, digests.get(f.account_id)))
    return facts


def response_facts(row: ResponseRow | None, since: dt.datetime, as_of: dt.datetime) -> ResponseFacts | None:
    """The rules' view of one account's measured responsiveness (None: no read thread in the window)."""
    if row is None:
        return None
    return ResponseFacts(
        since=since, as_of=as_of, posts_read=row.posts_read, comments=row.comments, answered=row.answered, due=row.due,
        median_answer_hours=row.median_answer_s / 3600 if row.median_answer_s is not None else None,
        oldest_unanswered_at=row.oldest_unanswered_at, oldest_title=row.oldest_title,
        oldest_url=row.oldest_url or None, oldest_checked_at=row.oldest_checked_at)


@dataclass
class CheckSummary:
    """The outcome of one check."""

    now: dt.datetime
    accounts: int
    active: int
    drafts: list[FindingDraft]
    sync: SyncResult
    #: Posts the content check scanned in this run (new or edited ones).
    content_scanned: int = 0

    @property
    def by_rule(self) -> Counter[str]:
        """Current findings by rule."""
        return Counter(d.rule for d in self.drafts)

    @property
    def by_severity(self) -> Counter[str]:
        """Current findings by severity."""
        return Counter(d.severity for d in self.drafts)


async def run_check(now: dt.datetime, settings: RuleSettings, content: ContentChecker | None = None) -> CheckSummary:
    """Evaluate every account at ``now`` and bring findings and reviews up to date.

    ``content``: the run's content checker (the county's lexicons and hotlines); None: the shipped lists only.
    """
    with paused_gc():
        data = await load_check_data(now, lookback_days(settings))
        facts = await build_facts(data, now, settings)
        drafts = evaluate_all(facts, now, settings)
        from rules.content_check import ContentChecker, ContentConfig, content_findings

        scanned, found = await content_findings(content or ContentChecker(ContentConfig()), facts, now, settings)
        drafts.extend(found)
        blind = [f.account_id for f in facts if is_blind(f, now, settings)]
        today = now.date()
        grace = [aid for aid, deadline in data.review_deadlines.items() if deadline >= today]
        result = await sync_findings(drafts, blind, now, grace, activity_rules=rules_where("activity"),
                                     review_rules=rules_where("opens_review"), known_rules=frozenset(CATALOGUE))
    active = sum(1 for a in data.accounts if a["status"] in ACTIVE)
    return CheckSummary(now=now, accounts=len(data.accounts), active=active, drafts=drafts, sync=result,
                        content_scanned=scanned)


async def evaluate_at(now: dt.datetime, settings: RuleSettings,
                      only: Collection[str] | None = None) -> list[FindingDraft]:
    """The catalogue's findings at ``now`` (only the rules named in ``only``, when given) without
    touching stored findings (for reports)."""
    with paused_gc():
        data = await load_check_data(now, lookback_days(settings))
        return evaluate_all(await build_facts(data, now, settings, only), now, settings, only)

"""Shared pieces of the rules: gates (active, blind, grace), the latest post, staleness, drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from registry.ledger.vocab import ACTIVE_STATUSES
from rules.calendar import local_date
from rules.config import CATALOGUE, RuleSettings
from rules.facts import AccountFacts, FindingDraft, PostFact

ACTIVE: frozenset[str] = frozenset(s.value for s in ACTIVE_STATUSES)


def require_aware(now: datetime) -> None:
    """Refuse a naive `now`: every day count is made on the Shanghai calendar."""
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")


def iso(value: date | datetime | None) -> str | None:
    """ISO text for evidence (None stays None)."""
    return None if value is None else value.isoformat()


def norm(text: str) -> str:
    """Ledger text compared loosely: no surrounding or inner blanks, lower case."""
    return "".join(text.split()).lower()


def blind_window(f: AccountFacts, settings: RuleSettings) -> int:
    """Hours without a successful collection after which the account is blind."""
    hours = settings.get_int("collection_blind", "hours", f.unit_kind)
    if f.collect_method == "manual":
        # Manual accounts report by submission; the same "last success" clock applies, with its
        # own window when configured (monthly submissions need about 35 days).
        return settings.get_opt_int("collection_blind", "manual_hours", f.unit_kind) or hours
    return hours


def is_blind(f: AccountFacts, now: datetime, settings: RuleSettings) -> bool:
    """True when no successful collection is known within the window: the account is unknown, not silent."""
    if f.last_success_at is None:
        return True
    # Nearly every rule asks, several times per account per evaluation: the answer for the last (now,
    # settings) asked is kept on the facts object (the facts are frozen, so it cannot go stale).
    memo = f.__dict__.get("_blind_memo")
    if memo is not None and memo[0] is now and memo[1] is settings:
        return bool(memo[2])
    blind = now - f.last_success_at > timedelta(hours=blind_window(f, settings))
    object.__setattr__(f, "_blind_memo", (now, settings, blind))
    return blind


def in_grace(f: AccountFacts, now: datetime) -> bool:
    """True while a 保留整改 deadline has not passed (the deadline day itself is still grace)."""
    return f.review_deadline is not None and local_date(now) <= f.review_deadline


def ledger_gate(rule: str, f: AccountFacts, settings: RuleSettings) -> bool:
    """Ledger rules run on active accounts where the rule is enabled."""
    return f.status in ACTIVE and settings.enabled(rule, f.unit_kind)


def activity_gate(rule: str, f: AccountFacts, now: datetime, settings: RuleSettings) -> bool:
    """Activity rules additionally need fresh data (not blind) and no running grace period."""
    return ledger_gate(rule, f, settings) and not is_blind(f, now, settings) and not in_grace(f, now)


def observed_until(f: AccountFacts, now: datetime) -> datetime:
    """The moment up to which silence is known: now, or the coverage point when it lags behind.

    A manual submission may cover posts only to the end of last month; counting to `now` would
    call the uncovered days silent, so day counts stop where the history is known.
    """
    coverage = f.known_until or f.last_success_at
    return now if coverage is None or coverage >= now else coverage


def latest_post(f: AccountFacts, until: datetime) -> PostFact | None:
    """The newest post published by `until`.

    Pinned posts older than the newest ordinary post never count: a feed lists its pinned post
    first, so taking the first item would make an account that pins an old notice look fresh.
    """
    if f.digest is not None:
        if until != f.digest.as_of:
            raise ValueError(f"digest of account {f.account_id} was taken at {f.digest.as_of}, not {until}")
        return f.digest.latest
    candidates = [p for p in (*f.posts, *((f.last_post,) if f.last_post else ())) if p.published_at <= until]
    ordinary = [p for p in candidates if not p.pinned]
    newest = max(ordinary, key=lambda p: p.published_at, default=None)
    pinned: PostFact | None = max([p for p in candidates if p.pinned], key=lambda p: p.published_at, default=None)
    if pinned is not None and pinned_counts(newest.published_at if newest else None, pinned.published_at):
        return pinned
    return newest


def pinned_counts(newest_ordinary: datetime | None, newest_pinned: datetime) -> bool:
    """Whether the newest pinned post is the latest post: only when newer than every ordinary one.

    The pinned-post rule, in one place: the SQL digests (``post_digests``) receive it as a parameter.
    """
    return newest_ordinary is None or newest_pinned > newest_ordinary


@dataclass(frozen=True)
class Staleness:
    """Days without a post, counted the way the stale rules count them."""

    days: int | None
    unit: str
    counted_from: str
    reference: date | None
    as_of: datetime
    last_post: PostFact | None

    @property
    def at_least(self) -> str:
        """至少 when only a lower bound is known (no post in the whole collected history)."""
        return "至少" if self.counted_from == "history_start" else ""

    @property
    def unit_zh(self) -> str:
        """天 or 个工作日."""
        return "个工作日" if self.unit == "working" else "天"


# The three stale rules ask for the same account's staleness in a row: keep the last few answers.
# Keyed by identity and checked with `is`, so a recycled id() can never return another account's.
_STALENESS: dict[tuple[int, datetime, int], tuple[AccountFacts, RuleSettings, Staleness]] = {}


def staleness(f: AccountFacts, now: datetime, settings: RuleSettings) -> Staleness:
    """`count_staleness`, remembered for the account evaluated last."""
    key = (id(f), now, id(settings))
    hit = _STALENESS.get(key)
    if hit is not None and hit[0] is f and hit[1] is settings:
        return hit[2]
    result = count_staleness(f, now, settings)
    if len(_STALENESS) >= 64:
        _STALENESS.clear()
    _STALENESS[key] = (f, settings, result)
    return result


def count_staleness(f: AccountFacts, now: datetime, settings: RuleSettings) -> Staleness:
    """Days from the later of the last post's date and opened_on to the observed date (Shanghai).

    `days = date(as_of) - date(reference)` in calendar days, or the working days d with
    reference < d <= date(as_of) when `[rules] working_days` is on. A post made on day D at any
    time of day counts as D: the 14-day veto therefore fires on D+14 from 00:00 Beijing time.
    """
    as_of = observed_until(f, now)
    post = latest_post(f, as_of)
    refs = [(local_date(post.published_at), "last_post")] if post else []
    if f.opened_on is not None:
        refs.append((f.opened_on, "opened_on"))
    if post is None and f.history_from is not None:
        # Nothing in the collected history: silent at least since its first day.
        refs.append((f.history_from, "history_start"))
    unit = "working" if settings.working_days else "calendar"
    if not refs:
        return Staleness(None, unit, "unknown", None, as_of, None)
    reference, counted_from = max(refs, key=lambda r: r[0])
    end = local_date(as_of)
    if settings.working_days:
        days = settings.calendar.working_days_between(reference, end)
    else:
        days = (end - reference).days
    return Staleness(max(days, 0), unit, counted_from, reference, as_of, post)


def stale_evidence(st: Staleness, f: AccountFacts) -> dict[str, object]:
    """What a stale finding keeps: the post it counted from, the days and the observation point."""
    p = st.last_post
    return {
        "days": st.days,
        "day_unit": st.unit,
        "counted_from": st.counted_from,
        "reference_date": iso(st.reference),
        "last_post_at": iso(p.published_at) if p else None,
        "last_post_date": iso(local_date(p.published_at)) if p else None,
        "last_post_title": p.title if p else None,
        "last_post_url": p.url if p else None,
        "opened_on": iso(f.opened_on),
        "as_of": iso(st.as_of),
        "as_of_date": iso(local_date(st.as_of)),
        "known_until": iso(f.known_until),
        "last_success_at": iso(f.last_success_at),
    }


def draft(rule: str, f: AccountFacts, summary_zh: str, summary_en: str, evidence: dict[str, object]) -> FindingDraft:
    """An account-subject finding draft with the rule's catalogue severity."""
    return FindingDraft(
        rule=rule,
        severity=CATALOGUE[rule].severity,
        subject=f.subject,
        account_id=f.account_id,
        unit_id=f.unit_id,
        summary_zh=summary_zh,
        summary_en=summary_en,
        evidence=evidence,
    )

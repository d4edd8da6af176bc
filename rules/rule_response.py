"""slow_response: an account that leaves the public's comments unanswered, judged on measured facts only.

The facts are the posts' comment threads as read by the collectors (`ResponseFacts`); a post whose
comments were never read tells nothing, and an account without a read thread gets no finding. A
ledger that records no interaction channel is `no_interaction`'s case, not this rule's.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta

from rules.config import RuleSettings
from rules.facts import AccountFacts, FindingDraft, PostFact, ResponseFacts
from rules.rule_base import activity_gate, draft, iso
from rules.rule_ledger import records_no_channel

RULE = "slow_response"


def response_window(f: AccountFacts, now: datetime, settings: RuleSettings) -> tuple[datetime, datetime]:
    """The window (since, as_of] of the account's posts whose threads are judged."""
    return now - timedelta(days=settings.get_int(RULE, "window_days", f.unit_kind)), now


def grace(f: AccountFacts, settings: RuleSettings) -> timedelta:
    """How long a comment may wait before it is due an answer."""
    return timedelta(hours=settings.get_int(RULE, "answer_grace_hours", f.unit_kind))


def _due(p: PostFact, grace: timedelta) -> int:
    young = (p.oldest_unanswered_at is not None and p.comments_checked_at is not None
             and p.comments_checked_at - p.oldest_unanswered_at < grace)
    return (p.comments_answered if young else p.comments_seen) or 0


def response_from_posts(posts: Iterable[PostFact], since: datetime, as_of: datetime,
                        grace: timedelta = timedelta(0)) -> ResponseFacts | None:
    """The responsiveness of the posts published in (since, as_of] whose threads were read; None if none was.

    The rules' one definition; its SQL twin is `registry.views.response_facts.response_rows`.
    """
    read = [p for p in posts if since < p.published_at <= as_of and p.comments_checked_at is not None
            and p.comments_seen is not None and p.comments_answered is not None]
    if not read:
        return None
    delays = [p.median_answer_delay_s for p in read if p.median_answer_delay_s is not None]
    waiting = [p for p in read if p.oldest_unanswered_at is not None]
    oldest = min(waiting, key=lambda p: p.oldest_unanswered_at or as_of, default=None)
    return ResponseFacts(
        since=since, as_of=as_of, posts_read=len(read),
        comments=sum(p.comments_seen or 0 for p in read), answered=sum(p.comments_answered or 0 for p in read),
        due=sum(_due(p, grace) for p in read),
        median_answer_hours=statistics.median(delays) / 3600 if delays else None,
        oldest_unanswered_at=oldest.oldest_unanswered_at if oldest else None,
        oldest_title=oldest.title if oldest else "", oldest_url=(oldest.url or None) if oldest else None,
        oldest_checked_at=oldest.comments_checked_at if oldest else None)


def account_response(f: AccountFacts, now: datetime, settings: RuleSettings) -> ResponseFacts | None:
    """The account's measured responsiveness: the store's SQL facts when carried, else from its posts."""
    since, as_of = response_window(f, now, settings)
    if f.response_measured:
        r = f.response
        if r is not None and (r.since, r.as_of) != (since, as_of):
            raise ValueError(f"response facts of account {f.account_id} cover ({r.since}, {r.as_of}], "
                             f"not ({since}, {as_of}]")
        return r
    return response_from_posts(f.posts, since, as_of, grace(f, settings))


def _hours(value: float) -> str:
    return f"{value / 24:.0f}天" if value >= 48 else f"{value:.0f}小时"


def slow_response(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """互动回应不及时: too few comments answered, answers too slow, or a comment waiting too long."""
    if not activity_gate(RULE, f, now, settings) or records_no_channel(f, settings):
        return None
    r = account_response(f, now, settings)
    kind = f.unit_kind
    if r is None or r.due < settings.get_int(RULE, "min_comments", kind):
        return None
    min_rate = settings.get_float(RULE, "min_answer_rate", kind)
    max_median = settings.get_float(RULE, "max_median_hours", kind)
    max_wait = settings.get_int(RULE, "max_unanswered_hours", kind)
    rate, waited = r.answer_rate, r.waited_hours
    reasons = []
    if min_rate > 0 and rate is not None and rate < min_rate:
        reasons.append("answer_rate")
    if max_median > 0 and r.median_answer_hours is not None and r.median_answer_hours > max_median:
        reasons.append("median_answer_hours")
    if max_wait > 0 and waited is not None and waited > max_wait:
        reasons.append("unanswered_hours")
    if not reasons:
        return None
    days = round((r.as_of - r.since).total_seconds() / 86400)
    pct = round(rate * 100, 1) if rate is not None else None
    median = round(r.median_answer_hours, 1) if r.median_answer_hours is not None else None
    evidence: dict[str, object] = {
        "window_days": days, "since": iso(r.since), "as_of": iso(r.as_of), "posts_read": r.posts_read,
        "comments": r.comments, "comments_due": r.due, "answered": r.answered, "answer_rate_pct": pct, "median_answer_hours": median,
        "min_comments": settings.get_int(RULE, "min_comments", kind), "min_answer_rate": min_rate,
        "max_median_hours": max_median, "max_unanswered_hours": max_wait, "reasons": reasons,
        # Generic keys a message can show: the post holding the longest-waiting comment.
        "unanswered_since": iso(r.oldest_unanswered_at), "unanswered_post_title": r.oldest_title or None,
        "unanswered_post_url": r.oldest_url, "unanswered_checked_at": iso(r.oldest_checked_at),
        "unanswered_hours": round(waited) if waited is not None else None,
    }
    due_zh = f"，其中{r.due}条已到回复时限" if r.due != r.comments else ""
    zh = [f"近{days}天留言{r.comments}条{due_zh}，已回复{r.answered}条（回复率{pct}%）"]
    en = [f"{r.answered} of {r.comments} comments answered in {days} days ({pct}%)"]
    if median is not None:
        zh.append(f"回复用时中位数{median}小时")
        en.append(f"median answer time {median} h")
    if waited is not None:
        title = r.oldest_title if len(r.oldest_title) <= 30 else r.oldest_title[:29] + "…"
        zh.append(f"《{title}》下的留言已等待{_hours(waited)}未回复")
        en.append(f"a comment on “{title}” has waited {round(waited)} h")
    return draft(RULE, f, "，".join(zh), "; ".join(en), evidence)

"""Inputs and outputs of the pure rules: one account's facts in, finding drafts out.

The evaluation use case builds these from the registry tables; the rules never touch the
database or the clock, so every rule is a function of (facts, now, settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


def _require_aware(value: datetime | None, name: str) -> None:
    # Day counts depend on the Shanghai calendar; a naive datetime would be read in the host's
    # zone and could shift a post across midnight, so refuse it at construction time.
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class PostFact:
    """One known post of an account, with its reach when the platform exposes it."""

    published_at: datetime
    title: str
    pinned: bool = False
    reads: int | None = None
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    zaikan: int | None = None
    url: str | None = None
    # The post's comment thread as last read (None: never read, unknown).
    comments_seen: int | None = None
    comments_answered: int | None = None
    median_answer_delay_s: int | None = None
    oldest_unanswered_at: datetime | None = None
    comments_checked_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.published_at, "PostFact.published_at")
        _require_aware(self.oldest_unanswered_at, "PostFact.oldest_unanswered_at")
        _require_aware(self.comments_checked_at, "PostFact.comments_checked_at")

    def interactions(self) -> int | None:
        """Likes + shares + comments + 在看 over the counts known; None when none is known.

        The rules' one definition; its SQL twin is `registry.views.figures.interactions_sql`.
        """
        known = [v for v in (self.likes, self.shares, self.comments, self.zaikan) if v is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class ActivityDigest:
    """An account's posts reduced by the store to what the rules read, for one observation point.

    A province has millions of posts; instead of `AccountFacts.posts` the evaluation can carry
    these aggregates, taken over exactly the windows the rules would compute from the same facts
    (`rules.digest.digest_bounds`). A rule reading a digest checks that its window is the digest's.
    """

    as_of: datetime
    latest: PostFact | None
    use_since: datetime
    use_posts: int = 0
    reads_per_post: float | None = None
    interactions_per_post: float | None = None
    # The frequency window [start, end] in county dates, when the account has a readable frequency.
    freq_window: tuple[date, date] | None = None
    posting_days: int = 0
    freq_posts: int = 0


@dataclass(frozen=True)
class ResponseFacts:
    """How an account answered comments on its posts published in (since, as_of], as measured.

    Only posts whose comment thread was read count; an account with none has no ResponseFacts.
    """

    since: datetime
    as_of: datetime
    posts_read: int
    comments: int
    answered: int
    # Comments due an answer: those on a post whose oldest unanswered one was still inside the answer
    # grace when read count only as answered there (they had no time to be answered yet).
    due: int
    # Median of the read posts' median answer delays, in hours; None when nothing was answered.
    median_answer_hours: float | None = None
    oldest_unanswered_at: datetime | None = None
    oldest_title: str = ""
    oldest_url: str | None = None
    # When the thread holding the oldest unanswered comment was read: it had waited until then at least.
    oldest_checked_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("since", "as_of", "oldest_unanswered_at", "oldest_checked_at"):
            _require_aware(getattr(self, name), f"ResponseFacts.{name}")

    @property
    def answer_rate(self) -> float | None:
        """Answered / due an answer; None when no comment was due."""
        return self.answered / self.due if self.due else None

    @property
    def waited_hours(self) -> float | None:
        """How long the oldest unanswered comment had waited when its thread was last read."""
        if self.oldest_unanswered_at is None or self.oldest_checked_at is None:
            return None
        return max(0.0, (self.oldest_checked_at - self.oldest_unanswered_at).total_seconds() / 3600)


@dataclass(frozen=True)
class AccountFacts:
    """Everything the rules may know about one account at evaluation time."""

    account_id: int
    platform: str
    uid: str | None
    name: str
    unit_id: int
    unit_name: str
    unit_kind: str
    status: str
    matrix_role: str = "member"
    opened_on: date | None = None
    filed: bool = False
    filed_on: date | None = None
    interaction: str = ""
    # No platform id or no owner unit yet (待补全): never collected, judged only by `pending_ok` rules.
    pending: bool = False
    update_frequency: str = ""
    collect_method: str = ""
    verified_subject: str = ""
    head_name: str = ""
    head_phone: str = ""
    operator_name: str = ""
    operator_phone: str = ""
    operator_wecom: str = ""
    # The oldest confirmation among the account's contacts; None = never confirmed.
    contacts_confirmed_at: datetime | None = None
    # All known posts in the evaluation's lookback window, any order; the window must be at
    # least as long as the longest rule window (low_use, 90 days by default).
    posts: tuple[PostFact, ...] = ()
    # The newest post overall; may lie before the window.
    last_post: PostFact | None = None
    followers: int | None = None
    followers_at_window_start: int | None = None
    last_success_at: datetime | None = None
    # Coverage: the posting history is known up to this moment.
    known_until: datetime | None = None
    # auth / quota / gone / network / parse / unauthorized when the latest attempt failed.
    last_error_kind: str | None = None
    gone: bool = False
    # Deadline of a 保留整改 decision; until (and on) that day the account is in grace.
    review_deadline: date | None = None
    # First day of the collected history: with no post since, silence is known from here
    # ("at least N days"), not from opened_on years ago.
    history_from: date | None = None
    # Aggregates standing in for `posts` and `last_post` (the store's fast path); None = use posts.
    digest: ActivityDigest | None = None
    # Measured responsiveness over the slow_response window (the store's SQL); None = use posts.
    response: ResponseFacts | None = None
    # True when `response` was computed (an account without read threads then has response None).
    response_measured: bool = False

    def __post_init__(self) -> None:
        for name in ("contacts_confirmed_at", "last_success_at", "known_until"):
            _require_aware(getattr(self, name), f"AccountFacts.{name}")

    @property
    def subject(self) -> str:
        """The finding subject for this account."""
        return f"account:{self.account_id}"


@dataclass(frozen=True)
class FindingDraft:
    """What a rule says about a subject; the findings lifecycle turns drafts into findings."""

    rule: str
    severity: str
    subject: str
    account_id: int | None
    unit_id: int | None
    summary_zh: str
    summary_en: str
    evidence: dict[str, object] = field(default_factory=dict)

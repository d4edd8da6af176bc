"""Stored facts of one month for the monthly review: a fixed number of set-based queries.

Posts are never loaded one by one: SQL sums them per account (the review and its reach indices only use
totals, lead-article totals and single-article maxima; how to sum them, `Summing`, is the indices' choice,
passed in). Status at a past moment is replayed from the
audit trail (create, status and retire events), so a review of any past month is reproducible from
stored data; the trail and the account list are loaded once per review (`ReportBase`).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tortoise.expressions import RawSQL
from tortoise.functions import Count, Max, Sum

from registry.db.models import Account, AuditEvent, Finding, Post, Review
from registry.ledger.completeness import shown_unit
from registry.views.figures import interactions_sql
from registry.views.post_digest import follower_figures_marked

_COUNTERS = ("reads", "likes", "shares", "comments", "zaikan")
#: The counters also summed over lead articles and maximised per article.
_PER_ARTICLE = ("reads", "zaikan", "likes", "shares")
#: Ids per IN list: asyncpg refuses statements with more than 32,767 parameters.
ID_CHUNK = 5000


@dataclass(frozen=True)
class Summing:
    """How the caller wants posts summed: reads above ``read_cap`` count as it in the capped sums, and a
    post whose platform id ends with ``lead_suffix`` is a lead article (头条)."""

    read_cap: int
    lead_suffix: str

    def __post_init__(self) -> None:
        # Both are written into the SQL text: only plain values are accepted.
        if isinstance(self.read_cap, bool) or not isinstance(self.read_cap, int) or self.read_cap < 0:
            raise ValueError(f"read_cap must be a non-negative integer, got {self.read_cap!r}")
        if not re.fullmatch(r"[A-Za-z0-9_]+", self.lead_suffix):
            raise ValueError(f"lead_suffix must be letters, digits or _, got {self.lead_suffix!r}")

    def capped(self, column: str) -> str:
        """The column with values above the cap counted as the cap (missing stays NULL: unknown)."""
        return f"CASE WHEN {column} > {self.read_cap} THEN {self.read_cap} ELSE {column} END"

    def lead(self) -> str:
        """A condition on a post row: it is a lead article ("_" escaped: it is a LIKE wildcard)."""
        return f"post_id LIKE '%{self.lead_suffix.replace('_', '!_')}' ESCAPE '!'"


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """The unit fields the review prints."""

    id: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """The account fields the review uses (a plain row: no ORM object per account)."""

    id: int
    platform: str
    uid: str | None
    name: str
    status: str
    opened_on: dt.date | None
    unit: UnitInfo

    @property
    def ref(self) -> str:
        """The stable reference ``platform:uid`` (``#id`` while the uid is pending)."""
        return f"{self.platform}:{self.uid}" if self.uid else f"#{self.id}"


@dataclass(frozen=True, slots=True)
class PostTotals:
    """One account's unpinned posts of the month, summed in SQL over the counters known.

    A sum is None when no post of the month carries that counter (unknown, never 0): a feed-only
    WeChat account has no reads, a Weibo account has no reads and no 在看.
    """

    last_at: dt.datetime  # the month's latest unpinned post
    posts: int
    reads: int | None
    likes: int | None
    shares: int | None
    comments: int | None
    zaikan: int | None
    # Index inputs: reads capped at Summing.read_cap, lead-article (头条) totals, single-article maxima
    # (None: no post, or no lead article, carries the counter).
    capped_reads: int | None
    lead_reads: int | None
    lead_zaikan: int | None
    lead_likes: int | None
    lead_shares: int | None
    max_reads: int | None
    max_zaikan: int | None
    max_likes: int | None
    max_shares: int | None
    # Likes + shares + comments + 在看 over the counters known (`figures.interactions_sql`); None: none known.
    interactions: int | None = None
    # Responsiveness over the posts whose comments were read (comments_checked_at set); None: none read.
    comments_seen: int | None = None
    comments_answered: int | None = None
    #: Median of the per-post median answer delays (seconds) over posts with an answer; None: none.
    median_answer_delay_s: float | None = None


class FindingRow(NamedTuple):
    """What the review needs of a stored finding."""

    account_id: int | None
    rule: str
    severity: str
    evidence: dict[str, object]


class StatusHistory:
    """Each account's status changes from the audit trail, replayable at any moment."""

    def __init__(self, steps: dict[int, list[tuple[dt.datetime, str]]]) -> None:
        self._steps = steps
        self._times = {aid: [at for at, _ in s] for aid, s in steps.items()}

    @classmethod
    async def load(cls) -> StatusHistory:
        """Read the create / status / retire events once."""
        events = await AuditEvent.filter(entity="account", action__in=["create", "status", "retire"]).order_by(
            "at", "id").values_list("entity_id", "changes", "at")
        steps: dict[int, list[tuple[dt.datetime, str]]] = {}
        for entity_id, changes, at in events:
            change = changes.get("status")
            if change and change[1]:
                steps.setdefault(entity_id, []).append((at, str(change[1])))
        return cls(steps)

    def at(self, accounts: list[AccountInfo], moment: dt.datetime) -> dict[int, str | None]:
        """Each account's status at a moment (None: not opened yet)."""
        out: dict[int, str | None] = {}
        for a in accounts:
            if a.opened_on and a.opened_on > moment.date():
                out[a.id] = None
                continue
            steps = self._steps.get(a.id, [])
            n = bisect.bisect_right(self._times.get(a.id, []), moment)
            # Before the registry knew the account, the status it was imported with is the best knowledge.
            out[a.id] = steps[n - 1][1] if n else (steps[0][1] if steps else a.status)
        return out


@dataclass
class ReportBase:
    """What every month of one review shares: the accounts and the status history."""

    accounts: list[AccountInfo]
    history: StatusHistory

    @classmethod
    async def load(cls) -> ReportBase:
        """Accounts with their units (one join, ordered by id) and the audit trail."""
        rows = await Account.all().order_by("id").values(
            "id", "platform", "uid", "name", "status", "opened_on", "unit_id", "unit__name", "unit__kind")
        units: dict[int, UnitInfo] = {}
        accounts = []
        for r in rows:
            # A pending account's placeholder unit is no unit: shown "—", of no kind, in no unit count.
            placeholder = shown_unit(r["unit__name"]) is None
            unit = units.setdefault(r["unit_id"], UnitInfo(r["unit_id"], "—" if placeholder else r["unit__name"],
                                                           "" if placeholder else r["unit__kind"]))
            accounts.append(AccountInfo(r["id"], r["platform"], r["uid"], r["name"], r["status"], r["opened_on"], unit))
        return cls(accounts, await StatusHistory.load())


@dataclass
class MonthData:
    """Everything stored about one month (a trend month leaves the detail fields empty)."""

    start: dt.datetime
    end: dt.datetime
    accounts: list[AccountInfo]
    status_at_end: dict[int, str | None]
    #: All posts of the month, pinned included: (count, reads) per account.
    counts: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    veto_findings: list[FindingRow] = field(default_factory=list)
    month_findings: list[FindingRow] = field(default_factory=list)
    # Detail only (the reported month): per-account totals, silence, followers and reviews.
    totals: dict[int, PostTotals] = field(default_factory=dict)
    last_post_at: dict[int, dt.datetime] = field(default_factory=dict)
    followers_start: dict[int, int] = field(default_factory=dict)
    followers_end: dict[int, int] = field(default_factory=dict)
    #: Accounts whose start or end follower figure is an abbreviated platform figure ("693.2万").
    followers_approx: set[int] = field(default_factory=set)
    reviews_opened: list[Review] = field(default_factory=list)
    reviews_decided: list[Review] = field(default_factory=list)


def _int(value: Any) -> int:
    # PostgreSQL returns SUM(bigint) as numeric (Decimal); the formulas want plain ints.
    return int(value or 0)


def _known(value: Any) -> int | None:
    # SUM / MAX over no known value is NULL: unknown stays None, never 0.
    return None if value is None else int(value)


def _raw(sql: str) -> Any:
    # tortoise's annotations only name str / F, but its aggregates accept any pypika term at run time.
    return RawSQL(sql)


async def post_totals(start: dt.datetime, end: dt.datetime, summing: Summing) -> dict[int, PostTotals]:
    """Per account: the unpinned posts of [start, end] summed for the details, rankings and indices.

    Every sum skips unknown (NULL) counters and is NULL when none is known (no COALESCE).
    """
    return (await month_posts(start, end, summing))[0]


def _unpinned(expr: str) -> str:
    # The expression over unpinned posts only (NULL for a pinned one: skipped by SUM and MAX).
    return f"CASE WHEN pinned THEN NULL ELSE {expr} END"


async def month_posts(start: dt.datetime, end: dt.datetime,
                      summing: Summing) -> tuple[dict[int, PostTotals], dict[int, tuple[int, int | None]]]:
    """`post_totals` and `post_counts` of [start, end] in one pass over the month's posts."""
    sums: dict[str, Any] = {f"s_{c}": Sum(_raw(_unpinned(c))) for c in _COUNTERS}
    sums["w_reads"] = Sum(_raw(_unpinned(summing.capped("reads"))))
    lead_value = {c: (summing.capped(c) if c == "reads" else c) for c in _PER_ARTICLE}
    for c, value in lead_value.items():
        sums[f"l_{c}"] = Sum(_raw(_unpinned(f"CASE WHEN {summing.lead()} THEN {value} END")))
        sums[f"m_{c}"] = Max(_raw(_unpinned(value)))
    sums["s_inter"] = Sum(_raw(_unpinned(interactions_sql())))
    read = "comments_checked_at IS NOT NULL"
    sums["r_seen"] = Sum(_raw(_unpinned(f"CASE WHEN {read} THEN comments_seen END")))
    sums["r_answered"] = Sum(_raw(_unpinned(f"CASE WHEN {read} THEN comments_answered END")))
    rows = await Post.filter(published_at__gte=start, published_at__lte=end).group_by("account_id").annotate(
        n=Sum(_raw("CASE WHEN pinned THEN 0 ELSE 1 END")), last=Max(_raw(_unpinned("published_at"))),
        all_n=Count("id"), all_reads=Sum("reads"), **sums).values("account_id", "n", "last", "all_n", "all_reads", *sums)
    keys = [*(f"s_{c}" for c in _COUNTERS), "w_reads", *(f"l_{c}" for c in _PER_ARTICLE),
            *(f"m_{c}" for c in _PER_ARTICLE), "s_inter", "r_seen", "r_answered"]
    names = [f.name for f in dataclasses.fields(PostTotals)][2:2 + len(keys)]
    delays = await _answer_delays(start, end)
    moment = Post._meta.fields_map["published_at"]  # a raw MAX comes back as SQLite's text: parsed as the field is
    out, counts = {}, {}
    for r in rows:
        counts[r["account_id"]] = (_int(r["all_n"]), _known(r["all_reads"]))
        if not _int(r["n"]):  # only pinned posts this month
            continue
        known: dict[str, Any] = {name: _known(r[k]) for name, k in zip(names, keys, strict=True)}
        out[r["account_id"]] = PostTotals(moment.to_python_value(r["last"]), _int(r["n"]), **known,
                                          median_answer_delay_s=delays.get(r["account_id"]))
    return out, counts


async def _answer_delays(start: dt.datetime, end: dt.datetime) -> dict[int, float]:
    """Per account: the median of its posts' median answer delays (posts whose comments were read)."""
    rows = await Post.filter(published_at__gte=start, published_at__lte=end, pinned=False,
                             comments_checked_at__not_isnull=True, median_answer_delay_s__not_isnull=True).values_list(
        "account_id", "median_answer_delay_s")
    by_account: dict[int, list[int]] = {}
    for aid, delay in rows:
        by_account.setdefault(aid, []).append(int(delay))
    return {aid: float(statistics.median(values)) for aid, values in by_account.items()}


async def last_posts(account_ids: list[int], end: dt.datetime) -> dict[int, dt.datetime]:
    """Each account's latest unpinned post up to ``end`` (ids sent in chunks: PostgreSQL caps parameters)."""
    out: dict[int, dt.datetime] = {}
    for i in range(0, len(account_ids), ID_CHUNK):
        for row in await Post.filter(account_id__in=account_ids[i:i + ID_CHUNK], published_at__lte=end,
                                     pinned=False).group_by("account_id").annotate(last=Max("published_at")).values(
                "account_id", "last"):
            if row["last"] is not None:
                out[row["account_id"]] = row["last"]
    return out


async def post_counts(start: dt.datetime, end: dt.datetime) -> dict[int, tuple[int, int | None]]:
    """Per account: (posts, reads) of [start, end], pinned posts included (the trend's totals; reads None:
    no post's reads known)."""
    rows = await Post.filter(published_at__gte=start, published_at__lte=end).group_by("account_id").annotate(
        n=Count("id"), r=Sum("reads")).values("account_id", "n", "r")
    return {r["account_id"]: (_int(r["n"]), _known(r["r"])) for r in rows}


async def followers(start: dt.datetime, end: dt.datetime) -> tuple[dict[int, int], dict[int, int], set[int]]:
    """(followers at the month's start, at its end, accounts with an approximate figure) per account, chosen
    in SQL as the check chooses them."""
    figures = await follower_figures_marked(start.date(), end.date())
    return ({a: f[0] for a, f in figures.items()}, {a: f[1] for a, f in figures.items()},
            {a for a, f in figures.items() if f[2]})


async def month_data(start: dt.datetime, end: dt.datetime, summing: Summing, *, base: ReportBase | None = None,
                     detail: bool = True) -> MonthData:
    """Load the month [start, end]; without ``detail`` only what a judgement and a trend point need."""
    base = base or await ReportBase.load()
    totals, counts = await month_posts(start, end, summing) if detail else ({}, await post_counts(start, end))
    data = MonthData(start=start, end=end, accounts=base.accounts, status_at_end=base.history.at(base.accounts, end),
                     counts=counts)
    overlapping = Finding.filter(first_seen__lte=end).exclude(resolved_at__lt=start)
    data.month_findings = [FindingRow(*r) for r in await overlapping.values_list("account_id", "rule", "severity", "evidence")]
    data.veto_findings = [f for f in data.month_findings if f.severity == "veto"]
    if not detail:
        return data
    data.totals = totals
    data.last_post_at = {aid: t.last_at for aid, t in data.totals.items()}
    # Only accounts silent all month need older posts: a MAX over every post would read the whole table.
    data.last_post_at.update(await last_posts([a.id for a in base.accounts if a.id not in data.totals], end))
    data.followers_start, data.followers_end, data.followers_approx = await followers(start, end)
    data.reviews_opened = list(await Review.filter(opened_at__gte=start, opened_at__lte=end).prefetch_related("account"))
    data.reviews_decided = list(await Review.filter(decided_at__gte=start, decided_at__lte=end).prefetch_related(
        "account", "merge_into"))
    return data

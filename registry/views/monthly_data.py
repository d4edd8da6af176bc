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
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tortoise.expressions import RawSQL
from tortoise.functions import Count, Max, Sum

from registry.db.models import Account, AuditEvent, Finding, Post, Review
from registry.views.figures import interactions_sql
from registry.views.post_digest import follower_figures

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
        """The column with values above the cap counted as the cap (missing as 0)."""
        return f"CASE WHEN {column} > {self.read_cap} THEN {self.read_cap} ELSE COALESCE({column}, 0) END"

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
    """One account's unpinned posts of the month, summed in SQL (missing counters count as 0)."""

    last_at: dt.datetime  # the month's latest unpinned post
    posts: int
    reads: int
    likes: int
    shares: int
    comments: int
    zaikan: int
    # Index inputs: reads capped at Summing.read_cap, lead-article (头条) totals, single-article maxima.
    capped_reads: int
    lead_reads: int
    lead_zaikan: int
    lead_likes: int
    lead_shares: int
    max_reads: int
    max_zaikan: int
    max_likes: int
    max_shares: int
    # Likes + shares + comments + 在看 over the counters known (`figures.interactions_sql`); None: none known.
    interactions: int | None = None


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
            unit = units.setdefault(r["unit_id"], UnitInfo(r["unit_id"], r["unit__name"], r["unit__kind"]))
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
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    veto_findings: list[FindingRow] = field(default_factory=list)
    month_findings: list[FindingRow] = field(default_factory=list)
    # Detail only (the reported month): per-account totals, silence, followers and reviews.
    totals: dict[int, PostTotals] = field(default_factory=dict)
    last_post_at: dict[int, dt.datetime] = field(default_factory=dict)
    followers_start: dict[int, int] = field(default_factory=dict)
    followers_end: dict[int, int] = field(default_factory=dict)
    reviews_opened: list[Review] = field(default_factory=list)
    reviews_decided: list[Review] = field(default_factory=list)


def _int(value: Any) -> int:
    # PostgreSQL returns SUM(bigint) as numeric (Decimal); the formulas want plain ints.
    return int(value or 0)


def _raw(sql: str) -> Any:
    # tortoise's annotations only name str / F, but its aggregates accept any pypika term at run time.
    return RawSQL(sql)


async def post_totals(start: dt.datetime, end: dt.datetime, summing: Summing) -> dict[int, PostTotals]:
    """Per account: the unpinned posts of [start, end] summed for the details, rankings and indices."""
    sums: dict[str, Any] = {f"s_{c}": Sum(_raw(f"COALESCE({c}, 0)")) for c in _COUNTERS}
    sums["w_reads"] = Sum(_raw(summing.capped("reads")))
    lead_value = {c: (summing.capped(c) if c == "reads" else f"COALESCE({c}, 0)") for c in _PER_ARTICLE}
    for c, value in lead_value.items():
        sums[f"l_{c}"] = Sum(_raw(f"CASE WHEN {summing.lead()} THEN {value} ELSE 0 END"))
        sums[f"m_{c}"] = Max(_raw(value))
    sums["s_inter"] = Sum(_raw(interactions_sql()))
    rows = await Post.filter(published_at__gte=start, published_at__lte=end, pinned=False).group_by(
        "account_id").annotate(n=Count("id"), last=Max("published_at"), **sums).values("account_id", "n", "last", *sums)
    keys = ["n", *(f"s_{c}" for c in _COUNTERS), "w_reads", *(f"l_{c}" for c in _PER_ARTICLE),
            *(f"m_{c}" for c in _PER_ARTICLE)]
    out = {}
    for r in rows:
        totals = PostTotals(r["last"], *[_int(r[k]) for k in keys])
        out[r["account_id"]] = dataclasses.replace(
            totals, interactions=None if r["s_inter"] is None else int(r["s_inter"]))
    return out


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


async def post_counts(start: dt.datetime, end: dt.datetime) -> dict[int, tuple[int, int]]:
    """Per account: (posts, reads) of [start, end], pinned posts included (the trend's totals)."""
    rows = await Post.filter(published_at__gte=start, published_at__lte=end).group_by("account_id").annotate(
        n=Count("id"), r=Sum(_raw("COALESCE(reads, 0)"))).values("account_id", "n", "r")
    return {r["account_id"]: (_int(r["n"]), _int(r["r"])) for r in rows}


async def followers(start: dt.datetime, end: dt.datetime) -> tuple[dict[int, int], dict[int, int]]:
    """(followers at the month's start, at its end) per account, chosen in SQL as the check chooses them."""
    figures = await follower_figures(start.date(), end.date())
    return {a: f[0] for a, f in figures.items()}, {a: f[1] for a, f in figures.items()}


async def month_data(start: dt.datetime, end: dt.datetime, summing: Summing, *, base: ReportBase | None = None,
                     detail: bool = True) -> MonthData:
    """Load the month [start, end]; without ``detail`` only what a judgement and a trend point need."""
    base = base or await ReportBase.load()
    data = MonthData(start=start, end=end, accounts=base.accounts, status_at_end=base.history.at(base.accounts, end),
                     counts=await post_counts(start, end))
    overlapping = Finding.filter(first_seen__lte=end).exclude(resolved_at__lt=start)
    data.month_findings = [FindingRow(*r) for r in await overlapping.values_list("account_id", "rule", "severity", "evidence")]
    data.veto_findings = [f for f in data.month_findings if f.severity == "veto"]
    if not detail:
        return data
    data.totals = await post_totals(start, end, summing)
    data.last_post_at = {aid: t.last_at for aid, t in data.totals.items()}
    # Only accounts silent all month need older posts: a MAX over every post would read the whole table.
    data.last_post_at.update(await last_posts([a.id for a in base.accounts if a.id not in data.totals], end))
    data.followers_start, data.followers_end = await followers(start, end)
    data.reviews_opened = list(await Review.filter(opened_at__gte=start, opened_at__lte=end).prefetch_related("account"))
    data.reviews_decided = list(await Review.filter(decided_at__gte=start, decided_at__lte=end).prefetch_related(
        "account", "merge_into"))
    return data

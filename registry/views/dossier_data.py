"""What a leader needs to decide a shutdown review, gathered from the registry (`review dossier`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import RawSQL
from tortoise.functions import Count, Sum

from registry.db.models import Account, AuditEvent, Finding, Notification, Post, Review, Silence
from registry.ledger import vocab
from registry.ledger.sync import account_view
from registry.views.content_posts import coverage_counts
from registry.views.figures import interactions_sql


@dataclass
class Window:
    """Posts and reach of one account over the last N days (None: no post of the window carries the figure)."""

    days: int
    posts: int
    reads: int | None
    interactions: int | None

    @property
    def reads_per_post(self) -> float | None:
        """Average reads per post (None when nothing was posted or reads are unknown)."""
        return self.reads / self.posts if self.posts and self.reads is not None else None


@dataclass
class Dossier:
    """The decision packet of one review case."""

    review: Review
    account: Account
    ledger: dict[str, str]
    last_post: dict[str, Any] | None
    windows: list[Window]
    followers: int | None
    #: (posts, reads) of each peer (same platform and unit kind, active) that posted in the last 90 days.
    peer_totals: list[tuple[int, int | None]]
    siblings: list[Account]
    findings: list[Finding]
    notifications: list[Notification]
    silences: list[Silence]
    audit: list[AuditEvent] = field(default_factory=list)
    #: ``followers`` is an abbreviated platform figure ("693.2万"): shown as approximate.
    followers_approx: bool = False
    #: The account's collected posts by text coverage (full / digest / title): what a content check could read.
    coverage: dict[str, int] = field(default_factory=dict)


def _known_sum(values: list[Any]) -> int | None:
    known = [int(v) for v in values if v is not None]
    return sum(known) if known else None


def _raw(sql: str) -> Any:
    # tortoise's annotations only name str / F, but its aggregates accept any pypika term at run time.
    return RawSQL(sql)


def _window(rows: list[dict[str, Any]], now: dt.datetime, days: int) -> Window:
    start = now - dt.timedelta(days=days)
    picked = [r for r in rows if start <= r["published_at"] <= now]
    return Window(days, len(picked), _known_sum([r["reads"] for r in picked]),
                  _known_sum([r["interactions"] for r in picked]))


async def build_dossier(review: Review, now: dt.datetime) -> Dossier:
    """Collect every fact of the dossier for one review case."""
    account = await Account.get(id=review.account.id).prefetch_related("unit__parent", "head", "operator")
    fields = ("published_at", "title", "url", "reads", "likes", "shares", "comments", "zaikan", "account_id")
    since = now - dt.timedelta(days=180)
    rows = await Post.filter(account_id=account.id, published_at__gte=since).annotate(
        interactions=RawSQL(interactions_sql())).order_by("-published_at").values(*fields, "interactions")
    last = await Post.filter(account_id=account.id, pinned=False).order_by("-published_at").first().values(*fields)
    peers = await Account.filter(platform=account.platform, unit__kind=account.unit.kind,
                                 status__in=[s.value for s in vocab.ACTIVE_STATUSES]).exclude(id=account.id).values_list("id", flat=True)
    peer_rows = await Post.filter(account_id__in=list(peers), published_at__gte=now - dt.timedelta(days=90)).group_by(
        "account_id").annotate(n=Count("id"), r=Sum("reads")).values("account_id", "n", "r")
    # A peer whose reads are unknown (feed, Weibo) keeps None: the medians leave it out of reads.
    peer_totals = [(int(r["n"]), None if r["r"] is None else int(r["r"]))
                   for r in sorted(peer_rows, key=lambda r: r["account_id"])]
    from registry.db.models import DailyMetric

    metric = await DailyMetric.filter(account_id=account.id, followers__isnull=False).order_by("-day").first()
    siblings = await Account.filter(unit_id=account.unit.id, platform=account.platform).exclude(id=account.id)
    findings = await Finding.filter(account_id=account.id).order_by("-first_seen")
    ids = {f.id for f in findings}
    notes = [n for n in await Notification.all().order_by("-created_at").limit(500) if ids & set(n.finding_ids)]
    silences = await Silence.filter(account_id=account.id).order_by("-starts_at")
    audit = await AuditEvent.filter(entity="account", entity_id=account.id).order_by("-at").limit(50)
    return Dossier(review=review, account=account, ledger=account_view(account), last_post=last,
                   windows=[_window(rows, now, d) for d in (30, 90, 180)],
                   followers=metric.followers if metric else None,
                   followers_approx=bool(metric and metric.followers_approx), peer_totals=peer_totals,
                   siblings=list(siblings), findings=list(findings), notifications=notes, silences=list(silences),
                   audit=list(audit), coverage=(await coverage_counts([account.id])).get(account.id, {}))

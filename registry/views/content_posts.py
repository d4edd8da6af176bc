"""The posts the content check reads: those to scan (text changed since their last scan) and those with problems.

A post's scan marker (``content_scanned``) holds the fingerprint of the checker that last scanned it; the
ingest resets it when the post's title, date or text changes, so a check scans only new and edited posts
(and every post again when the checker itself changes: other lexicons, hotlines or settings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from registry.db.models import CONTENT_FLAGGED as FLAGGED
from registry.db.models import Post

BATCH = 2000  # posts per read: bounded memory on a province-size first scan



@dataclass(frozen=True)
class ScanRow:
    """One post to scan: its id, account, date and checkable text (the title when nothing more is known)."""

    id: int
    account_id: int
    published_at: dt.datetime
    text: str


@dataclass(frozen=True)
class FlaggedPost:
    """A post whose last scan found problems, with what names it in a finding."""

    id: int
    account_id: int
    title: str
    url: str
    published_at: dt.datetime
    text_coverage: str  # title | digest | full
    hits: list[dict[str, str]]


async def posts_to_scan(fingerprint: str, account_ids: Sequence[int] | None = None) -> AsyncIterator[list[ScanRow]]:
    """Batches of the posts not yet scanned by ``fingerprint`` (of these accounts, when given)."""
    # Every other marker sorts below the fingerprint or above it with "+": fixed-length hex fingerprints
    # differ at some position before the "+" (so both ranges use the index; ``<>`` would scan the table).
    query = Post.filter(Q(content_scanned__isnull=True) | Q(content_scanned__lt=fingerprint)
                        | Q(content_scanned__gt=fingerprint + FLAGGED))
    if account_ids is not None:
        query = query.filter(account_id__in=list(account_ids))
    if not await query.exists():  # the routine case, answered by the index (the batches below walk ids)
        return
    last = 0
    while True:
        rows = await query.filter(id__gt=last).order_by("id").limit(BATCH).values(
            "id", "account_id", "published_at", "title", "text")
        if not rows:
            return
        last = rows[-1]["id"]
        yield [ScanRow(r["id"], r["account_id"], r["published_at"], r["text"] or r["title"] or "") for r in rows]


async def flagged_posts(fingerprint: str, account_ids: Sequence[int] | None = None) -> list[FlaggedPost]:
    """Every post whose scan by ``fingerprint`` found problems (of these accounts, when given), oldest first.

    """
    query = Post.filter(content_scanned=fingerprint + FLAGGED)
    if account_ids is not None:
        query = query.filter(account_id__in=list(account_ids))
    rows: list[dict[str, Any]] = await query.order_by("published_at", "id").values(
        "id", "account_id", "title", "url", "published_at", "text_coverage", "content_hits")
    return [FlaggedPost(r["id"], r["account_id"], r["title"], r["url"], r["published_at"],
                        r["text_coverage"] or "title", list(r["content_hits"])) for r in rows if r["content_hits"]]


async def coverage_counts(account_ids: Sequence[int] | None = None, since: dt.datetime | None = None,
                          until: dt.datetime | None = None) -> dict[int, dict[str, int]]:
    """Per account, how many posts (published in [since, until)) are known by title, digest or full text."""
    query = Post.all()
    if account_ids is not None:
        query = query.filter(account_id__in=list(account_ids))
    if since is not None:
        query = query.filter(published_at__gte=since)
    if until is not None:
        query = query.filter(published_at__lt=until)
    out: dict[int, dict[str, int]] = {}
    rows = await query.annotate(n=Count("id")).group_by("account_id", "text_coverage").values(
        "account_id", "text_coverage", "n")
    for r in rows:
        per = out.setdefault(r["account_id"], {"title": 0, "digest": 0, "full": 0})
        per[r["text_coverage"] or "title"] += int(r["n"])
    return out


@dataclass(frozen=True)
class UnitContent:
    """One unit's posts of a period for the 内容安全 section: how much was checkable and what was found."""

    unit: str
    posts: int = 0
    full: int = 0
    digest: int = 0
    title_only: int = 0
    scanned: int = 0  # posts whose text a content check has scanned
    hits: tuple[dict[str, str], ...] = ()


async def unit_content(since: dt.datetime, until: dt.datetime) -> list[UnitContent]:
    """Per unit, the posts published in [since, until): coverage, scanned posts and their (masked) problems
    (as their last scan found them)."""
    counts = await Post.filter(published_at__gte=since, published_at__lt=until).annotate(n=Count("id")).group_by(
        "account__unit__name", "text_coverage", "content_scanned").values("account__unit__name", "text_coverage",
                                                                          "content_scanned", "n")
    flagged = await Post.filter(published_at__gte=since, published_at__lt=until, content_hits__isnull=False).values(
        "account__unit__name", "content_hits")
    units: dict[str, dict[str, Any]] = {}
    for r in counts:
        u = units.setdefault(r["account__unit__name"], {"posts": 0, "full": 0, "digest": 0, "title_only": 0,
                                                        "scanned": 0, "hits": []})
        n = int(r["n"])
        u["posts"] += n
        u[{"full": "full", "digest": "digest"}.get(r["text_coverage"] or "", "title_only")] += n
        u["scanned"] += n if r["content_scanned"] else 0
    for r in flagged:
        units[r["account__unit__name"]]["hits"].extend(r["content_hits"] or [])
    return [UnitContent(name, u["posts"], u["full"], u["digest"], u["title_only"], u["scanned"], tuple(u["hits"]))
            for name, u in sorted(units.items())]

"""`manual`: units' monthly submissions (xlsx/csv) of posts and followers, validated like the ledger.

Columns (Chinese headers, English aliases): 账号* (platform:uid, id or exact name; or 平台 + 账号ID),
日期*, 标题, 链接, 阅读数, 点赞数, 转发数, 评论数, 粉丝数. A row with a title or link is a post; a row
with 粉丝数 is that day's follower count. All rows valid or nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from collectors.model import BEIJING, MetricObs, PostObs
from registry.config.i18n import tr
from registry.db.lifecycle import transaction
from registry.ledger import accounts as store
from registry.ledger.cells import has_control_chars, parse_date
from registry.ledger.row_errors import RowError
from registry.ledger.tabular import TableError, read_table
from registry.observations import store as obs
from registry.observations.store import Success

COLUMNS = {
    "account": ("账号", "account", "ref"),
    "platform": ("平台", "platform"),
    "uid": ("账号ID", "uid", "account id"),
    "date": ("日期", "发布日期", "date"),
    "title": ("标题", "title"),
    "url": ("链接", "url", "link"),
    "reads": ("阅读数", "阅读量", "reads"),
    "likes": ("点赞数", "likes"),
    "shares": ("转发数", "分享数", "shares"),
    "comments": ("评论数", "comments"),
    "followers": ("粉丝数", "关注数", "followers"),
}
#: The submission template's columns (`govmedia collect template`): key -> the Chinese header this reader knows.
TEMPLATE_COLUMNS: dict[str, str] = {key: names[0] for key, names in COLUMNS.items()}
NUMBERS = ("reads", "likes", "shares", "comments", "followers")
MAX_NUMBER = 2**63 - 1  # the registry's BIGINT columns
_TIME = re.compile(r"^(.+?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class Submission:
    """Validated submission rows grouped by account id."""

    posts: dict[int, list[PostObs]] = field(default_factory=dict)
    metrics: dict[int, list[MetricObs]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _map(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    norm = {h.strip().lower(): i for i, h in enumerate(headers)}
    mapping: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for n in names:
            if n.lower() in norm:
                mapping[key] = norm[n.lower()]
                break
    unknown = [h for h in headers if h.strip() and h.strip().lower() not in {n.lower() for ns in COLUMNS.values() for n in ns}]
    return mapping, unknown


def _whole_number(raw: str) -> int | None:
    """A non-negative whole number (full-width digits too), or None; "²" is a digit to isdigit(), not to int()."""
    if not raw.isdigit():
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def _moment(raw: str) -> dt.datetime:
    m = _TIME.match(raw.strip())
    day = parse_date(m.group(1) if m else raw)
    if day is None:
        raise ValueError(raw)
    t = dt.time(int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)) if m else dt.time(0)
    return dt.datetime.combine(day, t, BEIJING)


async def read_submission(path: Path, today: dt.date) -> Submission:
    """Parse and validate a submission file; resolve each row's account."""
    out = Submission()
    try:
        table = read_table(path)
    except TableError as exc:
        out.errors.append(RowError(0, path.name, str(exc), ""))
        return out
    mapping, unknown = _map(table.headers)
    if unknown:
        out.warnings.append(tr(f"未知列将被忽略：{'、'.join(unknown)}", f"unknown columns ignored: {', '.join(unknown)}"))
    if "date" not in mapping or ("account" not in mapping and not {"platform", "uid"} <= set(mapping)):
        out.errors.append(RowError(1, "账号/日期", tr("缺少必需的列（账号或平台+账号ID，日期）", "required columns missing"), ""))
        return out
    cache: dict[str, int | str] = {}
    for number, cells in table.rows:
        cell = {k: cells[i].strip() if i < len(cells) else "" for k, i in mapping.items()}
        ref = cell.get("account") or f"{cell.get('platform', '')}:{cell.get('uid', '')}"
        if ref not in cache:
            try:
                cache[ref] = (await store.find_account(ref)).id
            except (store.NotFound, store.Ambiguous) as exc:
                cache[ref] = str(exc)
        account = cache[ref]
        if isinstance(account, str):
            out.errors.append(RowError(number, COLUMNS["account"][0], account, ref))
            continue
        moment: dt.datetime | None
        try:
            moment = _moment(cell["date"])
            if moment.date() > today:
                raise ValueError(cell["date"])
        except ValueError:
            out.errors.append(RowError(number, COLUMNS["date"][0], tr("日期无效或晚于今天", "invalid or future date"), cell["date"]))
            moment = None
        nums: dict[str, int | None] = {}
        for key in NUMBERS:
            raw = cell.get(key, "").replace(",", "")
            value = _whole_number(raw)
            if raw and (value is None or value > MAX_NUMBER):
                out.errors.append(RowError(number, COLUMNS[key][0], tr("应为非负整数", "must be a whole number"), raw))
                value = None
            nums[key] = value
        title, url = cell.get("title", ""), cell.get("url", "")
        if has_control_chars(title + url):
            out.errors.append(RowError(number, COLUMNS["title"][0], tr("含有不可见的控制字符", "holds invisible control characters"),
                                       title[:40]))
        if not title and not url and nums["followers"] is None:
            out.errors.append(RowError(number, COLUMNS["title"][0], tr("既无标题/链接也无粉丝数", "neither a post nor a follower count"), ""))
        if len(title) > 256 or len(url) > 1024:
            out.errors.append(RowError(number, COLUMNS["title"][0], tr("内容过长", "too long"), title[:40]))
        if moment is None:
            continue
        if title or url:
            pid = "manual:" + hashlib.sha1(f"{moment.date()}|{title}|{url}".encode()).hexdigest()[:20]
            out.posts.setdefault(account, []).append(PostObs(
                post_id=pid, published_at=moment, title=title, url=url or None, reads=nums["reads"],
                likes=nums["likes"], shares=nums["shares"], comments=nums["comments"]))
        if nums["followers"] is not None:
            out.metrics.setdefault(account, []).append(MetricObs(day=moment.date(), followers=nums["followers"]))
    return out


async def import_submission(path: Path, *, today: dt.date, now: dt.datetime, worker: str) -> Submission:
    """Validate then store a submission, recording one successful manual attempt per account."""
    sub = await read_submission(path, today)
    if sub.errors:
        return sub
    async with transaction():
        await _store(sub, now, worker)
    return sub


async def _store(sub: Submission, now: dt.datetime, worker: str) -> None:
    # Every account's posts in one batch (COPY on PostgreSQL), inside the caller's transaction.
    written = await obs.upsert_post_batches(sub.posts, "manual")
    for account_id in sorted(set(sub.posts) | set(sub.metrics)):
        posts, metrics = sub.posts.get(account_id, []), sub.metrics.get(account_id, [])
        last_day = max([p.published_at.astimezone(BEIJING).date() for p in posts] + [m.day for m in metrics])
        attempt = await obs.start_attempt(account_id, "manual", worker, now)
        covered = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), BEIJING)
        await obs.record_success(attempt, account_id, "manual",
                                 Success(posts=posts, metrics=metrics, known_until=min(covered, now)), now,
                                 posts_written=written.get(account_id, (0, 0)))

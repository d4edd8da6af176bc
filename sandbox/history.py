"""Generated history of one account: posting days, posts with their reach, daily followers and platform ids."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TypedDict

from sandbox.comments import SLOW_RESPONDERS
from sandbox.model import TZ, Account, Post
from sandbox.personas import Persona
from sandbox.reach import lognormal_int, portion, settled_share
from sandbox.titles import make_details, make_text

HISTORY_DAYS = 365
# Follower series reach a little further back than posts so week-long datacube spans always have data.
FOLLOWER_DAYS = HISTORY_DAYS + 40
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def hex_id(seed: int, uid: str, purpose: str, length: int) -> str:
    """A stable hex string derived from the seed, an account uid and a purpose."""
    return hashlib.sha256(f"{seed}:{uid}:{purpose}".encode()).hexdigest()[:length]


def token_id(seed: int, uid: str, purpose: str, length: int) -> str:
    """A stable URL-safe token (letters, digits, - and _) derived like `hex_id`."""
    raw = b"".join(hashlib.sha256(f"{seed}:{uid}:{purpose}{n}".encode()).digest() for n in ("", "+"))
    return base64.urlsafe_b64encode(raw).decode().replace("=", "")[:length]


def mid_to_bid(mid: str) -> str:
    """Weibo's short post id: the decimal mid in groups of seven digits, each written in base 62."""
    parts: list[str] = []
    end = len(mid)
    while end > 0:
        start = max(0, end - 7)
        number = int(mid[start:end])
        chunk = ""
        while number:
            number, rem = divmod(number, 62)
            chunk = _BASE62[rem] + chunk
        parts.append(chunk.rjust(4, "0") if start > 0 else chunk or "0")
        end = start
    return "".join(reversed(parts))



def follower_series(rng: random.Random, current: int, growth: float) -> tuple[int, ...]:
    """Daily followers, index 0 = today, as a random walk with drift walked backwards from today."""
    drift = current * growth / 365
    noise = max(current, 1) ** 0.5 * 0.1
    values, value = [], float(current)
    for _ in range(FOLLOWER_DAYS):
        values.append(max(0, round(value)))
        value = max(0.0, value - drift + rng.gauss(0.0, noise))
    return tuple(values)


def _posting_moments(rng: random.Random, p: Persona, now: datetime) -> list[datetime]:
    """One moment per posting day, newest first, following the persona's gaps."""
    moments = []
    offset = rng.randint(*p.first_gap)
    minute_now = now.hour * 60 + now.minute
    while offset <= HISTORY_DAYS:
        day = now.date() - timedelta(days=offset)
        latest = min(21 * 60 + 30, minute_now - 1) if offset == 0 else 21 * 60 + 30
        if latest >= 7 * 60 + 30:
            minute = rng.randint(7 * 60 + 30, latest)
            moments.append(datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), TZ))
        offset += rng.choice(p.gaps)
    return moments


class Reach(TypedDict):
    """A post's reads and engagement."""

    reads: int
    likes: int
    zaikan: int
    shares: int
    favourites: int
    comments: int


def _reach(rng: random.Random, p: Persona, sent: date, today: date, lead: int | None, weibo: bool = False) -> Reach:
    """Reads and engagement of one post as of today; `lead` is the lead article's reads, if any."""
    if lead is None:
        reads = lognormal_int(rng, *p.reads)
        if p.reads_range is not None:
            reads = min(max(reads, p.reads_range[0]), p.reads_range[1])
        if rng.random() < p.unread_share:
            reads = rng.randint(1, 4)  # nobody read it: below getarticlesummary's engagement floor
    else:
        reads = max(1, round(lead * rng.uniform(0.15, 0.6)))
    # Weibo readers like and repost more readily than WeChat readers, and have no 在看 or favourites.
    likes = portion(reads, 0.02 if weibo else 0.012, rng)
    aged = settled_share(sent, today)
    return {
        "reads": round(reads * aged),
        "likes": round(likes * aged),
        "zaikan": 0 if weibo else round(portion(likes, 0.4, rng) * aged),
        "shares": round(portion(reads, 0.008 if weibo else 0.03, rng) * aged),
        "favourites": 0 if weibo else round(portion(reads, 0.006, rng) * aged),
        "comments": round(portion(reads, 0.006 if weibo else 0.003, rng) * aged),
    }


def wechat_posts(rng: random.Random, p: Persona, account: Account, now: datetime, seed: int) -> tuple[Post, ...]:
    moments = _posting_moments(rng, p, now)
    forced_mass = p.name in ("flagship", "department")
    msg_data_id = 2_247_483_648 + rng.randint(100, 5000)
    posts: list[Post] = []
    for n, moment in enumerate(reversed(moments)):
        newest = n == len(moments) - 1
        mass = (forced_mass and newest) or rng.random() < p.mass_share
        # The slow responders mass-send their recent posts, so their 留言 can be read (comment/list reads
        # mass sends only) and slow_response has something to judge; no extra draw keeps the county as it was.
        mass = mass or (account.uid in SLOW_RESPONDERS and (now - moment).days <= 30)
        msg_data_id += 1
        article_id = "" if mass else token_id(seed, account.uid, f"article{msg_data_id}", 43)
        deleted = not mass and not newest and (now - moment).days > 30 and rng.random() < 0.03
        lead: int | None = None
        for index in range(1, rng.randint(*p.items) + 1):
            title, digest = make_text(rng, account.unit, moment.date())
            reach = _reach(rng, p, moment.date(), now.date(), lead)
            lead = reach["reads"] if lead is None else lead
            if account.interaction == "无":
                reach["comments"] = 0  # comments are closed on this account
            if mass:
                url = (f"http://mp.weixin.qq.com/s?__biz={account.biz}&mid={msg_data_id}&idx={index}"
                       f"&sn={hex_id(seed, account.uid, f'sn{msg_data_id}_{index}', 32)}#rd")
            else:
                url = f"https://mp.weixin.qq.com/s/{token_id(seed, account.uid, f'short{msg_data_id}_{index}', 22)}"
            posts.append(Post(
                id=f"{msg_data_id}_{index}", published_at=moment, title=title, text=digest, url=url,
                mass_sent=mass, msg_data_id=msg_data_id, index=index, article_id=article_id, deleted=deleted,
                **reach,
            ))
    return tuple(sorted(posts, key=lambda post: (post.published_at, -post.index), reverse=True))


def weibo_posts(rng: random.Random, p: Persona, account: Account, now: datetime, pinned: bool) -> tuple[Post, ...]:
    posts: list[Post] = []
    for moment in _posting_moments(rng, p, now):
        day_start = datetime.combine(moment.date(), time(7, 0), TZ)
        for k in range(rng.randint(*p.items)):
            # Extra posts of a day spread over the hours before the day's first chosen moment.
            at = moment if k == 0 else day_start + (moment - day_start) * rng.random()
            title, text = make_text(rng, account.unit, at.date())
            if rng.random() < 0.1:
                text += make_details(rng, account.unit)  # long posts fold at 140 characters (isLongText)
            reach = _reach(rng, p, at.date(), now.date(), None, weibo=True)
            mid = str(((int(at.timestamp()) - 515_483_463) << 22) + rng.getrandbits(22))
            bid = mid_to_bid(mid)
            posts.append(Post(
                id=mid, published_at=at.replace(microsecond=0), title=title, text=f"【{title}】{text}",
                url=f"https://weibo.com/{account.uid}/{bid}", bid=bid, **reach,
            ))
    posts.sort(key=lambda post: post.id, reverse=True)
    if pinned:
        old = [i for i, post in enumerate(posts) if 60 <= (now - post.published_at).days <= 300]
        if old:
            i = max(old, key=lambda j: posts[j].likes)
            posts[i] = replace(posts[i], pinned=True)
            if p.name == "flagship":
                # The post that once went viral stays pinned: its counts exceed what the app shows (100万+).
                posts[i] = replace(posts[i], likes=1_000_000 + rng.randint(0, 400_000),
                                   shares=rng.randint(150_000, 300_000), comments=rng.randint(40_000, 90_000))
    return tuple(posts)

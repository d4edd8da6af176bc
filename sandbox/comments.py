"""Generated comment threads: who commented on a post, when, and whether (and when) the account answered.

Deterministic from the seed and the post. A post's thread holds its `comments` count of top-level
comments (at most `THREAD_CAP`), written over the days after publishing; only those written by the
sandbox's `now` are shown. Every account answers almost every comment within hours, except the slow
responders below, which leave most comments unanswered for days (a `slow_response` rule should fire for
them and for no other account):

- WeChat 滹沱住建 (`gh_c0274809bbee`) and 东关发布 (`gh_59885c41b7cd`): about 70 % of 留言 never answered,
  the rest after 3-6 days;
- Weibo 滹沱人社 (`5967838011`, weibo_public): the same on its Weibo comments.

Accounts whose ledger 互动渠道 is 无 (滹沱农业农村) have no comment privilege: `comment/list` answers 88000.
A responsive account answers every comment within `FRESH_HOURS` hours (only younger ones wait).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.model import Account, Post

SLOW_RESPONDERS = frozenset({"gh_c0274809bbee", "gh_59885c41b7cd", "5967838011"})
THREAD_CAP = 300
FRESH_HOURS = 18
_QUESTIONS = ("请问{}在哪里办理？", "{}什么时候开始？", "希望多发布{}的消息", "{}的材料需要哪些？", "点赞{}！",
              "我们村的{}什么时候落实？", "{}的电话打不通，怎么办？")
_ANSWERS = ("您好，已转相关部门办理，请留意后续通知。", "您好，请工作日到政务服务大厅咨询。", "感谢关注，我们会持续发布相关信息。",
            "您好，具体安排以正式通知为准。")


@dataclass(frozen=True)
class Reply:
    """A reply under a comment: by the account (`by_author`) or by another user."""

    id: int
    at: datetime
    text: str
    by_author: bool
    user_id: int


@dataclass(frozen=True)
class Thread:
    """One top-level comment with its replies (oldest first)."""

    id: int
    at: datetime
    text: str
    user_id: int
    replies: tuple[Reply, ...]

    def answer(self) -> Reply | None:
        """The account's reply, if any."""
        return next((r for r in self.replies if r.by_author), None)


def no_privilege(account: Account) -> bool:
    """The account has no comment (留言) function: WeChat answers 88000."""
    return account.interaction == "无"


def _rng(seed: int, account: Account, post: Post) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}:{account.uid}:{post.id}:comments".encode()).hexdigest()[:16], 16))


_CACHE: dict[tuple[int, str, str], tuple[Thread, ...]] = {}
_CACHE_MAX = 200_000


def threads(seed: int, account: Account, post: Post, now: datetime) -> list[Thread]:
    """The post's top-level comments written by `now`, oldest first, with replies written by `now`."""
    if no_privilege(account) or post.comments <= 0:
        return []
    key = (seed, account.uid, post.id)
    every = _CACHE.get(key)
    if every is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        every = _CACHE[key] = _generate(seed, account, post)
    out = []
    for t in every:
        if t.at <= now:
            shown = tuple(r for r in t.replies if r.at <= now)
            out.append(t if len(shown) == len(t.replies) else Thread(t.id, t.at, t.text, t.user_id, shown))
    return out


def _generate(seed: int, account: Account, post: Post) -> tuple[Thread, ...]:
    """Every comment the post will ever get, with every reply (the draws do not depend on `now`)."""
    rng = _rng(seed, account, post)
    slow = account.uid in SLOW_RESPONDERS
    base = int(post.id.split("_")[0]) * 1000 if account.platform == "wechat" else int(post.id) + 1
    out = []
    topic = post.title[:8]
    for k in range(min(post.comments, THREAD_CAP)):
        at = post.published_at + timedelta(minutes=rng.randint(5, 60 * 24 * 3) if k else rng.randint(5, 600))
        user = 2_000_000_000 + rng.randint(0, 999_999_999)
        replies: list[Reply] = []
        # Other readers join in now and then; their replies come before the account's.
        for j in range(rng.choice((0, 0, 0, 1, 2, 3))):
            replies.append(Reply(base * 10 + k * 10 + j + 1, at + timedelta(minutes=rng.randint(1, 300)),
                                 "同问", False, 2_000_000_000 + rng.randint(0, 999_999_999)))
        if slow:
            answered_after = timedelta(hours=rng.randint(72, 144)) if rng.random() < 0.3 else None
        else:
            answered_after = timedelta(minutes=rng.randint(20, 60 * FRESH_HOURS))
        if answered_after is not None:
            # The account answers after the readers' replies, so a short preview may not show it.
            after = max([answered_after, *((r.at - at) + timedelta(minutes=1) for r in replies)])
            replies.append(Reply(base * 10 + k * 10 + 9, at + after, rng.choice(_ANSWERS), True, 0))
        out.append(Thread(base + k, at, rng.choice(_QUESTIONS).format(topic), user, tuple(replies)))
    out.sort(key=lambda t: (t.at, t.id))
    return tuple(out)

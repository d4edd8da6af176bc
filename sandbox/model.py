"""The generated county's data model: posts, accounts, the WeCom corp and the county itself (all immutable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Post:
    """One WeChat article or Weibo post, with its reach as of the county's `now`."""

    id: str
    published_at: datetime
    title: str
    text: str
    url: str
    reads: int
    likes: int
    shares: int
    zaikan: int
    favourites: int
    comments: int
    pinned: bool = False
    mass_sent: bool = False
    msg_data_id: int = 0
    index: int = 0
    article_id: str = ""
    deleted: bool = False
    bid: str = ""

    @property
    def day(self) -> date:
        """The county-calendar day the post was published."""
        return self.published_at.astimezone(TZ).date()


@dataclass(frozen=True)
class Account:
    """A ledger account with its persona, credentials and generated history."""

    platform: str
    platform_name: str
    uid: str
    name: str
    unit: str
    persona: str
    method: str
    credential: str
    feed_path: str
    feed_format: str
    wecom_user: str
    interaction: str
    opened_on: date | None
    today: date
    followers: tuple[int, ...] = ()
    posts: tuple[Post, ...] = ()
    statuses_count: int = 0
    appid: str = ""
    secret: str = ""
    biz: str = ""
    access_token: str = ""

    def followers_on(self, day: date) -> int | None:
        """Followers at the end of `day`, or None outside the generated range."""
        offset = (self.today - day).days
        if self.opened_on is not None and day < self.opened_on:
            return None
        return self.followers[offset] if 0 <= offset < len(self.followers) else None

    def posts_until(self, moment: datetime) -> tuple[Post, ...]:
        """Posts published at or before `moment`, newest first."""
        return tuple(p for p in self.posts if p.published_at <= moment)


@dataclass(frozen=True)
class WeCom:
    """The county's WeCom (企业微信) corp: app credentials, members and group robots."""

    corp_id: str
    corp_secret: str
    agent_id: int
    users: tuple[str, ...]
    robot_keys: Mapping[str, str]


@dataclass(frozen=True)
class County:
    """The whole generated county."""

    seed: int
    now: datetime
    accounts: tuple[Account, ...]
    wecom: WeCom
    weibo_cookie: str
    openids: Mapping[str, str]
    template_ids: Mapping[str, str]
    legacy_date_uids: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def _by_uid(self) -> dict[str, Account]:
        return {a.uid: a for a in self.accounts}

    @cached_property
    def _by_appid(self) -> dict[str, Account]:
        return {a.appid: a for a in self.accounts if a.appid}

    @cached_property
    def _by_weibo_token(self) -> dict[str, Account]:
        return {a.access_token: a for a in self.accounts if a.access_token}

    def account(self, uid: str) -> Account | None:
        """The account with this platform uid (gh_ id, Weibo uid, …)."""
        return self._by_uid.get(uid)

    def by_appid(self, appid: str) -> Account | None:
        """The WeChat account with this AppID."""
        return self._by_appid.get(appid)

    def by_weibo_token(self, token: str) -> Account | None:
        """The Weibo account that authorised this OAuth access token."""
        return self._by_weibo_token.get(token)

    @property
    def flagship_wechat(self) -> Account:
        """The county's main WeChat service account (owner of the template messages)."""
        return next(a for a in self.accounts if a.platform == "wechat" and a.persona == "flagship")

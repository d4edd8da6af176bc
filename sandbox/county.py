"""The generated sample county: the sample ledger's accounts with a year of seeded, deterministic history.

`build_county(seed, now)` reads `registry/data/sample-ledger.csv` and `sandbox/data/personas.csv` and
gives every account a history relative to `now` (day boundaries in Asia/Shanghai). Everything that
identifies an account (AppID/AppSecret, OAuth token, WeCom ids) depends only on the seed and uid, so a
county built on another day keeps the same credentials. Facts the tests and the demo rely on:

- WeChat sends are either mass-sent (群发, `mass_sent=True`) or free-published (发布, with an
  `article_id`); the newest send of flagship and department accounts is always mass-sent, so a
  collector that only reads `freepublish/batchget` sees them as older than they are.
- Weibo posts are newest first; the flagship, the drifting township and one department account pin an
  old post (`pinned=True`; the flagship's pinned post went viral: over a million likes).
- One weibo_public department account (`legacy_date_uids`) answers with the pre-2021 relative dates.
- The County and its accounts are immutable, so one build can be shared between apps.
"""

from __future__ import annotations

import base64
import csv
import random
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

from sandbox.content import plant
from sandbox.history import follower_series, hex_id, mid_to_bid, token_id, wechat_posts, weibo_posts
from sandbox.model import TZ, Account, County, Post, WeCom
from sandbox.personas import WEIBO_FLAGSHIP_FOLLOWER_FACTOR, Persona, persona
from sandbox.reach import lognormal_int

__all__ = [
    "OFFICE_USER", "TZ", "Account", "County", "Post", "WeCom", "build_county", "demo_secrets", "mid_to_bid",
]

PLATFORMS = {"微信公众号": "wechat", "新浪微博": "weibo"}
WECOM_AGENT_ID = 1000002
# The county office (政务公开办) has a WeCom user too; the ledger lists only the units' staff.
OFFICE_USER = "hutuo_office"
#: Pacing of the weibo_public lane against this simulator (no 418 limit): still serial, 0.3-0.5 s apart
#: instead of m.weibo.cn's 3-5 s, for the demo and tests that are not about pacing.
SIM_WEIBO_PACING = {"platforms.weibo.min_interval": 0.3, "platforms.weibo.jitter": 0.2}


def build_county(seed: int = 7, now: datetime | None = None) -> County:
    """The county for `seed` with histories ending at `now` (aware; default: the current time)."""
    moment = datetime.now(TZ) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return _build(seed, moment.astimezone(TZ))


def demo_secrets(county: County) -> dict[str, dict[str, str]]:
    """Credential name (ledger 凭据) -> secret fields, as a secrets file would hold them."""
    secrets: dict[str, dict[str, str]] = {}
    for account in county.accounts:
        if not account.credential:
            continue
        if account.appid:
            secrets[account.credential] = {"appid": account.appid, "secret": account.secret}
        elif account.access_token:
            secrets[account.credential] = {"access_token": account.access_token}
    # The login cookie m.weibo.cn comments need ([platforms.weibo] cookie_credential, default weibo_cookie).
    secrets["weibo_cookie"] = {"cookie": f"SUB={county.weibo_cookie}"}
    return secrets


def _read_csv(package: str, name: str) -> list[dict[str, str]]:
    text = (resources.files(package) / "data" / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=8)
def _build(seed: int, now: datetime) -> County:
    personas = {(r["platform"], r["uid"]): r["persona"] for r in _read_csv("sandbox", "personas.csv")}
    rows = _read_csv("registry", "sample-ledger.csv")
    chooser = random.Random(f"{seed}:county")
    public_departments = [
        r["账号ID"] for r in rows
        if personas.get((r["平台"], r["账号ID"])) == "department_weibo" and r["采集方式"] == "weibo_public"
    ]
    legacy = chooser.choice(public_departments) if public_departments else ""
    pinned = {r["账号ID"] for r in rows if personas.get((r["平台"], r["账号ID"])) in ("flagship", "drifting_weibo")}
    pinned.update(chooser.sample([u for u in public_departments if u != legacy], k=1) if len(public_departments) > 1 else [])
    accounts = []
    feeds = 0
    for row in rows:
        key = (row["平台"], row["账号ID"])
        if key not in personas:
            raise ValueError(f"no persona for ledger account {key}")
        # Every second feed account publishes Atom instead of RSS, so readers must handle both.
        fmt = ("rss", "atom")[feeds % 2] if row["采集方式"] == "feed" else ""
        feeds += row["采集方式"] == "feed"
        accounts.append(_account(row, persona(personas[key]), seed, now, row["账号ID"] in pinned, fmt))
    users = tuple(dict.fromkeys([*(r["企业微信账号"].lower() for r in rows if r["企业微信账号"]), OFFICE_USER]))
    wecom = WeCom(
        corp_id="ww" + hex_id(seed, "wecom", "corp", 16),
        corp_secret=token_id(seed, "wecom", "secret", 43),
        agent_id=WECOM_AGENT_ID,
        users=users,
        robot_keys=MappingProxyType({name: _uuid(seed, name) for name in ("office", "matrix")}),
    )
    flagship = next(a for a in accounts if a.platform == "wechat" and a.persona == "flagship")
    return County(
        seed=seed,
        now=now,
        accounts=tuple(accounts),
        wecom=wecom,
        weibo_cookie="_2A25" + token_id(seed, "weibo", "cookie", 60),
        openids=MappingProxyType({u: "o" + token_id(seed, flagship.uid + u, "openid", 27) for u in users}),
        template_ids=MappingProxyType({"account_warning": token_id(seed, "template", "warning", 43)}),
        legacy_date_uids=frozenset({legacy} - {""}),
    )


def _uuid(seed: int, name: str) -> str:
    h = hex_id(seed, "robot", name, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _account(row: dict[str, str], p: Persona, seed: int, now: datetime, pinned: bool, feed_format: str) -> Account:
    uid = row["账号ID"]
    platform = PLATFORMS.get(row["平台"], "other")
    rng = random.Random(f"{seed}:{uid}")
    opened = date.fromisoformat(row["开设日期"]) if row["开设日期"] else None
    account = Account(
        platform=platform,
        platform_name=row["平台"],
        uid=uid,
        name=row["账号名称"],
        unit=row["主办单位"],
        persona=p.name,
        method=row["采集方式"],
        credential=row["凭据"],
        feed_path=row["订阅地址"],
        feed_format=feed_format,
        wecom_user=row["企业微信账号"].lower(),
        interaction=row["互动渠道"],
        opened_on=opened,
        today=now.date(),
    )
    if platform == "other":
        return account
    factor = WEIBO_FLAGSHIP_FOLLOWER_FACTOR if platform == "weibo" and p.name == "flagship" else 1
    current = lognormal_int(rng, p.followers[0] * factor, p.followers[1], tail=0.0)
    if p.followers_cap is not None:
        current = min(current, p.followers_cap)
    followers = follower_series(rng, current, p.growth)
    if platform == "wechat":
        # __biz is the base64 of the account's numeric id, as in real article links.
        num = 3_000_000_000 + int(hex_id(seed, uid, "biz", 8), 16) % 999_999_999
        account = replace(
            account,
            followers=followers,
            appid="wx" + hex_id(seed, uid, "appid", 16),
            secret=hex_id(seed, uid, "secret", 32),
            biz=base64.b64encode(str(num).encode()).decode(),
        )
        posts = wechat_posts(rng, p, account, now, seed) if p.posts else ()
        return replace(account, posts=posts, statuses_count=len(posts))
    posts = weibo_posts(rng, p, account, now, pinned) if p.posts else ()
    return plant(replace(
        account,
        followers=followers,
        posts=posts,
        statuses_count=len(posts) + rng.randint(300, 3000),
        access_token="2.00" + token_id(seed, uid, "oauth", 28) if row["采集方式"] == "weibo_api" else "",
    ))



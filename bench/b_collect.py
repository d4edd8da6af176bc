"""Collection cycle: `collectors.service.collect` over N accounts vs a bare httpx loop.

N accounts in a fresh database, alternating `wechat_api` (a routine pass: stable token, 7 days of
`getarticletotaldetail` and `getbizsummary` (one day per call), one week of `getusercumulate` and
`getusersummary`, `freepublish/batchget`, and `comment/list` for each of the week's 7 mass-sent
articles, the first time their comments are read = 25 calls) and `feed` (one RSS GET, 10 items). The fake platform (bench/fakeplatform.py) answers after
an injected latency. The bare loop sends the same requests with the same concurrency (accounts in
parallel, each account's calls in sequence) and neither parses nor stores anything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from bench.common import Result, backend, max_rss_mb, reset_database, timed
from bench.fakeplatform import BEIJING, FEED, WECHAT, FakePlatform, article_msgid
from bench.generate import ACCOUNT_COLS, PERSON_COLS, STATE_COLS, UNIT_COLS
from bench.rawdb import RawWriter
from collectors.service import collect
from registry.config.credentials import Credential, Secrets
from registry.config.settings import load
from registry.db.lifecycle import database


def _last_day(now: dt.datetime) -> dt.date:
    local = now.astimezone(BEIJING)
    return local.date() - dt.timedelta(days=1 if local.hour >= 8 else 2)


async def register(url: str, n: int, now: dt.datetime, *, feed_only: bool = False) -> None:
    """A fresh database with n collectable accounts, collected an hour ago (routine pass): odd ones WeChat
    and even ones feeds, or all feeds (``feed_only``)."""
    await reset_database(url)
    async with database(url):
        pass
    w = await RawWriter(url).open()
    units = max(1, n // 3)
    created = now - dt.timedelta(days=30)
    await w.insert("unit", UNIT_COLS, [(u, f"采集单位{u}", "department", created, created, None)
                                       for u in range(1, units + 1)])
    await w.insert("person", PERSON_COLS, [(p, f"联系人{p}", "head" if p % 2 else "operator", "", f"u{p}", None,
                                            created, created, (p + 1) // 2) for p in range(1, 2 * units + 1)])
    accounts, states = [], []
    cursor = f"day={(_last_day(now) - dt.timedelta(days=1)).isoformat()}"
    for i in range(1, n + 1):
        wechat = i % 2 == 1 and not feed_only
        u = (i - 1) % units + 1
        accounts.append((i, "wechat" if wechat else "douyin", f"gh_{i:012x}" if wechat else f"dy{i}", f"采集账号{i}",
                         "", "", "", "member", "operating", None, True, None, "留言", "",
                         "wechat_api" if wechat else "feed", f"wx{i}" if wechat else "", "" if wechat else f"/feed/{i}",
                         "", created, created, 2 * u - 1, 2 * u, u))
        seen = now - dt.timedelta(hours=1)
        states.append((i, seen, seen, seen, None, "", 0, False, (now - dt.timedelta(days=120)).date() if wechat else None,
                       cursor if wechat else "", None, None, None, None))
    await w.insert("account", ACCOUNT_COLS, accounts)
    await w.insert("account_state", STATE_COLS, states)
    await w.fix_sequences(["unit", "person", "account"])
    await w.close()


def requests_of(i: int, now: dt.datetime) -> list[tuple[str, str, dict[str, Any]]]:
    """The requests the collector makes for account i in a routine pass (for the bare loop)."""
    if i % 2 == 0:
        return [("GET", f"{FEED}/feed/{i}", {})]
    appid, last = f"wxbench{i:08d}", _last_day(now)
    token = {"params": {"access_token": f"TOKEN-{appid}"}}
    first = last - dt.timedelta(days=6)
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", f"{WECHAT}/cgi-bin/stable_token", {"json": {"grant_type": "client_credential", "appid": appid,
                                                             "secret": f"s{i:031d}", "force_refresh": False}})]
    days = [(first + dt.timedelta(days=k)).isoformat() for k in range(7)]
    for day in days:
        for name in ("getarticletotaldetail", "getbizsummary"):
            out.append(("POST", f"{WECHAT}/datacube/{name}", {**token, "json": {"begin_date": day, "end_date": day}}))
    span = {"begin_date": first.isoformat(), "end_date": last.isoformat()}
    out.append(("POST", f"{WECHAT}/datacube/getusercumulate", {**token, "json": span}))
    out.append(("POST", f"{WECHAT}/datacube/getusersummary", {**token, "json": span}))
    out.append(("POST", f"{WECHAT}/cgi-bin/freepublish/batchget",
                {**token, "json": {"offset": 0, "count": 20, "no_content": 1}}))
    for day in reversed(days):  # comments of the newest articles first
        msg = int(article_msgid(day).split("_")[0])
        out.append(("POST", f"{WECHAT}/cgi-bin/comment/list",
                    {**token, "json": {"msg_data_id": msg, "index": 0, "begin": 0, "count": 49, "type": 0}}))
    return out


async def bare_loop(platform: FakePlatform, n: int, concurrency: int, now: dt.datetime) -> None:
    """The same requests with the same concurrency, reading bodies but neither parsing nor storing."""
    sem = asyncio.Semaphore(concurrency)
    async with platform.client() as client:
        async def one(i: int) -> None:
            async with sem:
                for method, url, kwargs in requests_of(i, now):
                    resp = await client.request(method, url, **kwargs)
                    resp.raise_for_status()

        await asyncio.gather(*(one(i) for i in range(1, n + 1)))


def secrets_for(n: int) -> Secrets:
    """In-memory credentials of the WeChat accounts."""
    return Secrets(path=None, credentials={f"wx{i}": Credential(f"wx{i}", {"appid": f"wxbench{i:08d}",
                                                                           "secret": f"s{i:031d}"})
                                           for i in range(1, n + 1, 2)})


async def run(url: str, accounts: int, *, latency: float = 0.05, concurrency: int = 32) -> Result:
    """Time the bare loop and one collection pass over the same accounts and platform."""
    res = Result("collect", backend(url), accounts)
    now = dt.datetime.now(BEIJING)
    await register(url, accounts, now)
    bare_platform = FakePlatform(latency)
    with timed() as t_bare:
        await bare_loop(bare_platform, accounts, concurrency, now)
    settings = load(None, environ={})
    settings.data["platforms"]["wechat"]["api_base"] = WECHAT
    settings.data["platforms"]["feed"]["base_url"] = FEED
    settings.data["collect"].update({"concurrency": concurrency, "per_host_concurrency": concurrency})
    platform = FakePlatform(latency)
    async with database(url, upgrade_schema=False), platform.client() as client:
        with timed() as t_collect:
            summary = await collect(settings, secrets_for(accounts), client)
    ok = summary.counts.get("ok", 0)
    res.values.update({
        "latency_ms": round(latency * 1000), "concurrency": concurrency,
        "calls": sum(platform.calls.values()), "bare_calls": sum(bare_platform.calls.values()),
        "bare_s": round(t_bare.wall, 3), "collect_s": round(t_collect.wall, 3),
        "bare_accounts_per_s": round(accounts / t_bare.wall, 1), "collect_accounts_per_s": round(accounts / t_collect.wall, 1),
        "ratio_vs_bare": round(t_bare.wall / t_collect.wall, 3),
        "bare_cpu_ms_per_account": round(1000 * t_bare.cpu / accounts, 2),
        "collect_cpu_ms_per_account": round(1000 * t_collect.cpu / accounts, 2),
        "ok": ok, "failed": summary.counts.get("failed", 0), "new_posts": summary.new_posts,
        "max_rss_mb": round(max_rss_mb(), 1),
    })
    if ok != accounts:
        res.notes.append(f"only {ok} of {accounts} accounts collected: {dict(summary.errors)}")
    if platform.calls != bare_platform.calls:
        res.notes.append(f"request mix differs: collector {dict(platform.calls)} vs bare {dict(bare_platform.calls)}")
    return res

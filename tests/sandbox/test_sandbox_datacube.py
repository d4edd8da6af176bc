"""WeChat datacube: span and date rules, readiness after 08:00, field shapes and the engagement floor."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx

from sandbox.county import Account, County
from sandbox.reach import on_day

TokenFetcher = Callable[[httpx.AsyncClient, str], Awaitable[str]]
TODAY = date(2025, 6, 18)
METRICS = {
    "int_page_read_user", "int_page_read_count", "ori_page_read_user", "ori_page_read_count",
    "share_user", "share_count", "add_to_fav_user", "add_to_fav_count",
}


async def _cube(client: httpx.AsyncClient, token: str, name: str, begin: Any, end: Any) -> dict[str, Any]:
    response = await client.post(f"/datacube/{name}", params={"access_token": token},
                                 json={"begin_date": str(begin), "end_date": str(end)})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_span_and_date_errors(client: httpx.AsyncClient, wechat_token: TokenFetcher) -> None:
    token = await wechat_token(client, "county_wx")
    y = TODAY - timedelta(days=1)
    cases = [
        ("getusersummary", y - timedelta(days=7), y, 61501),  # 8 days > 7
        ("getusersummary", y - timedelta(days=6), y, None),
        ("getarticlesummary", y - timedelta(days=1), y, 61501),
        ("getarticletotal", y - timedelta(days=1), y, 61501),
        ("getuserread", y - timedelta(days=2), y, None),
        ("getuserread", y - timedelta(days=3), y, 61501),
        ("getusercumulate", TODAY, TODAY, 61501),  # today is never allowed
        ("getusercumulate", y, y - timedelta(days=1), 61501),  # begin after end
        ("getusercumulate", "2014-11-30", "2014-11-30", 61501),
        ("getusercumulate", "20250601", "20250601", 61500),
        ("getusercumulate", "2025-6-1", "2025-6-1", 61500),
    ]
    for name, begin, end, code in cases:
        body = await _cube(client, token, name, begin, end)
        assert body.get("errcode") == code, (name, begin, end, body)
        if code:
            assert re.search(r" rid: \S+$", body["errmsg"])
        else:
            assert set(body) == {"list"}  # datacube successes carry no errcode


async def test_yesterday_is_ready_only_after_eight(
    client: httpx.AsyncClient, clock: Any, wechat_token: TokenFetcher
) -> None:
    token = await wechat_token(client, "county_wx")
    clock.at = clock.at.replace(hour=7, minute=59)
    y = TODAY - timedelta(days=1)
    assert await _cube(client, token, "getusercumulate", y, y) == {"list": []}
    clock.at = clock.at.replace(hour=8, minute=0)
    assert len((await _cube(client, token, "getusercumulate", y, y))["list"]) == 1


async def test_usercumulate_rows(client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher) -> None:
    token = await wechat_token(client, "county_wx")
    begin, end = TODAY - timedelta(days=7), TODAY - timedelta(days=1)
    rows = (await _cube(client, token, "getusercumulate", begin, end))["list"]
    assert len(rows) == 7
    for row in rows:
        assert set(row) == {"ref_date", "user_source", "cumulate_user"} and row["user_source"] == 0
        assert row["cumulate_user"] == county.flagship_wechat.followers_on(date.fromisoformat(row["ref_date"]))


async def test_usersummary_matches_follower_changes(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    token = await wechat_token(client, "county_wx")
    day = TODAY - timedelta(days=2)
    rows = (await _cube(client, token, "getusersummary", day, day))["list"]
    net = sum(r["new_user"] - r["cancel_user"] for r in rows)
    flagship = county.flagship_wechat
    assert net == flagship.followers_on(day) - flagship.followers_on(day - timedelta(days=1))  # type: ignore[operator]
    assert {r["user_source"] for r in rows} <= {0, 1, 30}


def _quiet_day(account: Account) -> date:
    """A recent day on which the account sent nothing."""
    days = {p.day for p in account.posts}
    return next(TODAY - timedelta(days=k) for k in range(2, 40) if TODAY - timedelta(days=k) not in days)


async def test_empty_day_gives_an_empty_list(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    account = next(a for a in county.accounts if a.credential == "d01_wx")
    token = await wechat_token(client, "d01_wx")
    day = _quiet_day(account)
    assert await _cube(client, token, "getarticlesummary", day, day) == {"list": []}
    assert await _cube(client, token, "getarticletotal", day, day) == {"list": []}


async def test_articlesummary_lists_mass_sent_articles_with_engagement_of_three(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    # Look for a mass-sent article of a credentialed account that drew fewer than 3 interactions on its day.
    found = None
    for account in county.accounts:
        if account.credential and account.appid and account.persona == "low_use":
            for post in account.posts:
                engagement = sum(on_day(n, post.day, post.day, account.today)
                                 for n in (post.reads, post.shares, post.favourites))
                if post.mass_sent and engagement < 3 and post.day < TODAY:
                    found = (account, post)
    assert found is not None, "the county should have a mass-sent article nobody read"
    account, post = found
    token = await wechat_token(client, account.credential)
    summary = (await _cube(client, token, "getarticlesummary", post.day, post.day))["list"]
    assert post.id not in {r["msgid"] for r in summary}
    total = (await _cube(client, token, "getarticletotal", post.day, post.day))["list"]
    assert post.id in {r["msgid"] for r in total}  # it was sent all the same


async def test_articlesummary_fields_and_only_mass_sent(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    flagship = county.flagship_wechat
    token = await wechat_token(client, "county_wx")
    day = next(p.day for p in flagship.posts if p.mass_sent and p.day < TODAY)
    rows = (await _cube(client, token, "getarticlesummary", day, day))["list"]
    assert rows
    mass = {p.id for p in flagship.posts if p.day == day and p.mass_sent}
    for row in rows:
        assert set(row) == {"ref_date", "msgid", "title"} | METRICS
        assert row["msgid"] in mass and re.fullmatch(r"\d+_\d+", row["msgid"])
        assert row["int_page_read_user"] <= row["int_page_read_count"]
    published_day = next(p.day for p in flagship.posts if not p.mass_sent and p.day < TODAY
                         and all(not q.mass_sent for q in flagship.posts if q.day == p.day))
    assert (await _cube(client, token, "getarticlesummary", published_day, published_day))["list"] == []


async def test_articletotal_details_cover_at_most_seven_days(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    flagship = county.flagship_wechat
    token = await wechat_token(client, "county_wx")
    old_day = TODAY - timedelta(days=20)
    while not any(p.day == old_day for p in flagship.posts):
        old_day -= timedelta(days=1)
    rows = (await _cube(client, token, "getarticletotal", old_day, old_day))["list"]
    assert {r["msgid"] for r in rows} == {p.id for p in flagship.posts if p.day == old_day}
    for row in rows:
        assert row["user_source"] == 0
        details = row["details"]
        assert len(details) == 7
        assert [d["stat_date"] for d in details] == [str(old_day + timedelta(days=k)) for k in range(7)]
        counts = [d["int_page_read_count"] for d in details]
        assert counts == sorted(counts)  # cumulative
        assert "int_page_from_session_read_user" in details[0] and "feed_share_from_other_cnt" in details[0]
    recent = TODAY - timedelta(days=2)
    while not any(p.day == recent for p in flagship.posts):
        recent -= timedelta(days=1)
    recent_rows = (await _cube(client, token, "getarticletotal", recent, recent))["list"]
    assert all(len(r["details"]) == (TODAY - recent).days for r in recent_rows)  # up to yesterday only


async def test_userread_has_the_all_sources_row(client: httpx.AsyncClient, wechat_token: TokenFetcher) -> None:
    token = await wechat_token(client, "county_wx")
    day = TODAY - timedelta(days=1)
    rows = (await _cube(client, token, "getuserread", day, day))["list"]
    total = next(r for r in rows if r["user_source"] == 99999999)
    assert set(total) >= METRICS
    parts = [r for r in rows if r["user_source"] != 99999999]
    assert sum(r["int_page_read_count"] for r in parts) <= total["int_page_read_count"]

"""The generated county: deterministic, faithful to the ledger, personas behaving as described."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from importlib import resources

from sandbox.county import OFFICE_USER, TZ, County, build_county, demo_secrets, mid_to_bid
from sandbox.reach import cumulative, on_day

NOW = datetime(2025, 6, 18, 10, 30, tzinfo=TZ)


def _ledger() -> list[dict[str, str]]:
    text = (resources.files("registry") / "data" / "sample-ledger.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _days_since_last(county: County, uid: str) -> float:
    account = county.account(uid)
    assert account is not None
    latest = next(p for p in account.posts if not p.pinned)
    return (county.now - latest.published_at).total_seconds() / 86400


def test_same_seed_and_now_give_the_same_county() -> None:
    a, b = build_county(7, NOW), build_county(7, NOW)
    assert [x.posts for x in a.accounts] == [x.posts for x in b.accounts]
    other = build_county(8, NOW)
    assert a.account("gh_d29d035cc6d5").appid != other.account("gh_d29d035cc6d5").appid  # type: ignore[union-attr]


def test_credentials_depend_on_seed_and_uid_only() -> None:
    assert demo_secrets(build_county(7, NOW)) == demo_secrets(build_county(7, NOW + timedelta(days=3)))


def test_every_ledger_account_is_in_the_county() -> None:
    county = build_county(7, NOW)
    ledger = _ledger()
    assert [(a.platform_name, a.uid) for a in county.accounts] == [(r["平台"], r["账号ID"]) for r in ledger]
    assert len(county.accounts) == 40


def test_demo_secrets_cover_every_ledger_credential() -> None:
    county = build_county(7, NOW)
    secrets = demo_secrets(county)
    # Plus the shared m.weibo.cn login cookie that reads comments ([platforms.weibo] cookie_credential).
    assert set(secrets) == {r["凭据"] for r in _ledger() if r["凭据"]} | {"weibo_cookie"}
    assert re.fullmatch(r"wx[0-9a-f]{16}", secrets["county_wx"]["appid"])
    assert re.fullmatch(r"[0-9a-f]{32}", secrets["county_wx"]["secret"])
    assert set(secrets["county_wb"]) == {"access_token"}


def test_wecom_users_are_the_ledger_column_lower_cased() -> None:
    county = build_county(7, NOW)
    expected = {r["企业微信账号"].lower() for r in _ledger() if r["企业微信账号"]} | {OFFICE_USER}
    assert set(county.wecom.users) == expected
    assert re.fullmatch(r"ww[0-9a-f]{16}", county.wecom.corp_id)
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", k) for k in county.wecom.robot_keys.values())


def test_personas_post_as_described() -> None:
    county = build_county(7, NOW)
    for account in county.accounts:
        if account.persona in ("manual", "gone"):
            assert account.posts == ()
        elif account.persona in ("drifting", "drifting_weibo"):
            assert 10 <= _days_since_last(county, account.uid) < 14
        elif account.persona == "dead":
            assert 100 <= _days_since_last(county, account.uid) <= 201
        elif account.persona in ("flagship", "daily", "township", "department"):
            assert _days_since_last(county, account.uid) < 7
    flagship = county.account("gh_d29d035cc6d5")
    assert flagship is not None
    assert len({p.day for p in flagship.posts}) > 280  # about daily for a year


def test_low_use_accounts_have_few_followers_and_reads_in_the_tens() -> None:
    county = build_county(7, NOW)
    low = [a for a in county.accounts if a.persona == "low_use"]
    assert len(low) == 3
    for account in low:
        assert account.followers[0] < 1000
        assert max(p.reads for p in account.posts) < 100


def test_reach_is_heavy_tailed() -> None:
    flagship = build_county(7, NOW).account("gh_d29d035cc6d5")
    assert flagship is not None
    reads = sorted(p.reads for p in flagship.posts if p.index == 1 and p.day < NOW.date() - timedelta(days=40))
    median = reads[len(reads) // 2]
    assert 1000 <= median <= 10_000  # flagship reads are in the thousands
    assert reads[-1] > 5 * median


def test_flagship_newest_send_is_mass_sent_and_some_sends_are_published() -> None:
    flagship = build_county(7, NOW).account("gh_d29d035cc6d5")
    assert flagship is not None
    assert flagship.posts[0].mass_sent
    published = [p for p in flagship.posts if not p.mass_sent]
    assert published and all(p.article_id for p in published)
    assert all(re.fullmatch(r"\d+_\d+", p.id) for p in flagship.posts)


def test_mid_to_bid_matches_a_real_pair() -> None:
    # From the m.weibo.cn sample in platform-apis.md: mid 4383183661430868 has bid HyTZc60ew.
    assert mid_to_bid("4383183661430868") == "HyTZc60ew"


def test_daily_split_sums_to_the_total() -> None:
    sent, today = NOW.date() - timedelta(days=3), NOW.date()
    days = [sent + timedelta(days=k) for k in range(4)]
    assert sum(on_day(1000, sent, d, today) for d in days) == 1000
    assert cumulative(1000, sent, today, today) == 1000
    assert on_day(1000, sent, sent - timedelta(days=1), today) == 0

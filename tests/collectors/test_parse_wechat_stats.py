"""The current WeChat statistics and freepublish time layouts, on recorded payloads (platform-apis-2.md §2, §4)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.model import BEIJING
from collectors.parse_wechat import parse_freepublish
from collectors.parse_wechat_stats import msg_data_id, parse_article_total_detail, parse_biz_summary

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "wechat"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def test_total_detail_fills_every_figure_and_marks_the_source() -> None:
    day = parse_article_total_detail(load("getarticletotaldetail.json"))
    assert not day.provisional and day.mass_sent == {"2247483650_1"}
    (post,) = day.posts
    assert (post.reads, post.zaikan, post.likes, post.comments, post.shares, post.favorites) == (412, 9, 14, 3, 36, 5)
    assert post.stats_source == "getarticletotaldetail" and post.stats_provisional is False
    assert post.published_at == datetime(2026, 9, 1, tzinfo=BEIJING)
    assert post.url == "https://mp.weixin.qq.com/s/<token>"


def test_total_detail_takes_the_latest_stat_date_and_keeps_is_delay() -> None:
    day = parse_article_total_detail(load("getarticletotaldetail_delay.json"))
    assert day.provisional
    posts = {p.post_id: p for p in day.posts}
    assert posts["2247483651_1"].reads == 520 and posts["2247483651_1"].zaikan == 11
    assert all(p.stats_provisional for p in day.posts)
    # publish_type 1 (published without notification): no comment/list; no title given
    assert day.mass_sent == {"2247483651_1"} and posts["2247483652_1"].title == ""
    # zero is a measured zero here, not an unknown
    assert posts["2247483652_1"].reads == 0


def test_missing_is_delay_is_provisional_and_errcodes_raise() -> None:
    assert parse_article_total_detail({"list": []}).provisional
    with pytest.raises(PlatformError) as err:
        parse_article_total_detail({"errcode": 61501, "errmsg": "date range error"})
    assert err.value.kind is ErrorKind.PARSE
    with pytest.raises(PlatformError, match="read_user"):
        parse_article_total_detail({"list": [{"ref_date": "2026-09-01", "msgid": "1_1", "publish_type": 0,
                                              "detail_list": [{"stat_date": "2026-09-01"}]}], "is_delay": False})


def test_biz_summary_gives_account_totals_and_posts_sent() -> None:
    (metric,), provisional = parse_biz_summary(load("getbizsummary.json"))
    assert not provisional and metric.day == date(2026, 9, 1)
    assert (metric.reads, metric.shares, metric.zaikan, metric.likes, metric.comments, metric.favorites,
            metric.posts_sent) == (1620, 88, 21, 34, 7, 12, 2)
    (late,), provisional = parse_biz_summary(load("getbizsummary_delay.json"))
    assert provisional and late.posts_sent == 0


def test_msg_data_id_from_msgid() -> None:
    assert msg_data_id("2247483650_1") == (2247483650, 0)
    assert msg_data_id("12003_3") == (12003, 2)
    assert msg_data_id("fp:abc_1") is None and msg_data_id("12003") is None and msg_data_id("1_0") is None


def test_freepublish_time_inside_content() -> None:
    posts, total = parse_freepublish(load("freepublish_nested_time.json"))
    assert total == 1 and len(posts) == 1
    # content.update_time wins over content.create_time
    assert posts[0].published_at == datetime.fromtimestamp(1760000100, BEIJING)


def test_freepublish_create_time_as_string_and_is_delete() -> None:
    posts, _ = parse_freepublish(load("freepublish_create_time_string.json"))
    assert [p.title for p in posts] == ["<标题一>"]
    assert posts[0].published_at == datetime.fromtimestamp(1760000000, BEIJING)


def test_freepublish_item_time_first_and_missing_everywhere_is_named() -> None:
    body = load("freepublish_nested_time.json")
    body["item"][0]["update_time"] = 1760000500
    assert parse_freepublish(body)[0][0].published_at == datetime.fromtimestamp(1760000500, BEIJING)
    del body["item"][0]["update_time"]
    del body["item"][0]["content"]["update_time"], body["item"][0]["content"]["create_time"]
    with pytest.raises(PlatformError, match=r"freepublish.item\[0\].update_time: missing"):
        parse_freepublish(body)
    body["item"][0]["content"]["create_time"] = "soon"
    with pytest.raises(PlatformError, match="create_time"):
        parse_freepublish(body)

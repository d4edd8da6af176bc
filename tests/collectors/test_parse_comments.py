"""Comment threads and answers on recorded payloads: WeChat comment/list, m.weibo.cn hotflow, open API comments/show."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.model import BEIJING
from collectors.parse_comments import Comment, parse_comment_list, summarize
from collectors.parse_weibo_comments import (
    join_answers,
    parse_comments_show,
    parse_hotflow,
    parse_hotflow_child,
)

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
NOW = datetime(2026, 9, 5, 12, 0, tzinfo=BEIJING)
AUTHOR = "1234567890"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def at(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, BEIJING)


def test_comment_list_reply_marks_an_answer() -> None:
    page = parse_comment_list(load("wechat/comment_list.json"))
    assert page.total == 2 and page.open and page.readable
    assert page.comments == [Comment(at(1760001000), at(1760004600)), Comment(at(1760002000), None)]
    facts = summarize("m_1", page.comments, NOW)
    assert (facts.comments_seen, facts.comments_answered) == (2, 1)
    assert facts.first_answer_delay_s == 3600 and facts.median_answer_delay_s == 3600
    assert facts.oldest_unanswered_at == at(1760002000)


def test_88000_is_a_fact_and_88001_is_unreadable() -> None:
    closed = parse_comment_list(load("wechat/comment_list_88000.json"))
    assert closed.open is False
    facts = summarize("m_1", [], NOW, comments_open=False)
    assert facts.comments_open is False and facts.comments_seen is None and facts.comments_answered is None
    unreadable = parse_comment_list(load("wechat/comment_list_88001.json"))
    assert not unreadable.readable and unreadable.open is None


def test_comment_cnt_with_an_empty_list_is_not_zero_comments() -> None:
    page = parse_comment_list(load("wechat/comment_list_comment_cnt.json"))
    assert page.hidden == 182 and page.comments == []


def test_other_errcodes_raise() -> None:
    with pytest.raises(PlatformError) as err:
        parse_comment_list({"errcode": 45009, "errmsg": "reach max api daily quota limit"})
    assert err.value.kind is ErrorKind.QUOTA


def test_no_comments_is_a_measured_zero_and_incomplete_is_unknown() -> None:
    empty = summarize("p", [], NOW)
    assert (empty.comments_seen, empty.comments_answered, empty.first_answer_delay_s) == (0, 0, None)
    partial = summarize("p", [Comment(NOW, None)], NOW, complete=False)
    assert partial.comments_seen is None and partial.oldest_unanswered_at is None


def test_hotflow_author_reply_in_preview_false_and_short_preview() -> None:
    thread = parse_hotflow(load("weibo_mobile/hotflow.json"), AUTHOR, NOW)
    assert thread.next_cursor == (5200000000000099, 0) and thread.total == 3
    first, second, third = thread.comments
    assert first.answered_at == datetime(2026, 9, 1, 11, 40, tzinfo=BEIJING) and not first.more_replies
    assert second.answered_at is None and not second.more_replies  # comments: false, liked only
    assert third.answered_at is None and third.more_replies  # 4 replies, 1 shown
    assert parse_hotflow(load("weibo_mobile/hotflow_last.json"), AUTHOR, NOW).next_cursor is None


def test_hotflow_child_finds_the_author_reply() -> None:
    answered, cursor = parse_hotflow_child(load("weibo_mobile/hotflow_child.json"), AUTHOR, NOW)
    assert answered == datetime(2026, 9, 2, 16, 0, tzinfo=BEIJING) and cursor is None


def test_hotflow_login_required_raises_auth() -> None:
    with pytest.raises(PlatformError) as err:
        parse_hotflow(load("weibo_mobile/ok_minus100.json"), AUTHOR, NOW)
    assert err.value.kind is ErrorKind.AUTH


def test_open_api_comments_show_joins_answers_across_pages() -> None:
    body = load("weibo_api/comments_show.json")
    page = parse_comments_show(body, AUTHOR, NOW)
    assert page.size == 3
    comments = {c.id: c for c in join_answers([page])}
    assert set(comments) == {"5199999999999998", "5199999999999990"}
    answered = comments["5199999999999998"]
    assert answered.answered_at is not None and answered.answered_at - answered.at == timedelta(hours=11, minutes=32)
    assert comments["5199999999999990"].answered_at is None
    first, rest = dict(body, comments=body["comments"][:1]), dict(body, comments=body["comments"][1:])
    split = join_answers([parse_comments_show(first, AUTHOR, NOW), parse_comments_show(rest, AUTHOR, NOW)])
    assert {c.id: c.answered_at for c in split} == {c.id: c.answered_at for c in comments.values()}

"""Rendering: snapshots of every message shape, and byte limits that are never exceeded."""

from __future__ import annotations

import pytest
from botkit import NOW, OPERATOR, alert, person

from bot.group import Group, fingerprint, group
from bot.limits import TEXTCARD_TITLE_BYTES, body_limit, clip_bytes, utf8_len
from bot.model import Alert, Message, Recipient, ReportSummary
from bot.render import render_alerts, render_report_notice, render_resolved, render_status
from rules.config import CATALOGUE

OP = person(OPERATOR)
ROBOT = Recipient("robot", None, "西河乡人民政府", "", 10, "robot_xihe")
ALERTS = [
    alert(102, "stale_warning", account_id=2, account_name="西河发布", platform="weibo",
          evidence={"days": 11, "last_post_date": "2025-06-07"}, claimed=True),
    alert(101, evidence={"days": 16, "last_post_at": "2025-06-02T01:15:00+00:00",
                         "last_post_title": "西河乡召开乡村振兴工作推进会"}),
]


def only(messages: list[Message]) -> Message:
    assert len(messages) == 1
    return messages[0]


def of(recipient: Recipient, alerts: list[Alert]) -> Group:
    return group({recipient: alerts})[0]


def test_text_alert_snapshot() -> None:
    m = only(render_alerts(of(OP, ALERTS), channel="wecom_app", now=NOW))
    assert m.title == "县政务新媒体监测预警"
    assert m.body == """\
【县政务新媒体监测预警】
张运维：您负责的账号有2个问题待处理（截至2025-06-18 10:30）

1. 【单项否决】西河乡讯（微信公众号）
已连续16天未更新，超过两周未更新的单项否决标准
最后发布：2025-06-02《西河乡召开乡村振兴工作推进会》
编号：101

2. 【预警】西河发布（新浪微博）
已连续11天未更新，距单项否决标准（14天）还剩3天
最后发布：2025-06-07
状态：已报整改，待下次检查核验
编号：102

回复“已整改 编号”或“豁免 编号 天数 理由”；回复“帮助”查看命令"""
    assert (m.kind, m.msgtype, m.finding_ids, m.part, m.parts) == ("alert", "text", (101, 102), 1, 1)
    assert m.fingerprint == fingerprint(ALERTS)


def test_robot_markdown_repeat_snapshot() -> None:
    m = only(render_alerts(of(ROBOT, ALERTS), channel="wecom_robot", now=NOW, msgtype="markdown", kind="repeat",
                           county_name="平山县"))
    assert m.body == """\
**平山县政务新媒体监测预警（未整改提醒）**
以下2个问题仍未整改，请尽快处理（截至2025-06-18 10:30）

**1. <font color="warning">【单项否决】</font>西河乡讯（微信公众号，西河乡人民政府）**
> 已连续16天未更新，超过两周未更新的单项否决标准
> 最后发布：2025-06-02《西河乡召开乡村振兴工作推进会》
> 编号：`101`

**2. <font color="warning">【预警】</font>西河发布（新浪微博，西河乡人民政府）**
> 已连续11天未更新，距单项否决标准（14天）还剩3天
> 最后发布：2025-06-07
> 状态：已报整改，待下次检查核验
> 编号：`102`

请运维人员在企业微信应用中回复“已整改 编号”或“豁免 编号 天数 理由”；回复“帮助”查看命令"""


def test_english_snapshot() -> None:
    m = only(render_alerts(of(OP, ALERTS), channel="wecom_app", now=NOW, lang="en"))
    assert m.body == """\
【County new-media monitoring】
张运维: your accounts have 2 open problem(s) (as of 2025-06-18 10:30)

1. [Veto] 西河乡讯 (WeChat OA)
No post for 16 days: over the two-week veto threshold
Last post: 2025-06-02 “西河乡召开乡村振兴工作推进会”
No.: 101

2. [Warning] 西河发布 (Weibo)
No post for 11 days; 3 left before the 14-day veto
Last post: 2025-06-07
Status: reported fixed, awaiting the next check
No.: 102

Reply "已整改 No." (fixed) or "豁免 No. days reason" (exemption); reply "帮助" for help"""


def test_textcard_snapshot() -> None:
    m = only(render_alerts(of(OP, ALERTS), channel="wecom_app", now=NOW, msgtype="textcard", url="https://gk.example/f"))
    assert m.title == "县政务新媒体监测预警：2个问题"
    assert m.body == (
        '<div class="gray">2025-06-18 10:30</div>'
        '<div class="highlight">单项否决：西河乡讯，已连续16天未更新，超过两周未更新的单项否决标准（编号101）</div>'
        '<div class="normal">预警：西河发布，已连续11天未更新，距单项否决标准（14天）还剩3天（编号102）</div>'
    )
    assert m.url == "https://gk.example/f"
    with pytest.raises(ValueError):
        render_alerts(of(OP, ALERTS), channel="wecom_app", now=NOW, msgtype="textcard")


def test_resolved_snapshot() -> None:
    m = only(render_resolved(OP, ALERTS, channel="wecom_app", now=NOW, rules=CATALOGUE))
    assert m.kind == "resolved" and m.finding_ids == (101, 102)
    assert m.body == """\
【县政务新媒体监测预警·已恢复】
张运维：以下2个问题已恢复，感谢配合（2025-06-18 10:30）

1. 西河乡讯（微信公众号）：内容不更新问题已恢复（编号101）
2. 西河发布（新浪微博）：更新预警问题已恢复（编号102）

如有疑问请联系县政务公开办"""
    assert render_resolved(OP, [], channel="wecom_app", now=NOW) == []


def test_report_notice_snapshot() -> None:
    summary = ReportSummary("2025-05", 42, 3, (("内容不更新", 2), ("互动回应差", 1)), "https://gk.example/2025-05")
    m = only(render_report_notice(OP, summary, channel="wecom_app", now=NOW))
    assert (m.kind, m.title) == ("report", "县政务新媒体监测预警·2025年5月通报")
    assert m.body == """\
【县政务新媒体监测预警·2025年5月通报】
2025年5月共检查42个账号，不合格3个，合格率92.9%。
主要问题：内容不更新2个；互动回应差1个。
详见：https://gk.example/2025-05"""
    empty = only(render_report_notice(OP, ReportSummary("2025-05", 0, 0), channel="wecom_app", now=NOW))
    assert "合格率—" in empty.body and "主要问题" not in empty.body


def test_status_reply() -> None:
    text = render_status(ALERTS, now=NOW)
    assert text.startswith("截至2025-06-18 10:30共2个问题：\n\n1. 【单项否决】西河乡讯（微信公众号）")
    assert render_status([], now=NOW) == "截至2025-06-18 10:30，您负责的账号暂无待处理问题。"
    many = render_status([alert(i, evidence={"last_post_title": "标" * 40, "days": 20}) for i in range(60)], now=NOW)
    assert utf8_len(many) <= 2048 and "个问题未列出" in many


# --- limits -----------------------------------------------------------------------------------

def sixty() -> list[Alert]:
    """60 problems across accounts with long names and titles."""
    rules = ["stale_veto", "stale_warning", "dormant_long", "frequency_below_target", "no_interaction"]
    return [
        alert(1000 + i, rules[i % 5], account_id=i, account_name=f"某某县某某乡镇人民政府政务服务中心发布{i}",
              evidence={"days": 14 + i, "last_post_at": "2025-05-01T08:00:00+08:00",
                        "last_post_title": "关于进一步做好2025年度乡村振兴重点工作的通知（全文）" * 3})
        for i in range(60)
    ]


COMBOS = [("wecom_app", "text"), ("wecom_app", "markdown"), ("wecom_robot", "text"), ("wecom_robot", "markdown"),
          ("console", "text"), ("wecom_app", "textcard")]


@pytest.mark.parametrize(("channel", "msgtype"), COMBOS)
@pytest.mark.parametrize("kind", ["alert", "resolved"])
def test_sixty_problems_fit_every_channel(channel: str, msgtype: str, kind: str) -> None:
    alerts = sixty()
    if kind == "alert":
        messages = render_alerts(of(ROBOT if channel == "wecom_robot" else OP, alerts), channel=channel, now=NOW,
                                 msgtype=msgtype, url="https://gk.example/f")  # type: ignore[arg-type]
    else:
        messages = render_resolved(OP, alerts, channel=channel, now=NOW, msgtype=msgtype,  # type: ignore[arg-type]
                                   url="https://gk.example/f")
    assert 1 <= len(messages) <= 4
    for m in messages:
        assert utf8_len(m.body) <= body_limit(channel, msgtype), (m.part, utf8_len(m.body))
        assert utf8_len(m.title) <= (TEXTCARD_TITLE_BYTES if msgtype == "textcard" else 2048)
    # The parts together account for every finding, each once.
    ids = [i for m in messages for i in m.finding_ids]
    assert sorted(ids) == [a.finding_id for a in alerts]
    assert len({m.dedupe_key for m in messages}) == len(messages)


def test_split_messages_are_numbered_and_summarised() -> None:
    messages = render_alerts(of(OP, sixty()), channel="wecom_app", now=NOW)
    assert [(m.part, m.parts) for m in messages] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert messages[0].body.startswith("【县政务新媒体监测预警】（1/4）\n")
    assert messages[1].title == "县政务新媒体监测预警（2/4）"
    listed = sum(m.body.count("编号：") for m in messages)
    assert f"另有{60 - listed}个问题未列出，回复“状态”查看全部" in messages[-1].body
    assert all(m.body.endswith("回复“帮助”查看命令") for m in messages)
    # Worst first: the first listed problem is the longest veto.
    assert "1. 【单项否决】某某县某某乡镇人民政府政务服务中心发布59" in messages[0].body


def test_more_parts_allowed_means_nothing_summarised() -> None:
    messages = render_alerts(of(OP, sixty()), channel="wecom_robot", msgtype="markdown", now=NOW, max_parts=50)
    assert sum(m.body.count("编号：") for m in messages) == 60
    assert all(utf8_len(m.body) <= 4096 for m in messages)


def test_outside_text_cannot_break_markdown_or_the_limit() -> None:
    hostile = alert(7, evidence={"days": 20, "last_post_at": "2025-05-01T08:00:00+08:00",
                                 "last_post_title": '<font color="info">**假**</font>`x`'},
                    account_name="<b>号</b>" + "长" * 3000)
    m = only(render_alerts(of(OP, [hostile]), channel="wecom_app", now=NOW, msgtype="markdown"))
    assert utf8_len(m.body) <= 2048
    assert "<b>" not in m.body and "＜b＞号" in m.body
    assert m.body.count("<font") == 1  # only our own severity tag
    text = only(render_alerts(of(OP, [hostile]), channel="wecom_app", now=NOW))
    assert utf8_len(text.body) <= 2048 and text.body.endswith("查看命令")


def test_clip_bytes_never_splits_a_character() -> None:
    assert clip_bytes("政务新媒体", 7) == "政…"
    assert clip_bytes("政务", 6) == "政务"
    assert clip_bytes("政务新媒体", 2) == ""


def test_unknown_channel_type_combination_is_refused() -> None:
    with pytest.raises(ValueError):
        render_alerts(of(ROBOT, ALERTS), channel="wecom_robot", now=NOW, msgtype="textcard", url="https://x")


def test_a_waiting_comment_is_named_with_its_wait() -> None:
    from datetime import timedelta

    from rules.config import RuleSettings
    from rules.facts import PostFact
    from rules.rule_response import slow_response
    from tests.rules.rulekit import NOW as RULE_NOW
    from tests.rules.rulekit import account

    checked = RULE_NOW - timedelta(hours=1)
    thread = PostFact(published_at=RULE_NOW - timedelta(days=8), title="关于冬季供暖  收费的通知", comments_seen=5,
                      comments_answered=1, median_answer_delay_s=400_000, comments_checked_at=checked,
                      oldest_unanswered_at=checked - timedelta(hours=150))
    d = slow_response(account(posts=[thread]), RULE_NOW, RuleSettings.from_dict({}))
    assert d is not None
    a = alert(7, d.rule, evidence=d.evidence, summary=d.summary_zh)
    body = only(render_alerts(of(OP, [a]), channel="wecom_app", now=NOW)).body
    assert "待回复留言：《关于冬季供暖 收费的通知》，已等待6天" in body
    assert CATALOGUE[d.rule].label("zh", d.evidence) in only(
        render_resolved(OP, [a], channel="wecom_app", now=NOW, rules=CATALOGUE)).body
    md = only(render_alerts(of(ROBOT, [a]), channel="wecom_robot", now=NOW, msgtype="markdown")).body
    assert "> 待回复留言：《关于冬季供暖 收费的通知》，已等待6天" in md
    # Without the evidence keys (every other rule) no such line appears.
    assert "待回复留言" not in only(render_alerts(of(OP, ALERTS), channel="wecom_app", now=NOW)).body

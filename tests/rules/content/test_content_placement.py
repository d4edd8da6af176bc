"""An outdated name is 严重 only where the account presents itself by it; 提示 in notices, quotes, the past."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.content import ScanContext, build_scanner

ON = dt.date(2024, 5, 1)


@pytest.mark.parametrize(("text", "severity"), [
    ("来源：县国土资源局", "severe"),
    ("主办单位：县国土资源局 承办：县信息中心", "severe"),
    ("专项行动圆满结束。\n县国土资源局\n2024年4月30日", "severe"),         # signature line
    ("会议由县国土资源局主持。", "warning"),                               # a mention in the text
    ("关于注销“县国土资源局”微信公众号的公告", "notice"),                   # a 注销 notice, in quotes
    ("关于政务新媒体关停整合的公告\n县国土资源局微信公众号即日起停止更新。", "notice"),
    ("2016年，县国土资源局完成了土地确权登记工作。", "notice"),             # a dated account of the past
    ("“县国土资源局”公众号未按要求更新", "notice"),                        # quotes naming an account
])
def test_severity_by_where_the_name_stands(text: str, severity: str) -> None:
    hits = [h for h in build_scanner().scan(text, ON, ScanContext()) if h.kind == "name"]
    assert [h.severity for h in hits] == [severity]


@pytest.mark.parametrize("text", ["原县国土资源局局长", "县国土资源局更名为县自然资源局", "国土资源局（现自然资源局）"])
def test_a_mention_of_the_old_body_is_not_reported(text: str) -> None:
    assert [h for h in build_scanner().scan(text, ON, ScanContext()) if h.kind == "name"] == []


def test_an_error_quoted_by_a_report_is_only_a_notice() -> None:
    hits = build_scanner().scan("例如市商务局将“政府”错写为“攻府”。", ON, ScanContext.of(draft=True))
    assert [(h.matched, h.severity) for h in hits] == [("攻府", "notice")]
    assert [h.severity for h in build_scanner().scan("攻府网站", ON, ScanContext.of(draft=True))] == ["severe"]

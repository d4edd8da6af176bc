"""Ledger validation: every bad cell is named by row and column; good rows become canonical records."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.config.i18n import set_lang
from registry.ledger.cells import parse_date
from registry.ledger.columns import COLUMNS, map_headers
from registry.ledger.identifiers import canonical_uid
from registry.ledger.validation import validate_rows
from registry.ledger.vocab import Platform

TODAY = dt.date(2026, 11, 26)
HEADERS = [c.header for c in COLUMNS]


def row(**cells: str) -> list[str]:
    base = {"name": "滹沱发布", "platform": "微信公众号", "uid": "gh_0123456789ab", "unit": "滹沱县人民政府"}
    base.update(cells)
    return [base.get(c.key, "") for c in COLUMNS]


def errors_of(*rows: list[str]) -> list[tuple[int, str, str]]:
    parsed = validate_rows(HEADERS, [(i + 2, r) for i, r in enumerate(rows)], TODAY)
    return [(e.row, e.column, e.value) for e in parsed.errors]


@pytest.mark.parametrize(
    ("platform", "raw", "expected"),
    [
        (Platform.WECHAT, "gh_0123456789AB", "gh_0123456789ab"),
        (Platform.WECHAT, "gh_123", None),
        (Platform.WECHAT, "滹沱发布", None),
        (Platform.WEIBO, "5718301790", "5718301790"),
        (Platform.WEIBO, "https://weibo.com/u/5718301790", "5718301790"),
        (Platform.WEIBO, "weibo.com/5718301790?refer=index", "5718301790"),
        (Platform.WEIBO, "https://m.weibo.cn/u/5718301790", "5718301790"),
        (Platform.WEIBO, "http://m.weibo.cn/profile/5718301790", "5718301790"),
        (Platform.WEIBO, "https://weibo.com/hutuo", None),
        (Platform.DOUYIN, "hutuo wenlv", None),
        (Platform.DOUYIN, "hutuowenlv", "hutuowenlv"),
    ],
)
def test_canonical_uid(platform: Platform, raw: str, expected: str | None) -> None:
    assert canonical_uid(platform, raw) == expected


def test_dates() -> None:
    assert parse_date("2024/5/1") == dt.date(2024, 5, 1)
    assert parse_date("2024年5月1日") == dt.date(2024, 5, 1)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("5/1/2024")


def test_valid_row_is_canonical() -> None:
    parsed = validate_rows(HEADERS, [(2, row(platform="wechat", uid="GH_0123456789AB", unit_kind="县政府",
                                              filed="已备案", frequency="每周三次", status=""))], TODAY)
    assert not parsed.errors
    record = parsed.records[0][1]
    assert record["platform"] == "wechat" and record["uid"] == "gh_0123456789ab"
    assert record["filed"] == "是" and record["frequency"] == "每周3次" and record["status"] == "operating"
    assert record["method"] == "wechat_api" and record["matrix_role"] == "flagship"


def test_every_problem_is_reported_with_row_and_column() -> None:
    errs = errors_of(
        row(platform="脸书"),
        row(uid="gh_123", opened_on="2021-13-45", head_phone="12345"),
        row(method="weibo_api", credential="has space"),
        row(method="feed"),
        row(filed="也许", frequency="经常"),
    )
    # Issue 21: an unknown platform is a warning (the account is 其他, pending), no longer an error.
    assert (2, "平台", "脸书") not in errs
    assert (3, "账号ID", "gh_123") in errs
    assert (3, "开设日期", "2021-13-45") in errs
    assert (3, "负责人电话", "12345") in errs
    assert (4, "采集方式", "weibo_api") in errs
    assert (4, "凭据", "***") in errs  # a refused credential cell is never quoted (it may be a secret)
    assert (5, "订阅地址", "") in errs
    assert (6, "是否备案", "也许") in errs
    assert (6, "更新频率要求", "经常") in errs
    assert len(errs) == 8


def test_secret_in_credential_column_is_refused_and_not_echoed() -> None:
    secret = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
    parsed = validate_rows(HEADERS, [(2, row(credential=secret))], TODAY)
    assert len(parsed.errors) == 1
    assert secret not in str(parsed.errors[0])


def test_cross_row_rules() -> None:
    """Row 3 claims row 2's id under another name: the conflict names the column that differs (账号名称),
    no longer an 账号ID column (issue 21: the same account in two rows merges; only a conflict is refused)."""
    errs = errors_of(
        row(),
        row(name="另一个"),
        row(uid="gh_0123456789ac", unit_kind="乡镇"),
        row(uid="gh_0123456789ad", unit_kind="县直部门"),
        row(uid="gh_0123456789ae", operator="张三", operator_phone="13100000000"),
        row(uid="gh_0123456789af", operator="张三", operator_phone="13100000001"),
    )
    assert [(r, c) for r, c, _ in errs] == [(3, "账号名称"), (5, "单位类型"), (7, "运维人员电话")]


def test_headers_english_aliases_unknown_and_missing() -> None:
    mapping, unknown, missing = map_headers(["Account Name", "platform", "UID", "备注", "颜色"])
    assert set(mapping.values()) == {"name", "platform", "uid", "notes"}
    assert unknown == ["颜色"]
    assert missing == ["主办单位"]
    # Issue 21: only the name column is required; without a unit column every account is pending.
    parsed = validate_rows(["账号名称", "平台"], [(2, ["a", "wechat"])], TODAY, header_row=3)
    assert not parsed.errors
    assert parsed.records[0][1]["unit"] == "待核实"
    parsed = validate_rows(["平台", "主办单位"], [(2, ["wechat", "滹沱县教育局"])], TODAY, header_row=3)
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "账号名称")]
    assert str(parsed.errors[0]).startswith("第3行 【账号名称】 表头缺少这一列：请在第3行表头加一列「账号名称」")
    assert "''" not in str(parsed.errors[0])


def test_messages_in_english() -> None:
    set_lang("en")
    try:
        parsed = validate_rows(HEADERS, [(2, row(platform="x", opened_on="2026-13-01"))], TODAY)
        assert str(parsed.errors[0]).startswith("row 2, column M [开设日期] date must be YYYY-MM-DD")
        # Issue 21: an unknown platform is a warning (registered as other, pending), not an error.
        assert parsed.warnings[0].startswith("row 2, column B [平台] 'x' is not a known platform")
    finally:
        set_lang("zh")


def test_future_date_and_huge_cell() -> None:
    errs = errors_of(row(opened_on="2027-01-01", notes="x" * 5000))
    assert {c for _, c, _ in errs} == {"开设日期", "备注"}


def test_words_real_lists_use_for_status_and_account_kind() -> None:
    from registry.ledger.columns import map_headers
    from registry.ledger.vocab import Status, parse_status

    assert (parse_status("正常运营"), parse_status("关停"), parse_status("停更了")) == (
        Status.OPERATING, Status.CLOSED, None)
    mapping, _, _ = map_headers(["名称", "平台", "账号类别"])
    assert mapping == {0: "name", 1: "platform", 2: "account_type"}

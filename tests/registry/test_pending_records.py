"""Rows without a platform id or owner unit validate as pending (待补全), keeping the identifiers lists carry."""

from __future__ import annotations

import datetime as dt

from registry.ledger.completeness import PENDING_UNIT, is_pending, record_identity
from registry.ledger.validation import validate_rows

TODAY = dt.date(2026, 12, 7)
HEAD = ["账号名称", "平台", "账号ID", "主办单位", "微信号", "__biz"]


def _one(*cells: str) -> tuple[dict[str, str] | None, list[str]]:
    parsed = validate_rows(HEAD, [(2, list(cells))], TODAY)
    return (parsed.records[0][1] if parsed.records else None), [str(e) for e in parsed.errors]


def test_identifiers_that_are_not_the_uid_are_kept_and_the_account_is_pending() -> None:
    cases = {
        ("新浪微博", "@滹沱发布"): ("alias", "滹沱发布"),
        ("新浪微博", "https://weibo.com/n/滹沱发布"): ("alias", "滹沱发布"),
        ("微信公众号", "hutuofabu"): ("alias", "hutuofabu"),
        ("微信公众号", "MzA5NjQ2NjQ0MQ=="): ("biz", "MzA5NjQ2NjQ0MQ=="),
        ("微信公众号", "https://mp.weixin.qq.com/s?__biz=MzA5NjQ2NjQ0MQ==&mid=1"): ("biz", "MzA5NjQ2NjQ0MQ=="),
    }
    for (platform, raw), (key, value) in cases.items():
        record, errors = _one("滹沱发布", platform, raw, "滹沱县人民政府", "", "")
        assert errors == [] and record is not None, (raw, errors)
        assert record["uid"] == "" and record[key] == value and is_pending(record), raw


def test_the_alias_column_and_an_unknown_unit() -> None:
    record, errors = _one("滹沱教育", "微信公众号", "", "待核实", "hutuojiaoyu", "")
    assert errors == [] and record is not None
    assert (record["alias"], record["unit"], is_pending(record)) == ("hutuojiaoyu", PENDING_UNIT, True)
    assert record_identity(record) == ("wechat", "滹沱教育", PENDING_UNIT)
    record, _ = _one("滹沱教育", "微信公众号", "gh_0a1b2c3d4e5f", "", "", "")
    assert record is not None and record["unit"] == PENDING_UNIT and is_pending(record)
    assert record_identity(record) == ("wechat", "gh_0a1b2c3d4e5f")


def test_a_mistyped_id_is_still_an_error_that_says_it_may_be_left_empty() -> None:
    _, errors = _one("滹沱发布", "微信公众号", "gh_12345", "滹沱县人民政府", "", "")
    assert len(errors) == 1 and "gh_加12位十六进制" in errors[0] and "暂不知道时可留空" in errors[0]
    _, errors = _one("滹沱发布", "微信公众号", "", "滹沱县人民政府", "", "not-a-biz")
    assert len(errors) == 1 and "__biz" in errors[0]


def test_two_pending_rows_of_one_name_unit_and_platform_are_duplicates() -> None:
    """Issue 21 changed this: a repeated account merges into one (a note names both rows) instead of
    refusing the file; only conflicting fields are an error, naming both rows and the real column."""
    parsed = validate_rows(HEAD, [(2, ["滹沱发布", "新浪微博", "", "滹沱县人民政府", "", ""]),
                                  (3, ["滹沱发布", "新浪微博", "", "滹沱县人民政府", "", ""]),
                                  (4, ["滹沱发布", "微信公众号", "", "滹沱县人民政府", "", ""])], TODAY)
    assert parsed.errors == [] and [n for n, _ in parsed.records] == [2, 4]
    assert parsed.notes == ["第2、3行是同一账号「滹沱发布」，已合并为一个"]
    parsed = validate_rows(HEAD, [(2, ["滹沱发布", "新浪微博", "", "滹沱县人民政府", "", ""]),
                                  (3, ["滹沱发布", "新浪微博", "", "", "", ""])], TODAY)  # unit not known on row 3
    assert parsed.errors == [] and parsed.records[0][1]["unit"] == "滹沱县人民政府" and len(parsed.records) == 1


def test_credential_warnings_are_one_summary_line() -> None:
    head = ["账号名称", "平台", "账号ID", "主办单位"]
    rows = [(n, [f"号{n}", "微信公众号", f"gh_0a1b2c3d4e{n:02d}", "滹沱县教育局"]) for n in range(2, 9)]
    parsed = validate_rows(head, rows, TODAY)
    assert parsed.errors == [] and len(parsed.warnings) == 1
    assert "7 个账号" in parsed.warnings[0] and "第2、3、4、5、6…行" in parsed.warnings[0]
    assert "govmedia doctor" in parsed.warnings[0]

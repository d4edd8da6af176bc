"""Personal data in published lists: health beside names, ID/card numbers block a draft, one hit per table."""

from __future__ import annotations

import datetime as dt

from rules.content import ScanContext, build_scanner
from rules.content.privacy import find_health_in_lists, id_check_digit, is_resident_id

ON = dt.date(2024, 5, 1)
ID = "130102199003083015"


def _id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_illness_beside_a_name_in_a_list_row_or_cells() -> None:
    row = "序号\t姓名\t残疾类别\n1\t张三丰\t二级肢体残疾\n"
    cells = "1\n王小明\n男\n三级智力残疾"  # a docx table: one cell a line
    assert [(m.check, m.masked) for m in find_health_in_lists(row)] == [("health", "张**")]
    assert [m.masked for m in find_health_in_lists(cells)] == ["王**"]
    assert find_health_in_lists("全县共有残疾人三千余名，县残联开展了走访慰问。") == []


def test_an_id_number_needs_a_real_division_code() -> None:
    assert is_resident_id(ID)
    assert not is_resident_id(_id("99010219900308301"))  # province 99 does not exist
    assert not is_resident_id(_id("11019919900308301"))  # 110199 was never a county


def test_in_a_draft_id_and_card_block_and_a_mobile_warns() -> None:
    hits = build_scanner().scan(f"身份证{ID}，卡号6222021234567890128，电话13812345678", ON, ScanContext.of(draft=True))
    assert [(h.category, h.severity) for h in hits] == [("身份证号", "severe"), ("银行卡号", "severe"),
                                                        ("手机号码", "warning")]
    published = build_scanner().scan(f"身份证{ID}", ON, ScanContext())
    assert [h.severity for h in published] == ["warning"]  # published posts: [content] privacy_severity


def test_a_table_of_many_rows_is_one_hit_with_its_count() -> None:
    ids = [_id(f"13010219900308{n:03d}") for n in range(12)]
    text = "姓名\t身份证号\n" + "\n".join(f"某{n}\t{i}" for n, i in enumerate(ids))
    [hit] = build_scanner().scan(text, ON, ScanContext.of(draft=True))
    assert (hit.entry_id, hit.count, hit.severity) == ("privacy:id_card", 12, "severe")
    assert "12" in hit.suggestion and ids[0] not in hit.matched + hit.context

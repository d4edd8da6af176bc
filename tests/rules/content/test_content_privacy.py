"""个人隐私: which long numbers are an individual's ID, mobile or bank card, and how they are masked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.content import build_scanner
from rules.content.hits import ScanContext
from rules.content.privacy import find_personal_numbers, id_check_digit, is_resident_id, luhn_ok, mask

ON = dt.date(2026, 6, 15)
VALID_ID = "11010519491231002X"  # the GB 11643 worked example (check character X)
VALID_ID_2 = "130102199003083015"
CARD = "6222021234567890128"  # 19 digits, Luhn-valid
SCANNER = build_scanner()


def with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


def found(text: str, hotlines: tuple[str, ...] = (), on: dt.date = ON) -> list[tuple[str, str]]:
    return [(p.check, p.masked) for p in find_personal_numbers(text, ScanContext.of(list(hotlines)), on)]


def test_check_digit_and_luhn() -> None:
    assert id_check_digit(VALID_ID[:17]) == "X" and id_check_digit(VALID_ID_2[:17]) == "5"
    assert luhn_ok(CARD) and not luhn_ok(CARD[:-1] + "9")


@pytest.mark.parametrize(("number", "valid"), [
    (VALID_ID, True),
    (VALID_ID.lower(), True),                 # a lower-case x is still the check character
    (VALID_ID_2, True),
    ("130102199003083016", False),            # wrong check digit
    # each of these carries a correct check digit, so only the named defect rejects it
    (with_check("13010219900230301"), False),  # 30 February
    (with_check("99010219900308301"), False),  # no such province
    (with_check("13010220300308301"), False),  # born after the post
    (with_check("13010218000308301"), False),  # born before 1900
    (with_check("13010219900308302"), True),   # the same person's neighbour: valid
])
def test_resident_id(number: str, valid: bool) -> None:
    assert is_resident_id(number, ON) is valid


@pytest.mark.parametrize(("text", "expected"), [
    # an unmasked ID, reported masked
    (f"申请人身份证号{VALID_ID_2}。", [("id_card", "1301**********3015")]),
    # an 18-digit order number with a wrong check digit: quiet
    ("订单号：130102199003083016", []),
    # a masked ID passes
    ("身份证号：1301**********3015", []),
    ("身份证号：130102********3015", []),
    # an ID inside a longer digit run is not an ID
    (f"流水号9{VALID_ID_2}7", []),
    # an individual's mobile, plain, dashed, spaced or with +86
    ("联系人王女士，电话13812345678。", [("mobile", "138****5678")]),
    ("电话 138-1234-5678", [("mobile", "138-****-5678")]),
    ("电话 138 1234 5678", [("mobile", "138 **** 5678")]),
    ("电话 +8613812345678", [("mobile", "+86138****5678")]),
    # 12-digit numbers, 11 digits starting 12, landlines: not mobiles
    ("编号138123456789", []), ("编号12812345678", []), ("电话0311-87654321", []),
    # a landline right before a mobile does not hide the mobile
    ("电话0311-12345678 13812345678", [("mobile", "138****5678")]),
    # a masked mobile passes
    ("电话138****5678", []),
    # a bank card (Luhn), contiguous or in groups of four
    (f"账号{CARD}", [("bank_card", "6222***********0128")]),
    # Luhn fails, or a card number inside a longer run: quiet
    (f"账号{CARD[:-1]}9", []), (f"编号12{CARD}", []),
])
def test_personal_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_grouped_card_masks_all_but_first_and_last_four() -> None:
    [(check, masked)] = found("卡号 6222 0212 3456 7890 128")
    assert check == "bank_card" and masked == "6222 **** **** ***0 128"


@pytest.mark.parametrize("hotline", ["13900001111", "139-0000-1111", "+86 139 0000 1111"])
def test_units_own_hotline_passes(hotline: str) -> None:
    assert found("咨询热线：13900001111，联系人手机13812345678", (hotline,)) == [("mobile", "138****5678")]


def test_mask_keeps_length_and_separators() -> None:
    assert mask("130102199003083015", 4) == "1301**********3015"
    assert len(mask("6222 0212 3456 7890 128", 4)) == len("6222 0212 3456 7890 128")


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999),
       st.text(alphabet="，。的是县局 abc-*", max_size=8), st.text(alphabet="，。的是县局 abc-*", max_size=8))
def test_every_valid_id_is_found_and_never_shown(born: dt.date, seq: int, left: str, right: str) -> None:
    number = with_check(f"130102{born:%Y%m%d}{seq:03d}")
    text = f"{left}身份证{number}，{right}"
    hits = SCANNER.scan(text, ON, ScanContext())
    assert [h.entry_id for h in hits] == ["privacy:id_card"]
    assert all(number not in h.matched + h.context for h in hits)

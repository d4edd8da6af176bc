"""个人隐私: unmasked resident ID numbers, individuals' mobile numbers and bank card numbers.

Each candidate is validated before it is reported, so that ordinary long numbers (order numbers,
document numbers, serials) stay quiet: an ID must carry a valid GB 11643 check digit, a known
province code and a real birth date not after the post; a bank card must pass the Luhn check, start
like a payment card (3-6) and not sit inside a longer run of digits. Masked forms (with ``*``) never
match. Every match is reported masked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rules.content.hits import ScanContext, normalise_phone

# Province-level codes of GB/T 2260 (the first two digits of a resident ID number).
PROVINCES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
})
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# Anything that might hold a personal number: a run of at least 11 digits, spaces or dashes that starts
# with 1-8 (IDs 1-8, mobiles 1, cards 3-6, a country code 86) right after a non-digit (so not a landline's
# "0311-1234…"). The look-behind comes after the first character class, so that the regex engine still
# scans for that class quickly: most texts have no candidate and cost one fast search.
CANDIDATE = re.compile(r"[1-8](?<![0-9].)[\d \-]{9,}\d")
_ID = re.compile(r"(?<![0-9A-Za-z*])(\d{17}[\dXx])(?![0-9A-Za-z*])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z*+])(?:\+?86[ \-]?)?(1[3-9]\d)([ \-]?)(\d{4})\2(\d{4})(?![0-9A-Za-z*])")
_CARD = re.compile(r"(?<![0-9A-Za-z*])([3-6]\d{15,18}|[3-6]\d{3}(?:([ \-])\d{4}){3}(?:\2\d{1,3})?)(?![0-9A-Za-z*])")

SOURCES = {
    "id_card": "GB 11643-1999 公民身份号码（校验码、出生日期）",
    "mobile": "个人手机号码（1[3-9] 开头 11 位，不含本单位公开热线）",
    "bank_card": "银行卡号（16-19 位，Luhn 校验）",
}
SUGGESTIONS = {
    "id_card": "删除或脱敏（如 1301**********3015）",
    "mobile": "删除或脱敏（如 138****5678），或改用单位公开电话",
    "bank_card": "删除或脱敏（只保留前后四位）",
}


@dataclass(frozen=True)
class PrivacyMatch:
    """One personal number found in a text: its check, span and masked form."""

    check: str  # "id_card" | "mobile" | "bank_card"
    start: int
    end: int
    masked: str


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def is_resident_id(number: str, on: dt.date | None = None) -> bool:
    """Whether 18 characters form a valid resident ID (province, birth date since 1900 and not after ``on``
    when given, check digit)."""
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in PROVINCES:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or (on is not None and born > on):
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(text: str, keep_head: int, keep_tail: int = 4) -> str:
    """Replace the digits between the first ``keep_head`` and the last ``keep_tail`` digits by ``*``."""
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    hidden = set(positions[keep_head:len(positions) - keep_tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


def find_personal_numbers(text: str, context: ScanContext, on: dt.date | None = None) -> list[PrivacyMatch]:
    """Every unmasked personal number in ``text``, in order (an ID is never also reported as a card)."""
    found: list[PrivacyMatch] = []
    for cand in CANDIDATE.finditer(text):
        # Validate only around each long run of digits: one character either side is all the
        # look-arounds need (a "+" before "86", a "*" or letter after the last digit).
        found += _numbers_in(text, max(0, cand.start() - 1), min(len(text), cand.end() + 1), context, on)
    return found


def _numbers_in(text: str, lo: int, hi: int, context: ScanContext, on: dt.date | None) -> list[PrivacyMatch]:
    taken: list[tuple[int, int]] = []
    found: list[PrivacyMatch] = []
    for m in _ID.finditer(text, lo, hi):
        if is_resident_id(m.group(1), on):
            found.append(PrivacyMatch("id_card", m.start(1), m.end(1), mask(m.group(1), 4)))
            taken.append(m.span(1))
    for m in _CARD.finditer(text, lo, hi):
        digits = m.group(1).replace(" ", "").replace("-", "")
        if 16 <= len(digits) <= 19 and luhn_ok(digits) and not _overlaps(m.span(1), taken):
            found.append(PrivacyMatch("bank_card", m.start(1), m.end(1), mask(m.group(1), 4)))
            taken.append(m.span(1))
    for m in _MOBILE.finditer(text, lo, hi):
        if normalise_phone(m.group(0)) in context.hotlines or _overlaps(m.span(), taken):
            continue
        number = m.group(0)  # keep the country code and the 3-digit prefix, hide the middle four
        found.append(PrivacyMatch("mobile", m.start(), m.end(), mask(number, sum(c.isdigit() for c in number) - 8)))
    return sorted(found, key=lambda p: p.start)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)

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
from rules.content.places import real_division_code

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
    "health": "《个人信息保护法》第二十八条（医疗健康为敏感个人信息）；国办发〔2018〕123号 不得泄露个人隐私",
}
SUGGESTIONS = {
    "id_card": "删除或脱敏（如 1301**********3015）",
    "mobile": "删除或脱敏（如 138****5678），或改用单位公开电话",
    "bank_card": "删除或脱敏（只保留前后四位）",
    "health": "删除疾病、残疾等健康信息，或对姓名脱敏（如 张*）",
}
#: Illness and disability words that must not stand next to a person's name in a published list.
HEALTH = re.compile(r"(?:一|二|三|四|[1-4])级(?:肢体|视力|听力|言语|智力|精神|多重)?残疾|(?:肢体|视力|听力|言语|智力|精神|多重)残疾"
                    r"|残疾(?:人|证)?|精神(?:病|分裂|障碍)|艾滋病|HIV|乙肝|肺结核|结核病|白血病|尿毒症|癌症|肝癌|肺癌|胃癌|乳腺癌"
                    r"|恶性肿瘤|瘫痪|偏瘫|脑梗|脑瘫|痴呆|抑郁症|癫痫|重大疾病|重病|大病|慢性病")
#: Common surnames: a two-to-four character token starting with one is taken for a name in a list.
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
                     "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
                     "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
                     "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉"
                     "缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑"
                     "郎甄丛仲虞敖巩明佘池查麻苑迟邝洪")
_NAME = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,3})(?![\u4e00-\u9fff])")
#: A name after a role word and before a separator ("低保户张某某，精神残疾"; "监护人：李某").
_NAME_AFTER_ROLE = re.compile(r"(?:户|人|员|者|[：:])([\u4e00-\u9fff][某\u4e00-\u9fff]{1,2})(?=[，,、（(\s：:]|$)")
_ROW_REACH = 6  # a table row extracted from a docx is one cell a line: look this many lines back


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
    return id_check_digit(number[:17]) == number[17].upper() and real_division_code(number[:6])


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


def find_health_in_lists(text: str) -> list[PrivacyMatch]:
    """Names in a list (a table row or a list line) with an illness or disability beside them."""
    if not HEALTH.search(text):
        return []
    found: list[PrivacyMatch] = []
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if not HEALTH.search(line) or len(line) > 120:
            continue
        for back in range(0, _ROW_REACH):
            if n - back < 0:
                break
            name = _name_in(lines[n - back], whole=back > 0)
            if name is not None:
                at = starts[n - back] + name[0]
                found.append(PrivacyMatch("health", at, at + name[1], mask_name(text[at:at + name[1]])))
                break
    return found


def _name_in(line: str, *, whole: bool) -> tuple[int, int] | None:
    """Where a personal name stands in ``line`` (a cell that is the name alone, when ``whole``)."""
    if whole:
        stripped = line.strip()
        if 2 <= len(stripped) <= 3 and stripped[0] in SURNAMES and all("\u4e00" <= c <= "\u9fff" for c in stripped):
            return line.index(stripped), len(stripped)
        return None
    for pattern in (_NAME, _NAME_AFTER_ROLE):
        for m in pattern.finditer(line):
            if m.group(1)[0] in SURNAMES and not HEALTH.search(m.group(1)):
                return m.start(1), len(m.group(1))
    return None


def mask_name(name: str) -> str:
    """A name with all but its first character hidden (张三 -> 张*)."""
    return name[0] + "*" * (len(name) - 1)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)

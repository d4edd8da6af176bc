"""Cell text whatever its column: the words that stand for another cell (同上) or for no account (无),
length limits, control characters, and dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: Cells that say "the same as the row above" (同上 and ditto marks).
SAME_AS_ABOVE = ("同上", "同上。", "〃", "”", '"')
#: Cells of a wide list that say the unit has no account on that platform.
NO_ACCOUNT = frozenset({"无", "暂无", "未开设", "未开通", "没有", "/", "／", "-", "—", "——", "×", "否", "0"})
#: Longest text any column may hold.
MAX_LEN = 500
#: Columns stored in shorter database columns than MAX_LEN (PostgreSQL refuses longer text; SQLite would
#: silently keep it): the limit of the registry column each one lands in.
FIELD_MAX_LEN = {"name": 128, "unit": 128, "parent_unit": 128, "operator_org": 128, "verified_subject": 128,
                 "interaction": 128, "head": 64, "operator": 64, "account_type": 32}
# Control characters: PostgreSQL cannot store NUL, and xlsx cannot hold the others (export would fail).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(text: str) -> bool:
    """Whether text holds a control character that no registry column may store."""
    return _CONTROL.search(text) is not None


def parse_date(raw: str) -> dt.date | None:
    """Parse 2024-05-01, 2024/5/1, 2024.5.1 or 2024年5月1日; raise ValueError when unreadable."""
    v = unicodedata.normalize("NFKC", raw).strip()
    if not v:
        return None
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$", v)
    if not m:
        raise ValueError(v)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))

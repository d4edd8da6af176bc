"""Required update frequency (更新频率要求) as the ledger writes it, e.g. 每工作日, 每周3次, 每两周."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: Longest period and most posts per period a requirement may state (a year; more than daily).
MAX_PERIOD_DAYS = 366
MAX_COUNT = 1000
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class Frequency:
    """At least ``count`` posts every ``days`` days (working days when ``working_days``)."""

    count: int
    days: int
    working_days: bool = False

    def label(self) -> str:
        """The canonical Chinese wording."""
        if self.working_days and self.days == 1:
            return "每工作日"
        unit = {1: "每日", 7: "每周", 14: "每两周", 30: "每月"}.get(self.days, f"每{self.days}天")
        return unit if self.count == 1 else f"{unit}{self.count}次"


def _num(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _CN_DIGITS.get(text)


_PATTERN = re.compile(r"^(每|每隔)?(?P<n>\d+|[一二两三四五六七八九十])?(?P<unit>天|日|周|星期|月|工作日)(?P<c>(\d+|[一二两三四五六七八九十])次)?(以上|至少)?$")


@functools.lru_cache(maxsize=1024)  # ledgers repeat a handful of phrasings across thousands of accounts
def parse_frequency(text: str) -> Frequency | None:
    """Parse a frequency; empty or 不定期 give None; raise ValueError when unreadable."""
    t = text.strip().replace(" ", "").replace("至少", "").replace("不少于", "")
    if t in ("", "不定期", "无", "无要求"):
        return None
    aliases = {"每天": "每日", "每日更新": "每日", "日更": "每日", "周更": "每周", "每周一次": "每周", "双周": "每两周"}
    t = aliases.get(t, t)
    m = _PATTERN.match(t)
    if not m:
        raise ValueError(text)
    n = _num(m.group("n")) if m.group("n") else 1
    count = _num(m.group("c")[:-1]) if m.group("c") else 1
    if n is None or count is None or n <= 0 or count <= 0:
        raise ValueError(text)
    unit = m.group("unit")
    days = n if unit == "工作日" else {"天": 1, "日": 1, "周": 7, "星期": 7, "月": 30}[unit] * n
    if days > MAX_PERIOD_DAYS or count > MAX_COUNT:
        # "每99999999天" would push the rule's window before year 1 and stop the whole check.
        raise ValueError(text)
    return Frequency(count=count, days=days, working_days=unit == "工作日")

"""How serious an outdated official name is, by where it stands in the text.

Every outdated name a national check cites is an account's own name or its unit's: the account using
the old name for itself. So in article text an old name is 严重 only where the account signs or
presents itself with it (a 来源/主办/发布/供稿 line, or a signature line that is the name alone). It is
提示 where the text is about the old body rather than using its name: a 注销/关停/更名 notice (said in
its title or in the name's own paragraph), the name
inside quotes naming an account (“××县食药监局”公众号), or a dated account of the past ("2016年，县
国土资源局…"). Anywhere else it is 一般: the text should use the new name, but it does not speak as
the old body. (Mentions marked as the old body — "原…", "…更名为…" — are not reported at all, see
``scanner.historical``.)
"""

from __future__ import annotations

import re

from rules.content.hits import Severity

#: A line where an account presents itself: its source, sponsor, publisher or contributor.
_SELF_LINE = re.compile(r"(来源|来\s*源|主办|承办|发布|供稿|出品|编辑|投稿|署名|发布单位|主办单位|运营主体)\s*[：:]")
#: A notice about accounts or bodies being closed, merged or renamed.
_NOTICE = re.compile(r"注销|关停|停止(更新|运营|运行|使用)|停更|更名|迁移至|整合至|合并至|撤销")
#: A year written in the clause before the name (a dated account of the past).
_YEAR = re.compile(r"(19|20)\d{2}\s*年")
#: What may follow an old name at the end of a signature line ("县食品药品监督管理" + "局").
_BODY_END = "(局|厅|委员会|委|办公室|办|所|站|中心|部|处|大队|支队)?$"
_QUOTES = (("“", "”"), ("「", "」"), ('"', '"'), ("《", "》"))


def _self_presented(text: str, start: int) -> bool:
    """Whether a 来源/主办/发布… label stands just before the name (at most 12 characters, no punctuation)."""
    before = text[max(0, start - 24):start]
    marks = list(_SELF_LINE.finditer(before))
    if not marks:
        return False
    between = before[marks[-1].end():]
    return len(between) <= 12 and not re.search(r"[，。；！？、\n]", between)


def _line(text: str, start: int, end: int) -> str:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return text[lo:hi if hi >= 0 else len(text)]


def _quoted(text: str, start: int, end: int) -> bool:
    for open_q, close_q in _QUOTES:
        lo = text.rfind(open_q, max(0, start - 30), start + 1)
        if lo < 0 or (open_q != close_q and text.rfind(close_q, lo, start) >= 0):
            continue
        hi = text.find(close_q, end, end + 30)
        if hi >= 0:
            return True
    return False


def _dated_past(text: str, start: int, until_year: int | None) -> bool:
    lo = max(text.rfind("。", 0, start), text.rfind("\n", 0, start), text.rfind("；", 0, start)) + 1
    for m in _YEAR.finditer(text, lo, start):
        year = int(m.group(0)[:4])
        if until_year is None or year <= until_year:
            return True
    return False


def name_severity(text: str, start: int, end: int, listed: Severity, until_year: int | None) -> Severity:
    """The severity of an outdated name at start..end, from the list's severity and its place."""
    line = _line(text, start, end).strip()
    if _self_presented(text, start) or line == text[start:end] or _signature(line, text[start:end]):
        return listed
    if _NOTICE.search(line) or _NOTICE.search(_title(text)) or _quoted(text, start, end) \
            or _dated_past(text, start, until_year):
        return "notice"
    return "warning" if listed == "severe" else listed


def _title(text: str) -> str:
    """The first non-empty line (a notice says what it is in its title)."""
    for line in text.split("\n", 5):
        if line.strip():
            return line
    return ""


def _signature(line: str, name: str) -> bool:
    """A line that is a body's name alone, perhaps with a place before it and a date after it."""
    bare = re.sub(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[\d\-./\s]", "", line)
    rest = bare.replace(name, "", 1)
    return (len(rest) <= 6 and not re.search(r"[，。；！？、]", rest) and len(line) <= 40
            and re.search(re.escape(name) + _BODY_END, bare) is not None)

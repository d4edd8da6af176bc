"""The content scan: one Aho-Corasick automaton over every lexicon term, plus the privacy checks.

Build a `Scanner` once per run (``build_scanner``); ``Scanner.scan(text, published_at, context)`` is then
a pure function returning every `ContentHit` in text order.

Historical mentions: an outdated official name is not an error when the text marks it as the old body:
"原" shortly before it in the same clause ("原县国土资源局", "原XX市环境保护局局长"; not "原则/原因/..."), a
renaming right after it ("国土资源局更名为…", "…并入…", "…撤销"), or "（现…）" right after it.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import ahocorasick

from rules.content.detectors import near_miss_hits
from rules.content.hits import ContentHit, ScanContext
from rules.content.lexicon import LexEntry, load_lexicon_file, shipped_entries
from rules.content.phrases import PhraseChecker, build_phrase_checker, quoted_as_error
from rules.content.placement import name_severity
from rules.content.privacy import CANDIDATE as _CANDIDATE
from rules.content.privacy import (
    HEALTH,
    SOURCES,
    SUGGESTIONS,
    PrivacyMatch,
    find_health_in_lists,
    find_personal_numbers,
)
from rules.content.rows import collapse_rows

CONTEXT_CHARS = 15
_CLAUSE_END = set("。，、；：！？,.;:!?\n\r\t （）()【】[]“”\"'《》")
_NOT_HISTORICAL_AFTER_YUAN = set("则因料件告始创文油材理型")
_RENAMED_AFTER = ("更名", "改名", "改为", "撤销", "并入", "划入", "整合", "改革", "合并", "组建")


class Scanner:
    """Compiled lexicons (names and county/starter lexicons) in one automaton."""

    def __init__(self, entries: Iterable[LexEntry], phrases: PhraseChecker | None = None) -> None:
        self.phrases = phrases
        by_key: dict[tuple[str, str], LexEntry] = {}
        for entry in entries:
            for term in entry.terms:
                by_key[(entry.kind, term)] = entry  # a later list (the county's) overrides an earlier one
        terms: dict[str, list[LexEntry]] = {}
        for (_kind, term), entry in by_key.items():
            terms.setdefault(term, []).append(entry)
        self.entries = tuple(dict.fromkeys(by_key.values()))
        self._automaton = ahocorasick.Automaton()
        for term, found in terms.items():
            self._automaton.add_word(term, (len(term), tuple(found)))
        if terms:
            self._automaton.make_automaton()
        self._terms = bool(terms)

    @property
    def automaton(self) -> ahocorasick.Automaton:
        """The compiled automaton (the benchmark's bare baseline scans with it)."""
        return self._automaton

    def scan(self, text: str, published_at: dt.datetime | dt.date | None, context: ScanContext) -> list[ContentHit]:
        """Every problem in ``text`` as published at ``published_at`` (None: undated, every entry applies).

        A datetime counts by its own calendar date: pass it in the county's zone.
        """
        matches = list(self._automaton.iter(text)) if self._terms else []
        on = published_at.date() if isinstance(published_at, dt.datetime) else published_at
        extra = near_miss_hits(text, on, context, self.phrases, lambda s, e: snippet(text, s, e))
        # Health information matters in lists: several lines, a table, a draft, or a text that says it is a list.
        listed = ("\n" in text or "\t" in text or context.draft or _LIST_WORDS.search(text) is not None) \
            and HEALTH.search(text) is not None
        if not matches and not extra and not listed and not _CANDIDATE.search(text):
            return []  # the common case, kept as cheap as the bare automaton scan
        privacy = find_personal_numbers(text, context, on) + (find_health_in_lists(text) if listed else [])
        found: list[tuple[int, int, LexEntry]] = []
        for last, (length, entries) in matches:
            start, end = last + 1 - length, last + 1
            for entry in entries:
                if self._applies(entry, text, start, end, on):
                    found.append((start, end, entry))
        if not privacy and not found and not extra:
            return []
        shown = _masked(text, privacy)
        hits = collapse_rows([ContentHit("privacy", context.severity_of(p.check), p.start, p.end, p.masked,
                                         snippet(shown, p.start, p.end), f"privacy:{p.check}", SUGGESTIONS[p.check],
                                         SOURCES[p.check], CHECK_ZH[p.check]) for p in privacy])
        for start, end, entry in _longest(found):
            severity = entry.severity
            if entry.kind == "name":
                severity = name_severity(text, start, end, entry.severity, entry.until.year if entry.until else None)
            if severity != "notice" and quoted_as_error(text, start, end):
                severity = "notice"  # a 通报 quoting the error ("将“政府”错写为“攻府”") does not make it
            hits.append(ContentHit(entry.kind, severity, start, end, text[start:end], snippet(shown, start, end),
                                   entry.entry_id, entry.suggestion, entry.source, entry.category or KIND_CATEGORY[entry.kind]))
        hits += [h if not privacy else _reshown(h, shown) for h in extra if not _inside_lexicon(h, found)]
        return sorted(hits, key=lambda h: (h.start, -h.end, h.kind))

    def outdated_names(self, name: str, on: dt.date | None) -> list[tuple[str, LexEntry]]:
        """The outdated official names in an account's or unit's own name (dated entries apply)."""
        found = []
        for last, (length, entries) in self._automaton.iter(name) if self._terms else ():
            start, end = last + 1 - length, last + 1
            found += [(start, end, e) for e in entries if e.kind == "name" and self._applies(e, name, start, end, on)]
        return [(name[s:e], entry) for s, e, entry in _longest(found)]

    @staticmethod
    def _applies(entry: LexEntry, text: str, start: int, end: int, on: dt.date | None) -> bool:
        if entry.until is not None and on is not None and on < entry.until:
            return False
        if any(_covered(text, start, end, phrase, text[start:end]) for phrase in entry.allow):
            return False
        return not (entry.historical_ok and historical(text, start, end))


def _masked(text: str, privacy: Sequence[PrivacyMatch]) -> str:
    """``text`` with each personal number replaced by its mask, in one pass (masks keep the length, so
    offsets stay valid in the masked text)."""
    pieces, at = [], 0
    for p in sorted(privacy, key=lambda p: p.start):
        if p.start < at:  # the privacy checks never report overlapping numbers; if they did, the first stands
            continue
        pieces += [text[at:p.start], p.masked]
        at = p.end
    pieces.append(text[at:])
    return "".join(pieces)


_LIST_WORDS = re.compile("名单|名册|花名|公示|一览表")
CHECK_ZH = {"id_card": "身份证号", "mobile": "手机号码", "bank_card": "银行卡号", "health": "健康信息"}
KIND_CATEGORY = {"name": "过时机构名称", "lexicon": "错敏词"}


def _reshown(hit: ContentHit, shown: str) -> ContentHit:
    """A near-miss hit whose context is taken again from the masked text (a number may stand nearby)."""
    return dataclasses.replace(hit, context=snippet(shown, hit.start, hit.end))


def _inside_lexicon(hit: ContentHit, found: list[tuple[int, int, LexEntry]]) -> bool:
    """Whether a listed entry already covers a near miss (the list's own wording wins)."""
    return any((s <= hit.start and hit.end <= e) or (hit.start <= s and e <= hit.end) for s, e, _ in found)


def _covered(text: str, start: int, end: int, phrase: str, term: str) -> bool:
    """Whether an occurrence of ``phrase`` in ``text`` covers the match at start..end."""
    pos = phrase.find(term)
    while pos >= 0:
        if text.startswith(phrase, start - pos) and start - pos >= 0:
            return True
        pos = phrase.find(term, pos + 1)
    return False


def historical(text: str, start: int, end: int) -> bool:
    """Whether the name at start..end is marked as the old body (see the module docstring)."""
    i = start - 1
    while i >= 0 and start - i <= 10 and text[i] not in _CLAUSE_END:
        if text[i] == "原" and (i + 1 >= len(text) or text[i + 1] not in _NOT_HISTORICAL_AFTER_YUAN):
            return True
        i -= 1
    after = text[end:end + 8]
    if after.startswith(("（现", "(现")):
        return True
    for j, ch in enumerate(after):
        if ch in _CLAUSE_END:
            after = after[:j]
            break
    return any(word in after for word in _RENAMED_AFTER)


def _longest(found: list[tuple[int, int, LexEntry]]) -> list[tuple[int, int, LexEntry]]:
    """Drop a match lying inside a longer match of the same kind ("卫生和计划生育" in "…委员会")."""
    if len(found) < 2:
        return found
    ordered = sorted(found, key=lambda f: (f[0], -f[1]))
    out: list[tuple[int, int, LexEntry]] = []
    # One sweep, linear in the matches (comparing each with every kept one took 111 s for 40,000 names):
    # in start order, a match lies inside an earlier one of its kind exactly when the furthest end seen
    # so far passes its end, or reaches it from an earlier start. Per kind: (furthest end, earliest start
    # reaching it).
    reach: dict[str, tuple[int, int]] = {}
    for f in ordered:
        start, end, entry = f
        far = reach.get(entry.kind)
        if far is not None and (far[0] > end or (far[0] == end and far[1] < start)):
            continue
        out.append(f)
        if far is None or end > far[0]:
            reach[entry.kind] = (end, start)
    return out


def snippet(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    """The match with some text either side, on one line."""
    left, right = max(0, start - chars), min(len(text), end + chars)
    body = text[left:right].replace("\r", " ").replace("\n", " ")
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


def build_scanner(lexicon_paths: Sequence[Path] = (), leader_paths: Sequence[Path] = ()) -> Scanner:
    """A scanner over the shipped lists plus the county's lexicon and leaders files (raises LexiconError)."""
    entries = shipped_entries()
    for path in lexicon_paths:
        entries.extend(load_lexicon_file(path))
    return Scanner(entries, build_phrase_checker(leader_paths))


class Locator:
    """Line and column (both from 1) of a text offset."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

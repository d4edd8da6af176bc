"""The near-miss detectors as content hits: formulations and leaders everywhere; places and misspellings
in drafts (``content check`` and the bot's 校对), where their cost per text does not multiply by millions.

Each hit names the canonical form, the category and the source, and says what differs ("「合」应为「和」").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rules.content.hits import ContentHit, Kind, ScanContext, Severity
from rules.content.phrases import PhraseChecker
from rules.content.places import SOURCE as PLACE_SOURCE
from rules.content.places import place_checker
from rules.content.regions import province_checker
from rules.content.words import word_checker

TYPO_SOURCE = "jieba 词典（约 35 万词及词频）比对：同音或形近一字之差，改后文本概率明显更高"
#: Misspellings found by the dictionary below this confidence are 提示, above it 一般.
TYPO_WARNING = 0.8
#: Characters that start a place-name suffix: a text without any skips the place check.
_PLACE_CHARS = frozenset("省市县区旗盟州镇乡街")


def near_miss_hits(text: str, on: dt.date | None, context: ScanContext, phrases: PhraseChecker | None,
                   snip: Callable[[int, int], str]) -> list[ContentHit]:
    """Every near-miss hit of ``text`` (``snip(start, end)`` gives the context shown around a hit)."""
    hits: list[ContentHit] = []
    if phrases is not None:
        for m in phrases.find(text, on):
            t = m.target
            if m.kind == "title":
                hits.append(ContentHit("leader", "warning", m.start, m.end, text[m.start:m.end], snip(m.start, m.end),
                                       f"leader:title:{t.text}", f"核实{t.text}的职务（{m.note}）", t.source,
                                       "领导人职务"))
                continue
            kind: Kind = "leader" if m.kind == "leader" else "phrase"
            hits.append(ContentHit(kind, m.severity, m.start, m.end, text[m.start:m.end], snip(m.start, m.end),
                                   f"{kind}:{t.text}", f"{t.text}（{m.note}）", t.source, t.category))
    if not context.draft:
        return hits  # places and the dictionary check cost more: drafts only (content check, the bot's 校对)
    names: list[tuple[int, int]] = []
    stems = place_checker().bare_stems(text)
    places = province_checker().find(text)  # a city under the wrong province needs no suffix ("甘肃银川")
    if any(c in _PLACE_CHARS for c in text):
        names = place_checker().real_names(text)
        places = place_checker().find(text) + places
    for p in places:
        if _overlapping(hits, p.start, p.end):
            continue
        right = "、".join(p.right)
        hits.append(ContentHit("place", "warning", p.start, p.end, text[p.start:p.end], snip(p.start, p.end),
                               f"place:{p.right[0]}", f"{right}（{p.note}）", PLACE_SOURCE, "行政区划名称"))
    for w in word_checker().find(text):
        if _overlapping(hits, w.start, w.end):
            continue  # a formulation, name or place already covers it
        if any(a <= w.start and w.end <= b for a, b in names) or _overlapping_spans(stems, w.start, w.end):
            continue  # inside a real division name (永堌镇, 白路镇) or touching a bare one (含巾口): gazetteer wins
        severity: Severity = "warning" if w.confidence >= TYPO_WARNING else "notice"
        hits.append(ContentHit("typo", severity, w.start, w.end, w.wrong, snip(w.start, w.end),
                               f"typo:{w.wrong}", f"{w.right}（{w.how}，置信度 {w.confidence:.2f}）", TYPO_SOURCE,
                               "错别字", w.confidence))
    return hits


def _overlapping(hits: list[ContentHit], start: int, end: int) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _overlapping_spans(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)

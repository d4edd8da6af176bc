"""General misspellings: a non-word (or a rare word) that becomes a frequent word with one character changed.

For every window of 2-4 Chinese characters the candidates are the dictionary words (jieba's, with
corpus frequencies) that sound the same and differ in exactly one character (one look-up by sound
string), and those reached by replacing one character with a similar-shaped one. A candidate must be
much more frequent than the window itself (``RATIO``); then the text around the window is segmented
both ways (jieba's model: the most probable route of dictionary words) and the change is reported only
when it makes the text much more probable (``MARGIN`` nats). The gain is the hit's confidence. A word
boundary slip ("实施方案" read as "施方") loses probability when corrected and is never reported.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
import tomllib
from dataclasses import dataclass

from rules.content.chardata import CharData, chardata, jieba_dict
from rules.content.lexicon import shipped

#: The corrected word must be at least this many times more frequent than the window.
RATIO = 10
#: ...and at least this frequent in jieba's dictionary (the sound index holds only such words).
MIN_FREQ = 50
#: A window listed in the dictionary more often than this is a real word, never a misspelling.
RARE = 5
#: Route log-probability gain (nats) needed to report, and the gain reported as confidence 1.0.
MARGIN = 9.5
#: Homophones are many times more numerous than same-shape characters, so a homophone correction needs more.
MARGIN_SOUND = 10.5
SURE = 14.0
#: Characters of context either side used to compare the two segmentations.
SPAN = 4
#: A parallel frame's other members are looked for within this many characters either side.
PARALLEL_SPAN = 16
_MAX_WORD = 6
_RUN_CACHE = 50_000
#: The frequency given to an accepted word (rules/data/accepted-words.toml): well above RARE, so a real word.
ACCEPTED_FREQ = 100
ACCEPTED_WORDS = "accepted-words.toml"
#: Single characters that stand alone in correct text all the time (particles, prepositions, measure and
#: administrative words): a window is looked at only around a loose character that is not one of these.
_FUNCTION_CHARS = frozenset("的了和是在为等及与对将把被从向以于之其这那也都就要会能可并而或但又不有个中上下"
                            "年月日各全县市省区镇乡村我你他她它们着过到由按如让使给比至每该此所者")
#: Generic characters that end the names of villages and landforms (沟, 村, 屯, 坪…), below the divisions.
_TOPONYM_GENERICS = frozenset("沟村庄屯寨坪峪湾岭垭坳塬峁砭")
#: A trade name is followed, within a few characters (its trade), by the kind of body it names.
_ORG_AFTER = re.compile("[\u4e00-\u9fff]{0,4}(专业合作社|合作社|有限公司|公司|集团|家庭农场|农场)")
_CJK = re.compile("[\u4e00-\u9fff]{2,}")


@dataclass(frozen=True)
class Misspelling:
    """A window, the word it should be, and how sure the change makes the text."""

    start: int
    end: int
    wrong: str
    right: str
    confidence: float  # 0..1
    how: str  # "同音" | "形近"
    freq: int = 0  # the corrected word's frequency in the dictionary


class WordChecker:
    """Finds misspellings with jieba's dictionary (see the module docstring)."""

    def __init__(self, data: CharData | None = None) -> None:
        self.data = data or chardata()
        self._log_total = math.log(self.data.total)
        self._words = {**self.data.words, **{w: ACCEPTED_FREQ for w in accepted_words()}}
        self._runs: dict[str, list[Misspelling]] = {}

    def _route(self, s: str) -> float:
        return self._segment(s)[0]

    def _segment(self, s: str) -> tuple[float, list[int]]:
        """The log-probability of the most probable route of dictionary words, and its token starts."""
        words, lt = self._words, self._log_total
        n = len(s)
        best = [0.0] + [-math.inf] * n
        back = [0] * (n + 1)
        for j in range(1, n + 1):
            for k in range(max(0, j - _MAX_WORD), j):
                f = words.get(s[k:j], 0)
                if f or j - k == 1:
                    score = best[k] + math.log(f or 1) - lt
                    if score > best[j]:
                        best[j], back[j] = score, k
        starts, j = [], n
        while j > 0:
            starts.append(back[j])
            j = back[j]
        return best[n], starts[::-1]

    def find(self, text: str) -> list[Misspelling]:
        """Every likely misspelling in ``text``, without overlaps (the surest first), in order."""
        found = [m for i, j in _cjk_runs(text) for m in self._run(text, i, j)
                 if not _parallel(text, m) and not _before_generic(text, m) and not _a_name(text, m)]
        found.sort(key=lambda m: (-m.confidence, -m.freq))
        kept: list[Misspelling] = []
        for m in found:
            if all(m.end <= k.start or k.end <= m.start for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    def _run(self, text: str, lo: int, hi: int) -> list[Misspelling]:
        """Windows around the run's loose characters (single-character tokens of its best route) or rare
        four-character tokens: where a slip breaks a word apart, or where the dictionary lists the slip."""
        run = text[lo:hi]
        cached = self._runs.get(run)
        if cached is not None:  # the same run again (table cells, repeated headers): same answer, shifted
            return [dataclasses.replace(m, start=m.start + lo, end=m.end + lo) for m in cached]
        found = self._fresh_run(run)
        if len(self._runs) < _RUN_CACHE:
            self._runs[run] = found
        return [dataclasses.replace(m, start=m.start + lo, end=m.end + lo) for m in found]

    def _fresh_run(self, run: str) -> list[Misspelling]:
        data = self.data
        words, by_sound, shapes = self._words, data.by_sound, data.shapes
        starts = self._segment(run)[1] + [len(run)]
        loose = [False] * len(run)
        windows: set[tuple[int, int]] = set()
        for a, b in itertools.pairwise(starts):
            if b - a == 1 and run[a] not in _FUNCTION_CHARS:
                loose[a] = True
            elif b - a == 4 and words.get(run[a:b], 0) <= RARE:
                windows.add((a, b))
        for p in (p for p, x in enumerate(loose) if x):
            for length in (2, 3, 4):
                for i in range(max(0, p - length + 1), min(p, len(run) - length) + 1):
                    windows.add((i, i + length))
        if not windows:
            return []
        sound = data.sound(run)
        out: list[Misspelling] = []
        for i, j in windows:
            w = run[i:j]
            fw = words.get(w, 0)
            if fw > RARE:
                continue
            cands = [(o, "同音") for o in by_sound.get(sound[i:j], ()) if o != w]
            for k in range(j - i):
                for c in shapes.get(w[k], ""):
                    other = w[:k] + c + w[k + 1:]
                    if words.get(other, 0) >= MIN_FREQ:
                        cands.append((other, "形近"))
            for other, how in cands:
                fo = words[other]
                if fo < RATIO * (fw + 1) or sum(a != b for a, b in zip(other, w, strict=True)) != 1:
                    continue
                m = self._verify(run, i, j, other, how, fw, fo)
                if m:
                    out.append(m)
        return out

    def _verify(self, text: str, i: int, j: int, right: str, how: str, fw: int, fo: int) -> Misspelling | None:
        a, b = max(0, i - SPAN), min(len(text), j + SPAN)
        gain = self._route(text[a:i] + right + text[j:b]) - self._route(text[a:b])
        if gain >= (MARGIN if how == "形近" else MARGIN_SOUND):
            return Misspelling(i, j, text[i:j], right, round(min(1.0, gain / SURE), 2), how, fo)
        if fw and j - i == 4 and gain > 0:  # a rare variant of a set phrase that the dictionary lists ("再接再励")
            return Misspelling(i, j, text[i:j], right, round(min(1.0, math.log(fo / fw) / 5), 2), how, fo)
        return None


def _before_generic(text: str, m: Misspelling) -> bool:
    """Whether the window is the specific part of a village or landform name ("纸肪沟", "张家砭村"): a non-word
    right before a toponym generic is a name the dictionary cannot know, not a slip."""
    return m.end < len(text) and text[m.end] in _TOPONYM_GENERICS


def _a_name(text: str, m: Misspelling) -> bool:
    """Whether the window is a proper name, where one character off is another name, not a slip: a full
    personal name whose "correction" is someone else's ("县长王亚珍" is not 王玉珍), or the trade name of
    a co-operative, company or farm ("荣尧农机专业合作社")."""
    if len(m.wrong) == 3 and m.right in _person_names():
        return True
    return _ORG_AFTER.match(text, m.end) is not None


@functools.cache
def accepted_words() -> tuple[str, ...]:
    """The words correct government text uses that jieba lacks (rules/data/accepted-words.toml, each sourced)."""
    raw = tomllib.loads(shipped(ACCEPTED_WORDS))
    return tuple(entry["text"] for entry in raw.get("word", []) if entry.get("text") and entry.get("source"))


@functools.cache
def _person_names() -> frozenset[str]:
    """jieba's three-character entries tagged as personal names (nr)."""
    out = set()
    with jieba_dict().open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "nr" and len(parts[0]) == 3:
                out.add(parts[0])
    return frozenset(out)


def _parallel(text: str, m: Misspelling) -> bool:
    """Whether the character to change is the fixed slot of a repeated frame ("宜粮则粮、宜经则经、宜牧则牧"):
    the window with its other characters as wildcards, plus the character after it, recurs twice more nearby."""
    if m.end >= len(text):
        return False
    k = next(n for n, (a, b) in enumerate(zip(m.wrong, m.right, strict=True)) if a != b)
    frame = re.compile("".join(re.escape(c) if n == k else "[\u4e00-\u9fff]" for n, c in enumerate(m.wrong))
                       + re.escape(text[m.end]))
    near = text[max(0, m.start - PARALLEL_SPAN):m.end + PARALLEL_SPAN]
    return len({f.group() for f in frame.finditer(near)}) >= 3


def _cjk_runs(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CJK.finditer(text)]


_checker: WordChecker | None = None


def word_checker() -> WordChecker:
    """The process's checker (its dictionary is loaded once)."""
    global _checker
    if _checker is None:
        _checker = WordChecker()
    return _checker

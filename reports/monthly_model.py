"""Data model of one month's matrix health review, plus the shared formatting the renderers use.

Everything is computed before rendering (by the database builder): the renderers only lay the
numbers out, so HTML, xlsx and docx always agree. Text fields hold display labels in Chinese
(e.g. platform "微信公众号", unit kind "乡镇"), not database codes, unless named ``key``: the docx
通报 draft prints them as they are, and the HTML / xlsx renderers translate them at render time with
``term`` / ``terms`` / ``account_text`` (``--lang en``), so one built report serves both languages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

from registry.config.i18n import get_lang, tr
from registry.ledger.vocab import (
    PLATFORM_LABELS,
    PLATFORM_LABELS_EN,
    STATUS_LABELS,
    UNIT_KIND_LABELS,
    Status,
    UnitKind,
)
from reports.indices import FORMULAS_EN, FORMULAS_ZH

if TYPE_CHECKING:
    from reports.content_safety import ContentSafety

#: Allowed values of RecheckRow.now_state.
RECHECK_STATES = ("已整改", "仍未整改", "已关停")
#: Allowed values of AccountRow.verdict.
VERDICTS = ("合格", "不合格", "无法判断")
#: The verdict of an account we could not see (blind or gone): never 合格.
UNSEEN = "无法判断"
#: How the rankings list accounts whose index inputs are unknown (never ranked at zero).
INSUFFICIENT = "数据不足，未参与排名"

_UNIT_KIND_EN = {UnitKind.COUNTY_GOV: "County government", UnitKind.DEPARTMENT: "County department",
                 UnitKind.TOWNSHIP: "Township", UnitKind.OTHER: "Other"}
_STATUS_EN = {Status.OPERATING: "Operating", Status.RECTIFYING: "Rectifying", Status.REVIEWING: "Under review",
              Status.NOTICE: "Closure notice", Status.CLOSED: "Closed", Status.DEREGISTERED: "Deregistered"}
#: English for every Chinese display label the model can hold; registry data (names) is never in here.
TERMS_EN: dict[str, str] = {
    "合计": "Total",
    **{PLATFORM_LABELS[k]: v for k, v in PLATFORM_LABELS_EN.items()},
    **{UNIT_KIND_LABELS[k]: v for k, v in _UNIT_KIND_EN.items()},
    **{STATUS_LABELS[k]: v for k, v in _STATUS_EN.items()},
    "合格": "Pass", "不合格": "Fail", "无法判断": "Cannot judge",  # VERDICTS
    "数据不足，未参与排名": "Insufficient data, not ranked",
    "已整改": "Rectified", "仍未整改": "Not rectified",  # RECHECK_STATES ("已关停" is the status above)
    # Review decisions (registry.ledger.reviews.DECISION_STATUS).
    "保留整改": "Keep and rectify", "整合": "Merge", "关停": "Close", "注销": "Deregister",
    **dict(zip(FORMULAS_ZH, FORMULAS_EN, strict=True)),
}




class RuleFacts(Protocol):
    """What the review needs of a rule of the catalogue (handed in by the caller; reports name no rule)."""

    @property
    def id(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def unseeable(self) -> bool:
        """A finding of this rule means we could not see the account (its verdict is 无法判断)."""
        ...

    def label(self, lang: str = "zh", evidence: Mapping[str, object] | None = None) -> str:
        """The rule's label in ``lang``, formatted with a finding's evidence."""
        ...


def remember_term(zh: str, en: str) -> str:
    """Teach ``term`` the English of a label formatted at build time (a problem label); returns ``zh``."""
    TERMS_EN.setdefault(zh, en)
    return zh


@dataclass(frozen=True)
class Tally:
    """Counts for one slice (the county, a platform or a unit level), this month and last month."""

    key: str  # code: "all", a platform code ("wechat") or a unit kind ("township")
    label: str  # what people read: "合计", "微信公众号", "乡镇"
    accounts: int  # accounts in operation (being checked this month)
    checked: int
    failed: int  # 不合格
    pass_rate: float | None  # 合格率 0..1; None when nothing was checked
    prev_accounts: int | None = None  # None: no data for the previous month
    prev_checked: int | None = None
    prev_failed: int | None = None
    prev_pass_rate: float | None = None


@dataclass(frozen=True)
class Overview:
    """一、总体情况: the county total and its breakdowns by platform and by unit level."""

    total: Tally
    by_platform: list[Tally]
    by_unit_kind: list[Tally]  # county_gov / department / township / other


@dataclass(frozen=True)
class ProblemGroup:
    """二、主要问题: one finding category with the accounts that have it."""

    rule: str  # rule id, e.g. "stale"
    label_zh: str  # national wording, e.g. "内容不更新"
    veto: bool  # 单项否决 (True) or a warning / 扣分 item (False)
    count: int
    share: float | None  # share of the month's problem accounts, 0..1
    accounts: list[str]  # "名称（平台）"


@dataclass(frozen=True)
class RecheckRow:
    """三、复核: one of last month's failing accounts and where it stands now."""

    account: str
    platform: str
    unit: str
    last_month_problem: str
    now_state: str  # one of RECHECK_STATES


class ReviewDecision(NamedTuple):
    """A closure / merger review decided this month."""

    account: str
    decision: str  # e.g. "关停", "整合至XX发布", "保留"
    decided_by: str
    date: dt.date


@dataclass(frozen=True)
class Closures:
    """四、关停整合: reviews opened and decided, accounts closed or merged this month."""

    reviews_opened: int
    reviews_decided: int
    closed: list[str]  # "名称（平台）"
    merged: list[str]  # "名称（平台）→ 目标账号" or just "名称（平台）"
    decisions: list[ReviewDecision]


@dataclass(frozen=True)
class RankRow:
    """五、排行: one account's index and the month's totals behind it (None = not available)."""

    account: str
    unit: str
    index: float  # WCI for WeChat, BCI for Weibo
    posts: int
    reads: int | None
    likes: int | None
    shares: int | None  # 转发 (WeChat shares / Weibo reposts)
    zaikan: int | None  # 在看 (WeChat only)
    comments: int | None = None  # Weibo comments (a BCI input)


@dataclass(frozen=True)
class Rankings:
    """五、排行: WeChat by WCI and Weibo by BCI, already sorted best first, plus accounts praised."""

    wechat: list[RankRow]
    weibo: list[RankRow]
    praised: list[str]  # "名称（平台）"
    #: Accounts that posted but whose index inputs are unknown (feed-only WeChat, Weibo without counters):
    #: "名称（平台）", listed apart as INSUFFICIENT, never ranked at zero.
    insufficient: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AccountRow:
    """六、明细: one account's numbers for the month (None = not available)."""

    name: str
    platform: str
    unit: str
    unit_kind: str
    status: str
    posts: int | None  # None: an account we could not see (nothing stored)
    days_since_last_post: int | None
    followers: int | None
    followers_change: int | None
    reads: int | None
    interactions: int | None
    index: float | None  # WCI / BCI where the platform has one
    problems: str  # labels joined with "、"; "" when none
    verdict: str  # one of VERDICTS
    #: ``followers`` is an abbreviated platform figure ("693.2万"): shown as ≈, growth not computed over it.
    followers_approx: bool = False
    comments: int | None = None  # comments on the month's posts, as read (reports.monthly_response)
    answer_rate: float | None = None


@dataclass(frozen=True)
class TrendPoint:
    """七、趋势: one month of the 12-month series."""

    month: str  # "YYYY-MM"
    accounts: int
    pass_rate: float | None
    posts: int
    reads: int | None  # None: no operating account's reads known that month


@dataclass(frozen=True)
class ResponseLine:
    """回应情况: one account's answers to comments on its posts of the month (None: no comment thread read)."""

    account: str
    platform: str
    unit: str
    comments: int | None = None
    answered: int | None = None
    median_hours: float | None = None

    @property
    def rate(self) -> float | None:
        """Answered / received; None when unknown or nothing was received."""
        return self.answered / self.comments if self.comments and self.answered is not None else None


@dataclass(frozen=True)
class MonthlyReport:
    """One month's 政务新媒体矩阵月度健康度报告, fully computed."""

    county: str
    month: str  # "YYYY-MM"
    period_start: dt.date
    period_end: dt.date
    as_of: dt.datetime  # `now` of the run: the month's end, or today for the current month
    partial: bool  # the current month to date → "截至YYYY年M月D日"
    generated_at: dt.datetime
    overview: Overview
    problems: list[ProblemGroup]
    recheck: list[RecheckRow]
    closures: Closures
    rankings: Rankings
    details: list[AccountRow]
    trends: list[TrendPoint]  # oldest first, normally 12 months ending with this one
    definitions: list[str] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)
    # English versions of definitions / formulas, line for line; empty: translate each line with `term`.
    definitions_en: list[str] = field(default_factory=list)
    formulas_en: list[str] = field(default_factory=list)
    # 回应情况 (reports.monthly_response): one line per account of the 明细 table, same order.
    responses: list[ResponseLine] = field(default_factory=list)
    # The 内容安全 section (reports.content_safety); None: not built.
    content: ContentSafety | None = None

    @property
    def month_zh(self) -> str:
        """The month as people write it: "2025年3月"."""
        return month_zh(self.month)

    @property
    def month_text(self) -> str:
        """The month in the current language: "2025年3月" / "March 2025"."""
        return month_text(self.month)

    @property
    def title(self) -> str:
        """Title of the HTML / xlsx review, in the current language."""
        return tr(f"{self.county}政务新媒体矩阵月度健康度报告（{self.month_zh}）",
                  f"{self.county} government new-media matrix health review ({self.month_text})")

    @property
    def as_of_text(self) -> str:
        """Banner text 截至YYYY年M月D日 for a month still running, "" otherwise (Chinese: the docx prints it)."""
        return f"截至{date_zh(self.as_of.date())}" if self.partial else ""

    @property
    def as_of_label(self) -> str:
        """``as_of_text`` in the current language ("As of March 18, 2025")."""
        return tr(self.as_of_text, f"As of {date_text(self.as_of.date())}") if self.partial else ""

    def definition_lines(self) -> list[str]:
        """The definitions in the current language."""
        return _lines(self.definitions, self.definitions_en)

    def formula_lines(self) -> list[str]:
        """The index formulas in the current language."""
        return _lines(self.formulas, self.formulas_en)

    @property
    def failing(self) -> list[AccountRow]:
        """Detail rows judged 不合格, in detail order (the annex list)."""
        return [r for r in self.details if r.verdict == "不合格"]


def _lines(zh: list[str], en: list[str]) -> list[str]:
    if get_lang() != "en":
        return zh
    return en if en else [term(line) for line in zh]


# --- formatting shared by the three renderers (display only: no numbers are derived here) ---

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def term(text: str) -> str:
    """A Chinese display label of the model in the current language (unknown text is returned as is)."""
    return TERMS_EN.get(text, text) if get_lang() == "en" else text


def terms(text: str) -> str:
    """Labels joined with "、" (e.g. AccountRow.problems) in the current language ("a; b" in English)."""
    return "; ".join(term(t) for t in text.split("、")) if get_lang() == "en" and text else text


def account_text(text: str) -> str:
    """An account as the model writes it, "名称（平台）" or "名称（平台） → 目标", in the current language.

    Only the platform label is translated; the names are registry data and stay as they are.
    """
    if get_lang() != "en":
        return text
    head, arrow, target = text.partition(" → ")
    name, paren, rest = head.rpartition("（")
    if paren and rest.endswith("）") and rest[:-1] in TERMS_EN:
        head = f"{name} ({TERMS_EN[rest[:-1]]})"
    return head + arrow + target


def join_names(names: list[str]) -> str:
    """Accounts listed in running text: "、" in Chinese, ", " in English, each through ``account_text``."""
    return tr("、", ", ").join(account_text(n) for n in names)


def month_text(month: str) -> str:
    """Month label in the current language: 2025-03 → "2025年3月" / "March 2025"."""
    year, mon = month.split("-")
    return tr(month_zh(month), f"{_MONTHS_EN[int(mon) - 1]} {int(year)}")


def date_text(day: dt.date) -> str:
    """A date in the current language: "2025年3月18日" / "March 18, 2025"."""
    return tr(date_zh(day), f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}")


def month_zh(month: str) -> str:
    """Month label: 2025-03 → 2025年3月."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def date_zh(day: dt.date) -> str:
    """A date as Chinese documents write it: "2025年3月18日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def fmt_int(value: int | None) -> str:
    """Integer with thousands separators; "—" when unknown."""
    return "—" if value is None else f"{value:,}"


def fmt_followers(value: int | None, approx: bool = False) -> str:
    """Followers with separators, "≈693.2万" for an approximate platform figure; "—" when unknown."""
    if value is None:
        return "—"
    return f"≈{fmt_count(value)}" if approx else f"{value:,}"


def fmt_signed(value: int | None) -> str:
    """Signed integer change ("+12", "-3", "0"); "—" when unknown."""
    return "—" if value is None else f"{value:+,}" if value else "0"


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """A 0..1 ratio as a percentage ("80.5%"); "—" when unknown."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def fmt_index(value: float | None) -> str:
    """WCI / BCI with two decimals; "—" when unknown."""
    return "—" if value is None else f"{value:.2f}"


def fmt_count_zh(value: int | None) -> str:
    """Large counts the Chinese way ("12.3万", "1.5亿") for charts and headlines."""
    if value is None:
        return "—"
    if abs(value) >= 100_000_000:
        return f"{value / 100_000_000:.1f}亿"
    if abs(value) >= 10_000:
        return f"{value / 10_000:.1f}万"
    return f"{value:,}"


def fmt_count(value: int | None) -> str:
    """Large counts for charts: ``fmt_count_zh`` in Chinese, "12.3k" / "1.5M" in English."""
    if get_lang() != "en" or value is None:
        return fmt_count_zh(value)
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:.1f}k"
    return f"{value:,}"


def change_int(cur: int | None, prev: int | None) -> str:
    """Change of a count against last month for display ("+3"); "—" without last month."""
    return "—" if cur is None or prev is None else fmt_signed(cur - prev)


def change_pct_points(cur: float | None, prev: float | None) -> str:
    """Change of a rate in percentage points ("+1.2个百分点" / "+1.2 pp"); "—" without both months."""
    if cur is None or prev is None:
        return "—"
    diff = round((cur - prev) * 100, 1)
    return tr("持平", "unchanged") if diff == 0 else tr(f"{diff:+.1f}个百分点", f"{diff:+.1f} pp")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def xml_safe(text: str) -> str:
    """Drop control characters that XML (docx, xlsx) cannot hold; names scraped from platforms may carry them."""
    return _CONTROL.sub("", text)

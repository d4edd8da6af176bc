"""Rule settings: the catalogue's metadata, its defaults, and resolution of the `[rules]` config table.

Config shape (TOML)::

    [rules]
    working_days = false            # count staleness (stale_veto / stale_warning / dormant_long)
                                    # in working days instead of calendar days
    [rules.calendar]
    extra_holidays = ["2027-01-01"] # local additions to the built-in 2024-2026 tables
    extra_workdays = ["2027-02-06"]
    [rules.stale_warning]
    enabled = true
    days = 10
    [rules.stale_warning.township]  # per-unit-kind override: county_gov, department, township, other
    days = 7

low_use floors (min_followers, min_reads_per_post, min_interactions_per_post) are 0 = off by
default: policy.md §5.4 finds no national or provincial number, so any floor is local policy. The
default low_use test is relative only — the bottom `percentile` % of peers on the same platform and
of the same unit kind, when the group has at least `min_peers` accounts.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from registry.ledger.vocab import UnitKind
from rules.calendar import DEFAULT_CALENDAR, WorkCalendar

UNIT_KINDS: tuple[str, ...] = tuple(k.value for k in UnitKind)

SEVERITY_LABELS: dict[str, str] = {
    "veto": "单项否决",
    "warning": "预警",
    "review": "关停整合评估",
    "ops": "运维",
    "info": "提示",
}

#: Ledger fields registry_incomplete can require, with the labels its summary uses.
FIELD_LABELS: dict[str, str] = {
    "head_name": "负责人",
    "head_phone": "负责人电话",
    "operator_name": "运维人员",
    "operator_phone": "运维人员电话",
    "operator_wecom": "运维人员企业微信账号",
    "verified_subject": "认证主体",
    "update_frequency": "更新频率要求",
    "opened_on": "开设日期",
    "interaction": "互动渠道",
}

# Ledger texts that mean "no effective interaction channel" (policy.md §1.2: keyword-only
# auto-replies and disabled comments are usually judged ineffective).
# An empty cell is not among them: it is missing ledger data (registry_incomplete), never a veto.
DEFAULT_NONE_INTERACTION = [
    "无", "没有", "暂无", "否", "未开通", "不开通", "未开放", "未设置", "关闭", "已关闭",
    "无互动", "留言已关闭", "评论已关闭", "仅自动回复", "仅关键词回复", "-", "—", "/", "none", "n/a",
]


@dataclass(frozen=True)
class KeySpec:
    """One setting: its type (bool, int, float, strs, opt_int, choice), default, lower bound, meaning."""

    kind: str
    default: object
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleMeta:
    """A rule's stable id, names, label templates, severity, kind flags and settings schema.

    This is the one place the other packages learn a rule's facts from (passed to them as data):
    ``label_zh`` / ``label_en`` are message labels formatted with a finding's evidence (thresholds
    always come from the evidence, never written into the label); ``activity`` rules judge collected
    activity, so they are muted and kept while the account is blind; ``opens_review`` rules open a
    shutdown review; ``window`` rules read a post window (the activity digest); ``trend`` rules are
    the ones the monthly review evaluates in its older trend months; ``pending_ok`` rules are the only
    ones that judge an account whose identity is pending (待补全): it was never seen, so nothing else can;
    ``unseeable`` rules say we could not see the account at all (blind, gone), so its verdict is 无法判断,
    never 合格.
    """

    id: str
    name_zh: str
    name_en: str
    severity: str
    keys: dict[str, KeySpec]
    label_zh: str = ""
    label_en: str = ""
    activity: bool = False
    opens_review: bool = False
    window: bool = False
    trend: bool = False
    pending_ok: bool = False
    unseeable: bool = False

    def label(self, lang: str = "zh", evidence: Mapping[str, object] | None = None) -> str:
        """The label in ``lang`` formatted with ``evidence``; the plain name when a template key is missing."""
        template, name = (self.label_en, self.name_en) if lang == "en" else (self.label_zh, self.name_zh)
        try:
            return template.format_map(dict(evidence or {})) if template else name
        except (KeyError, IndexError, ValueError):
            return name

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this rule is (e.g. {"activity"}): the targets inhibition rules name."""
        flags = {"activity": self.activity, "review": self.opens_review, "window": self.window, "trend": self.trend}
        return frozenset(k for k, on in flags.items() if on)


def _meta(rid: str, zh: str, en: str, severity: str, *, label_zh: str = "", label_en: str = "", activity: bool = False,
          opens_review: bool = False, window: bool = False, trend: bool = False, pending_ok: bool = False,
          unseeable: bool = False, **keys: KeySpec) -> RuleMeta:
    return RuleMeta(rid, zh, en, severity, {"enabled": KeySpec("bool", True, "run this rule"), **keys},
                    label_zh=label_zh, label_en=label_en, activity=activity, opens_review=opens_review,
                    window=window, trend=trend, pending_ok=pending_ok, unseeable=unseeable)


_DAYS = "threshold in days (working days when [rules] working_days = true)"

CATALOGUE: dict[str, RuleMeta] = {
    m.id: m
    for m in (
        _meta("stale_veto", "内容不更新（单项否决）", "Not updated for two weeks (veto)", "veto",
              label_zh="内容不更新", label_en="No updates", activity=True, trend=True,
              days=KeySpec("int", 14, _DAYS + "; 14 is the national rule", 1)),
        _meta("stale_warning", "更新预警", "Update warning", "warning",
              label_zh="更新预警（超过{threshold_days}天未更新）",
              label_en="Update warning (no update for over {threshold_days} days)", activity=True,
              days=KeySpec("int", 10, _DAYS, 1)),
        _meta("dormant_long", "长期不更新（僵尸号）", "Long dormant (zombie account)", "review",
              label_zh="长期不更新（僵尸号）", label_en="Long dormant (zombie account)", activity=True,
              opens_review=True,
              days=KeySpec("int", 90, _DAYS, 1)),
        _meta("low_use", "关注度和利用率低", "Low attention and use", "review",
              label_zh="关注度和利用率低", label_en="Low attention and use", activity=True, opens_review=True,
              window=True,
              window_days=KeySpec("int", 90, "trailing window in days", 1),
              percentile=KeySpec("float", 10.0, "bottom percentile among peers; 0 = off", 0, 100),
              min_peers=KeySpec("int", 10, "smallest peer group (same platform and unit kind, self included)", 2),
              min_followers=KeySpec("int", 0, "follower floor; 0 = off (local policy)", 0),
              min_reads_per_post=KeySpec("float", 0.0, "reads-per-post floor; 0 = off (local policy)", 0),
              min_interactions_per_post=KeySpec("float", 0.0, "interactions-per-post floor; 0 = off", 0)),
        _meta("frequency_below_target", "更新频率不达标", "Below the required update frequency", "warning",
              label_zh="更新频率不达标", label_en="Below the required update frequency", activity=True,
              window=True,
              window_days=KeySpec("int", 28, "full days before today that are checked", 1)),
        _meta("no_interaction", "互动回应差", "No effective interaction channel", "veto",
              label_zh="未提供有效互动功能", label_en="No effective interaction channel", trend=True, pending_ok=True,
              none_values=KeySpec("strs", DEFAULT_NONE_INTERACTION, "互动渠道 texts that mean none")),
        _meta("slow_response", "互动回应不及时", "Slow to answer the public's comments", "warning",
              label_zh="互动回应不及时（近{window_days}天留言{comments}条，已回复{answered}条）",
              label_en="Slow to answer comments ({answered} of {comments} answered in {window_days} days)",
              activity=True,
              window_days=KeySpec("int", 30, "posts published in the last N days are judged", 1),
              min_comments=KeySpec("int", 3, "comments due an answer needed before the account is judged", 1),
              answer_grace_hours=KeySpec("int", 24, "hours a comment may wait before it is due an answer", 0),
              min_answer_rate=KeySpec("float", 0.5, "share of comments answered below which it fires; 0 = off",
                                      0, 1),
              max_median_hours=KeySpec("float", 72.0, "median answer time above which it fires; 0 = off", 0),
              max_unanswered_hours=KeySpec("int", 72, "hours a comment may wait unanswered; 0 = off", 0)),
        _meta("duplicate_account", "同一平台重复开号", "Duplicate accounts on one platform", "review",
              label_zh="同一平台重复开号", label_en="Duplicate accounts on one platform", opens_review=True,
              ignore_platforms=KeySpec("strs", ["other"], "platform codes not compared (other lumps many)")),
        _meta("account_gone", "账号异常", "Account deleted, banned or renamed", "warning",
              label_zh="账号异常（检查中搜不到）", label_en="Account abnormal (not found in checks)", unseeable=True),
        _meta("collection_blind", "数据采集中断", "Collection blind", "ops",
              label_zh="数据采集中断（无法判断）", label_en="Data collection interrupted (cannot judge)", trend=True,
              unseeable=True,
              hours=KeySpec("int", 72, "hours without a successful collection", 1),
              manual_hours=KeySpec("opt_int", None, "window for manual submissions; unset = hours", 1)),
        _meta("registry_incomplete", "台账不完整", "Registry incomplete", "info",
              label_zh="台账不完整", label_en="Registry incomplete", pending_ok=True,
              contacts_max_age_days=KeySpec("int", 180, "contacts must be re-confirmed within", 1),
              required_fields=KeySpec("strs", [k for k in FIELD_LABELS if k != "operator_wecom"],
                                      "ledger fields that must be filled", choices=tuple(FIELD_LABELS)),
              require_filed=KeySpec("bool", True, "flag accounts not filed in the national system")),
        _meta("identity_pending", "账号待补全", "Account identity pending", "info",
              label_zh="账号待补全（缺少账号ID或主办单位，暂不采集）", label_en="Identity pending (no id or unit yet, not collected)",
              pending_ok=True, unseeable=True),
        _meta("content_error", "内容表述错误", "Content errors (wrong or outdated wording)", "veto",
              label_zh="内容表述错误（{count}处）", label_en="Content errors ({count})"),
        _meta("privacy_leak", "泄露个人信息", "Personal information disclosed", "warning",
              label_zh="泄露个人信息（{count}处）", label_en="Personal information disclosed ({count})",
              level=KeySpec("choice", "warning", "severity of the finding: veto, warning or info",
                            choices=("veto", "warning", "info"))),
    )
}
RULE_IDS: tuple[str, ...] = tuple(CATALOGUE)
#: The rule saying "we cannot see this account": it mutes the activity rules (see INHIBIT_RULES).
BLIND_RULE = "collection_blind"
#: Inhibition as data, in the Alertmanager way: (source rule, target kind, equal label).
INHIBIT_RULES: tuple[tuple[str, str, str], ...] = ((BLIND_RULE, "activity", "account"),)


def rules_where(flag: str) -> frozenset[str]:
    """The ids of the catalogue's rules whose boolean fact ``flag`` (activity, opens_review, …) is set."""
    return frozenset(rid for rid, m in CATALOGUE.items() if getattr(m, flag))


def _check(where: str, key: str, spec: KeySpec, value: object) -> object:
    """Validate one value against its spec; raise ValueError naming `[where] key`."""
    bad = f"[{where}] {key}: expected {{}}, got {value!r}"
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(bad.format("true or false"))
        return value
    if spec.kind == "choice":
        if value not in spec.choices:
            raise ValueError(bad.format("one of " + ", ".join(spec.choices)))
        return value
    if spec.kind == "strs":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(bad.format("a list of strings"))
        wrong = [v for v in value if spec.choices and v not in spec.choices]
        if wrong:
            raise ValueError(f"[{where}] {key}: unknown value(s) {wrong}; known: {', '.join(spec.choices)}")
        return list(value)
    numeric = int if spec.kind in ("int", "opt_int") else (int, float)
    if isinstance(value, bool) or not isinstance(value, numeric):
        raise ValueError(bad.format("an integer" if numeric is int else "a number"))
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"[{where}] {key}: must be at least {spec.minimum:g}, got {value!r}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"[{where}] {key}: must be at most {spec.maximum:g}, got {value!r}")
    return float(value) if spec.kind == "float" else value


def _unknown(where: str, key: str, known: list[str]) -> ValueError:
    hint = difflib.get_close_matches(key, known, n=1)
    also = f" (did you mean {hint[0]!r}?)" if hint else ""
    return ValueError(f"[{where}] unknown key {key!r}{also}; known: {', '.join(known)}")


def _as_date(key: str, value: object) -> date:
    # TOML gives a date for a bare 2026-01-01 and a str for "2026-01-01"; accept both, not datetimes.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"[rules.calendar] {key}: expected dates like \"2026-10-09\", got {value!r}")


def _calendar(table: object) -> WorkCalendar:
    if not isinstance(table, Mapping):
        raise ValueError("[rules] calendar: expected a table")
    extras: dict[str, list[date]] = {"extra_holidays": [], "extra_workdays": []}
    for key, value in table.items():
        if key not in extras:
            raise _unknown("rules.calendar", str(key), list(extras))
        if not isinstance(value, list):
            raise ValueError(f"[rules.calendar] {key}: expected a list of dates, got {value!r}")
        extras[key] = [_as_date(key, v) for v in value]
    try:
        return WorkCalendar.with_extras(extras["extra_holidays"], extras["extra_workdays"])
    except ValueError as exc:
        raise ValueError(f"[rules.calendar] {exc}") from None


@dataclass(frozen=True)
class RuleSettings:
    """Resolved rule settings: validated base values per rule plus per-unit-kind overrides."""

    values: dict[str, dict[str, object]]
    overrides: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    working_days: bool = False
    calendar: WorkCalendar = DEFAULT_CALENDAR
    # Effective values looked up so far: every rule asks for its settings once per account.
    _memo: dict[tuple[str, str, str], object] = field(default_factory=dict, init=False, compare=False, repr=False)
    _strs_memo: dict[tuple[str, str, str, str], tuple[str, ...]] = field(default_factory=dict, init=False, compare=False,
                                                                     repr=False)

    @classmethod
    def from_dict(cls, table: Mapping[str, object] | None = None) -> RuleSettings:
        """Resolve the parsed `[rules]` table (None or {} = all defaults); bad input raises ValueError."""
        # Copy list defaults so a caller mutating one resolved setting cannot change the catalogue.
        values = {
            rid: {k: list(s.default) if isinstance(s.default, list) else s.default for k, s in m.keys.items()}
            for rid, m in CATALOGUE.items()
        }
        overrides: dict[str, dict[str, dict[str, object]]] = {}
        working_days, calendar = False, DEFAULT_CALENDAR
        for key, value in (table or {}).items():
            if key == "working_days":
                working_days = bool(_check("rules", key, KeySpec("bool", False, ""), value))
            elif key == "calendar":
                calendar = _calendar(value)
            elif key in CATALOGUE:
                if not isinstance(value, Mapping):
                    raise ValueError(f"[rules] {key}: expected a table [rules.{key}], got {value!r}")
                overrides[key] = cls._rule_table(CATALOGUE[key], value, values[key])
            else:
                raise _unknown("rules", str(key), ["working_days", "calendar", *RULE_IDS])
        return cls(values=values, overrides=overrides, working_days=working_days, calendar=calendar)

    @staticmethod
    def _rule_table(meta: RuleMeta, table: Mapping[str, object], base: dict[str, object]) -> dict[str, dict[str, object]]:
        where = f"rules.{meta.id}"
        kinds: dict[str, dict[str, object]] = {}
        for key, value in table.items():
            if key in meta.keys:
                base[key] = _check(where, key, meta.keys[key], value)
            elif key in UNIT_KINDS:
                if not isinstance(value, Mapping):
                    raise ValueError(f"[{where}] {key}: expected a table [{where}.{key}], got {value!r}")
                per_kind: dict[str, object] = {}
                for sub, sub_value in value.items():
                    if sub not in meta.keys:
                        raise _unknown(f"{where}.{key}", str(sub), list(meta.keys))
                    per_kind[sub] = _check(f"{where}.{key}", sub, meta.keys[sub], sub_value)
                kinds[key] = per_kind
            else:
                raise _unknown(where, str(key), [*meta.keys, *(f"{k} (table)" for k in UNIT_KINDS)])
        return kinds

    def value(self, rule: str, key: str, unit_kind: str | None = None) -> object:
        """The effective value of `[rules.<rule>] key` for accounts of unit_kind."""
        memo_key = (rule, key, unit_kind or "")
        try:
            return self._memo[memo_key]
        except KeyError:
            pass
        per_kind = self.overrides.get(rule, {}).get(unit_kind or "", {})
        value = self._memo[memo_key] = per_kind[key] if key in per_kind else self.values[rule][key]
        return value

    def enabled(self, rule: str, unit_kind: str | None = None) -> bool:
        """Whether the rule runs for accounts of unit_kind."""
        return bool(self.value(rule, "enabled", unit_kind))

    def get_int(self, rule: str, key: str, unit_kind: str | None = None) -> int:
        """An integer setting."""
        v = self.value(rule, key, unit_kind)
        assert isinstance(v, int)
        return v

    def get_opt_int(self, rule: str, key: str, unit_kind: str | None = None) -> int | None:
        """An optional integer setting (None when unset)."""
        v = self.value(rule, key, unit_kind)
        assert v is None or isinstance(v, int)
        return v

    def get_float(self, rule: str, key: str, unit_kind: str | None = None) -> float:
        """A numeric setting as float."""
        v = self.value(rule, key, unit_kind)
        assert isinstance(v, int | float)
        return float(v)

    def get_bool(self, rule: str, key: str, unit_kind: str | None = None) -> bool:
        """A boolean setting."""
        return bool(self.value(rule, key, unit_kind))

    def get_str(self, rule: str, key: str, unit_kind: str | None = None) -> str:
        """A string setting (one of its choices)."""
        return str(self.value(rule, key, unit_kind))

    def get_strs(self, rule: str, key: str, unit_kind: str | None = None) -> list[str]:
        """A list-of-strings setting (converted once; each caller gets its own list)."""
        memo_key = (rule, key, unit_kind or "", "strs")
        strs = self._strs_memo.get(memo_key)
        if strs is None:
            v = self.value(rule, key, unit_kind)
            assert isinstance(v, list)
            strs = self._strs_memo[memo_key] = tuple(str(x) for x in v)
        return list(strs)


DEFAULT_SETTINGS = RuleSettings.from_dict(None)


@dataclass(frozen=True)
class RuleInfo:
    """One catalogue line for `govmedia rules list`."""

    id: str
    name_zh: str
    name_en: str
    severity: str
    settings: dict[str, object]
    overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    severity_zh: str = ""


def describe(settings: RuleSettings = DEFAULT_SETTINGS) -> list[RuleInfo]:
    """Every rule in catalogue order with its names, severity and effective settings."""
    return [
        RuleInfo(
            id=m.id,
            name_zh=m.name_zh,
            name_en=m.name_en,
            severity=m.severity,
            settings=dict(settings.values[m.id]),
            overrides={k: dict(v) for k, v in settings.overrides.get(m.id, {}).items()},
            severity_zh=SEVERITY_LABELS[m.severity],
        )
        for m in CATALOGUE.values()
    ]


def near_veto_days(settings: RuleSettings) -> int:
    """Days without a post from which an account nears the veto: the early warning's threshold, for polling."""
    return settings.get_int("stale_warning", "days")

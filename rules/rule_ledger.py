"""Ledger rules: interaction channel, registry completeness, account gone, duplicate accounts.

These judge the registry (台账) and platform status, not posting activity, so they apply to blind
accounts and during a 保留整改 grace period too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from registry.ledger.frequency import parse_frequency
from registry.ledger.records import PENDING_UNIT
from registry.ledger.vocab import PLATFORM_LABELS
from rules.calendar import local_date
from rules.config import FIELD_LABELS, RuleSettings
from rules.facts import AccountFacts, FindingDraft
from rules.rule_base import draft, iso, ledger_gate, norm

_PLATFORM_ZH = {p.value: label for p, label in PLATFORM_LABELS.items()}
# Ledger placeholders that mean "not filled in".
_BLANK = frozenset(norm(v) for v in ("", "无", "暂无", "-", "—", "/", "未填写", "不详", "待定", "none", "null", "n/a"))


def _none_values(settings: RuleSettings, kind: str) -> frozenset[str]:
    # Normalised once per settings and unit kind, not once per account.
    values = settings.get_strs("no_interaction", "none_values", kind)
    key = (kind, tuple(values))
    cached = _NONE_VALUES.get(key)
    if cached is None:
        cached = _NONE_VALUES[key] = frozenset(norm(v) for v in values)
    return cached


_NONE_VALUES: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}


def records_no_channel(f: AccountFacts, settings: RuleSettings) -> bool:
    """The ledger's 互动渠道 names no effective channel (no_interaction's case when that rule is on)."""
    return settings.enabled("no_interaction", f.unit_kind) and norm(f.interaction) in _none_values(settings, f.unit_kind)


def no_interaction(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """互动回应差: the ledger's 互动渠道 names no effective channel (a national veto)."""
    if not ledger_gate("no_interaction", f, settings):
        return None
    if norm(f.interaction) not in _none_values(settings, f.unit_kind):
        return None
    evidence: dict[str, object] = {"interaction": f.interaction}
    return draft("no_interaction", f, "未提供有效互动功能", "No effective interaction channel provided", evidence)


def account_gone(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """账号异常: the platform says the account was deleted, banned or renamed."""
    if not ledger_gate("account_gone", f, settings) or not (f.gone or f.last_error_kind == "gone"):
        return None
    evidence: dict[str, object] = {
        "platform": f.platform,
        "uid": f.uid,
        "gone": f.gone,
        "last_error_kind": f.last_error_kind,
        "last_success_at": iso(f.last_success_at),
    }
    zh = "平台显示账号已被删除、封禁或更名，检查中无法找到该账号，请核实并及时变更或注销备案"
    return draft("account_gone", f, zh, "The platform reports the account deleted, banned or renamed", evidence)


def _missing(f: AccountFacts, fields: Sequence[str]) -> list[str]:
    missing = []
    for name in fields:
        value = getattr(f, name)
        # A recorded "无" in 互动渠道 is a fact (no_interaction judges it), only an empty cell is missing.
        blank = ("",) if name == "interaction" else _BLANK
        if value is None or (isinstance(value, str) and norm(value) in blank):
            missing.append(name)
    return missing


def registry_incomplete(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """台账不完整: required fields missing, unreadable 更新频率要求, not filed, contacts unconfirmed."""
    if not ledger_gate("registry_incomplete", f, settings):
        return None
    kind = f.unit_kind
    missing = _missing(f, settings.get_strs("registry_incomplete", "required_fields", kind))
    problems = ["缺少" + "、".join(FIELD_LABELS[m] for m in missing)] if missing else []
    unreadable = False
    if "update_frequency" not in missing and norm(f.update_frequency) not in _BLANK:
        try:
            parse_frequency(f.update_frequency)
        except ValueError:
            unreadable = True
            problems.append(f"更新频率要求“{f.update_frequency.strip()}”无法识别")
    not_filed = settings.get_bool("registry_incomplete", "require_filed", kind) and not f.filed
    if not_filed:
        problems.append("未在全国政务新媒体信息报送系统备案")
    max_age = settings.get_int("registry_incomplete", "contacts_max_age_days", kind)
    age = None if f.contacts_confirmed_at is None else (local_date(now) - local_date(f.contacts_confirmed_at)).days
    if age is None:
        problems.append("联系人从未确认")
    elif age > max_age:
        problems.append(f"联系人超过{max_age}天未确认")
    if not problems:
        return None
    evidence: dict[str, object] = {
        "missing_fields": missing,
        "missing_labels": [FIELD_LABELS[m] for m in missing],
        "frequency_unreadable": unreadable,
        "update_frequency": f.update_frequency,
        "filed": f.filed,
        "filed_on": iso(f.filed_on),
        "contacts_confirmed_at": iso(f.contacts_confirmed_at),
        "contacts_age_days": age,
        "contacts_max_age_days": max_age,
        "problems": problems,
    }
    en = f"Registry incomplete: {len(missing)} field(s) missing" + ", not filed" * not_filed
    return draft("registry_incomplete", f, "台账不完整：" + "；".join(problems), en, evidence)


def identity_pending(f: AccountFacts, now: datetime, settings: RuleSettings) -> FindingDraft | None:
    """账号待补全: no platform id or owner unit yet, so the account is not collected and cannot be judged."""
    if not f.pending or not ledger_gate("identity_pending", f, settings):
        return None
    missing = [k for k, gone in (("uid", not f.uid), ("unit", f.unit_name == PENDING_UNIT)) if gone]
    what = "、".join({"uid": "账号ID", "unit": "主办单位"}[m] for m in missing)
    zh = f"缺少{what}，暂不采集、不作评判；补全后重新导入台账，或运行 govmedia accounts resolve 查找"
    en = f"Missing {', '.join(missing)}: not collected or judged until completed (govmedia accounts resolve)"
    return draft("identity_pending", f, zh, en, {"missing": missing, "platform": f.platform, "name": f.name})


def _keeper_key(f: AccountFacts) -> tuple[bool, date, int]:
    # The account to keep must not change from run to run (a finding's identity is its subject),
    # so the choice uses stable ledger facts only: the flagship, then the oldest, then the lowest id.
    return (f.matrix_role != "flagship", f.opened_on or date.max, f.account_id)


def duplicate_account(facts: Sequence[AccountFacts], now: datetime, settings: RuleSettings) -> list[FindingDraft]:
    """同一平台重复开号: one finding per extra active account of a unit on one platform.

    The kept account (flagship, else the oldest, else the lowest id) gets no finding; every other
    one does, each naming the whole group, so each opens its own 关停整合 review case.
    """
    groups: dict[tuple[int, str], list[AccountFacts]] = defaultdict(list)
    for f in facts:
        ignored = settings.get_strs("duplicate_account", "ignore_platforms", f.unit_kind)
        if ledger_gate("duplicate_account", f, settings) and f.platform not in ignored and not f.pending:
            groups[(f.unit_id, f.platform)].append(f)
    drafts = []
    for (_, platform), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=_keeper_key)
        keeper = members[0]
        label = _PLATFORM_ZH.get(platform, platform)
        listing = [
            {"account_id": m.account_id, "uid": m.uid, "name": m.name, "status": m.status,
             "matrix_role": m.matrix_role, "opened_on": iso(m.opened_on), "followers": m.followers}
            for m in members
        ]
        for extra in members[1:]:
            zh = (f"同一单位在同一平台开设多个账号（{extra.unit_name}在{label}共有{len(members)}个账号），"
                  f"建议与“{keeper.name}”整合")
            en = f"{len(members)} active accounts of one unit on {platform}; consider merging into {keeper.name}"
            evidence: dict[str, object] = {
                "unit_id": extra.unit_id,
                "unit_name": extra.unit_name,
                "platform": platform,
                "group_size": len(members),
                "keeper_account_id": keeper.account_id,
                "keeper_name": keeper.name,
                "accounts": listing,
            }
            drafts.append(draft("duplicate_account", extra, zh, en, evidence))
    return drafts

"""Records for `govmedia findings`, `check` summaries and `review list` (stable JSON keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from registry.config.i18n import get_lang, tr
from registry.db.models import Account, Finding, Review
from registry.ledger.completeness import shown_unit
from reports.output import Field
from reports.registry_lists import platform_label

SEVERITY_LABELS = {"veto": ("单项否决", "veto"), "warning": ("预警", "warning"), "review": ("关停整合复核", "review"),
                   "ops": ("运维", "ops"), "info": ("提示", "info")}
DECISIONS = ("保留整改", "整合", "关停", "注销")


def severity_label(code: str) -> str:
    """Severity in the current language."""
    zh, en = SEVERITY_LABELS.get(code, (code, code))
    return en if get_lang() == "en" else zh


def finding_fields() -> list[Field]:
    """Columns of `findings` (JSON keys are the contract; headers are for people)."""
    return [Field("id", tr("编号", "ID"), True), Field("rule", tr("规则", "Rule")),
            Field("rule_name", tr("问题", "Problem")), Field("severity", tr("级别", "Severity")),
            Field("state", tr("状态", "State")), Field("platform", tr("平台", "Platform")),
            Field("account_uid", tr("账号ID", "UID")), Field("account_name", tr("账号", "Account")),
            Field("unit", tr("单位", "Unit")), Field("summary", tr("情况", "Summary")),
            Field("first_seen", tr("首次发现", "First seen")), Field("last_seen", tr("最近确认", "Last seen")),
            Field("resolved_at", tr("解除时间", "Resolved")), Field("evidence", tr("依据", "Evidence"))]


TABLE_FINDING_KEYS = ("id", "rule_name", "severity_label", "account_name", "summary", "first_seen")


def finding_record(f: Finding, rule_names: Mapping[str, str]) -> dict[str, Any]:
    """One finding as a flat record."""
    account: Account | None = f.account
    return {
        "id": f.id,
        "rule": f.rule,
        "rule_name": rule_names.get(f.rule, f.rule),
        "severity": f.severity,
        "severity_label": severity_label(f.severity),
        "state": f.state,
        "platform": account.platform if account else "",
        "platform_label": platform_label(account.platform) if account else "",
        "account_uid": account.uid if account else "",
        "account_name": account.name if account else "",
        "unit": shown_unit(account.unit.name) if account else None,
        "summary": f.summary_en if get_lang() == "en" else f.summary_zh,
        "first_seen": f.first_seen.isoformat(timespec="seconds"),
        "last_seen": f.last_seen.isoformat(timespec="seconds"),
        "resolved_at": f.resolved_at.isoformat(timespec="seconds") if f.resolved_at else None,
        "claimed_fixed_at": f.claimed_fixed_at.isoformat(timespec="seconds") if f.claimed_fixed_at else None,
        "evidence": f.evidence,
    }


def short_time(iso: str | None, tz: tzinfo, today: dt.date) -> str:
    """A timestamp for a terminal column: `12-07 11:20` this year, `2025-12-07` before, in the county's zone."""
    if not iso:
        return ""
    moment = dt.datetime.fromisoformat(iso)
    local = moment.astimezone(tz) if moment.tzinfo else moment
    return local.strftime("%m-%d %H:%M") if local.year == today.year else local.strftime("%Y-%m-%d")


def finding_table_rows(records: Sequence[dict[str, Any]], tz: tzinfo, today: dt.date) -> list[dict[str, Any]]:
    """Records for the terminal table: short local dates (json and csv keep the full ISO timestamps)."""
    return [{**r, "first_seen": short_time(r.get("first_seen"), tz, today),
             "last_seen": short_time(r.get("last_seen"), tz, today)} for r in records]


def finding_table_fields() -> list[Field]:
    """Columns of the findings table on a terminal."""
    return [Field("id", tr("编号", "ID"), True), Field("rule_name", tr("问题", "Problem")),
            Field("severity_label", tr("级别", "Severity")), Field("account_name", tr("账号", "Account")),
            Field("platform_label", tr("平台", "Platform")), Field("summary", tr("情况", "Summary")),
            Field("first_seen", tr("首次发现", "First seen"))]


def review_fields() -> list[Field]:
    """Columns of `review list`."""
    return [Field("id", tr("编号", "ID"), True), Field("account", tr("账号", "Account")),
            Field("platform", tr("平台", "Platform")), Field("unit", tr("单位", "Unit")),
            Field("rule", tr("触发规则", "Rule")), Field("state", tr("状态", "State")),
            Field("opened_at", tr("立案时间", "Opened")), Field("decision", tr("决定", "Decision")),
            Field("decided_by", tr("决定人", "Decided by")), Field("deadline", tr("整改期限", "Deadline"))]


def review_record(r: Review, rule_names: Mapping[str, str]) -> dict[str, Any]:
    """One review case as a record."""
    return {"id": r.id, "account": r.account.name, "account_ref": r.account.ref,
            "platform": platform_label(r.account.platform), "unit": shown_unit(r.account.unit.name),
            "rule": rule_names.get(r.rule, r.rule), "rule_id": r.rule,
            "state": tr("待决定", "open") if r.state == "open" else tr("已决定", "decided"),
            "opened_at": r.opened_at.strftime("%Y-%m-%d"), "decision": r.decision or "",
            "decided_by": r.decided_by, "deadline": r.deadline.isoformat() if r.deadline else "",
            "reason": r.reason}

"""Records for `notify log` and `silence list` (stable JSON keys)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.config.i18n import tr
from registry.db.models import Notification, Silence
from reports.output import Field


def notification_record(n: Notification) -> dict[str, Any]:
    """One notification log entry."""
    return {"id": n.id, "created_at": n.created_at.strftime("%Y-%m-%d %H:%M"), "channel": n.channel,
            "recipient": dict(n.payload.get("recipient") or {}).get("name", n.recipient),  # type: ignore[call-overload]
            "kind": n.kind,
            "state": n.state, "attempts": n.attempts, "findings": ",".join(map(str, n.finding_ids)),
            "sent_at": n.sent_at.strftime("%Y-%m-%d %H:%M") if n.sent_at else "", "error": n.last_error}


def notification_fields() -> list[Field]:
    """Columns of `notify log`."""
    return [Field("id", "ID", True), Field("created_at", tr("时间", "Time")), Field("channel", tr("渠道", "Channel")),
            Field("recipient", tr("接收人", "Recipient")), Field("kind", tr("类型", "Kind")),
            Field("state", tr("状态", "State")), Field("attempts", tr("尝试", "Tries"), True),
            Field("findings", tr("问题编号", "Findings")), Field("sent_at", tr("发送时间", "Sent")),
            Field("error", tr("说明", "Note"))]


def silence_record(s: Silence) -> dict[str, Any]:
    """One exemption."""
    return {"id": s.id, "account": s.account.name if s.account else "", "unit": s.unit.name if s.unit else "",
            "rule": s.rule or tr("全部", "all"), "until": (s.ends_at - dt.timedelta(seconds=1)).strftime("%Y-%m-%d"),
            "state": {"active": tr("生效", "active"), "pending": tr("待审批", "pending"),
                      "expired": tr("已失效", "expired")}.get(s.state, s.state),
            "author": s.author, "reason": s.reason}


def silence_fields() -> list[Field]:
    """Columns of `silence list`."""
    return [Field("id", "ID", True), Field("account", tr("账号", "Account")), Field("unit", tr("单位", "Unit")),
            Field("rule", tr("规则", "Rule")), Field("until", tr("截止", "Until")), Field("state", tr("状态", "State")),
            Field("author", tr("申请人", "Author")), Field("reason", tr("理由", "Reason"))]

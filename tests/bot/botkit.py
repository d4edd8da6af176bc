"""Builders shared by the bot tests: alerts, contacts and a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from bot.model import Alert, Contact, Recipient
from sandbox.county import TZ

# A Wednesday morning in the county.
NOW = datetime(2025, 6, 18, 10, 30, tzinfo=TZ)

SUMMARIES = {
    "stale_veto": ("已连续16天未更新，超过两周未更新的单项否决标准", "No post for 16 days: over the two-week veto threshold"),
    "stale_warning": ("已连续11天未更新，距单项否决标准（14天）还剩3天", "No post for 11 days; 3 left before the 14-day veto"),
    "dormant_long": ("已连续95天未更新（僵尸号），建议列入关停整合", "No post for 95 days (zombie account)"),
    "low_use": ("近90天关注度和利用率低", "Low attention and use over 90 days"),
    "frequency_below_target": ("近30天更新2天，低于更新频率要求（每周1次，应至少更新4天）", "Posted on 2 days"),
    "no_interaction": ("未开设有效互动渠道", "No interaction channel"),
    "account_gone": ("平台显示账号已注销", "Account deleted"),
    "collection_blind": ("已30小时未能成功采集数据（阈值24小时），更新情况未知", "No successful collection for 30 hours"),
    "registry_incomplete": ("台账缺少：运维人员电话", "Registry missing: operator phone"),
}
SEVERITY = {
    "stale_veto": "veto", "no_interaction": "veto", "stale_warning": "warning", "frequency_below_target": "warning",
    "account_gone": "warning", "dormant_long": "review", "low_use": "review", "duplicate_account": "review",
    "collection_blind": "ops", "registry_incomplete": "info",
}


def alert(
    finding_id: int,
    rule: str = "stale_veto",
    *,
    account_id: int | None = 1,
    account_name: str = "西河乡讯",
    platform: str = "wechat",
    unit_id: int | None = 10,
    unit_name: str = "西河乡人民政府",
    age_days: float = 0,
    evidence: dict[str, Any] | None = None,
    claimed: bool = False,
    summary: str | None = None,
) -> Alert:
    """An open alert first seen `age_days` before NOW."""
    zh, en = SUMMARIES.get(rule, ("问题", "Problem"))
    return Alert(
        finding_id=finding_id,
        rule=rule,
        severity=SEVERITY.get(rule, "warning"),
        account_id=account_id,
        account_name=account_name,
        platform=platform,
        account_uid=f"gh_{finding_id:012d}",
        unit_id=unit_id,
        unit_name=unit_name,
        first_seen=NOW - timedelta(days=age_days),
        last_seen=NOW,
        summary_zh=summary or zh,
        summary_en=en,
        evidence=evidence if evidence is not None else {},
        claimed_fixed=claimed,
    )


def contact(person_id: int, role: str, userid: str = "", unit_id: int | None = 10, name: str = "") -> Contact:
    """A unit contact; an empty userid means not reachable on WeCom."""
    return Contact(person_id, name or f"{role}{person_id}", role, userid, unit_id)


OPERATOR = contact(1, "operator", "op_xihe", name="张运维")
HEAD = contact(2, "head", "head_xihe", name="李主任")
OFFICE = contact(9, "office", "office_gk", unit_id=None, name="王科长")


def person(c: Contact, kind: str = "person") -> Recipient:
    """The recipient routing makes of a contact."""
    return Recipient("office" if kind == "office" else "person", c.person_id, c.name, c.wecom_userid, c.unit_id)


BASE = "http://sandbox"


class Clock:
    """A settable clock, for the sandbox (datetime) and for client-side limiters (seconds)."""

    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def seconds(self) -> float:
        return self.at.timestamp()

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def client_for(app: Starlette) -> httpx.AsyncClient:
    """An httpx client talking to the sandbox app in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


def recorded(app: Starlette, channel: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """What the sandbox recorded (in-process, same data as GET /_sandbox/messages)."""
    messages: list[dict[str, Any]] = app.state.sandbox.recorder.as_json(channel, status)
    return messages

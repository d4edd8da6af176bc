"""Composition of the bot from the config: notifiers per channel, and the DB-backed reply handler."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from bot.callback import INBOUND_ID
from bot.commands import ClaimFixed, Command, Exempt, Help, Proofread, Status, Unknown, help_text
from bot.console import ConsoleNotifier
from bot.cycle import NotifySettings, to_alert
from bot.notifier import Notifier
from bot.proofread import Proofreader, render_proofread
from bot.render import render_status
from bot.storage import Storage
from bot.wecom_app import WeComAppNotifier
from bot.wecom_robot import WeComRobotNotifier, robot_keys
from registry.config.credentials import Secrets
from registry.config.settings import Settings

MAX_EXEMPT_DAYS = 90


class ConfigProblem(Exception):
    """The bot cannot be set up from this configuration."""


def notifiers(settings: Settings, secrets: Secrets, ns: NotifySettings, client: httpx.AsyncClient) -> dict[str, Notifier]:
    """One notifier per channel the cycle may use."""
    out: dict[str, Notifier] = {"console": ConsoleNotifier()}
    base = str(settings.get("wecom.api_base")).rstrip("/")
    if ns.channel == "wecom_app":
        name = str(settings.get("wecom.credential"))
        cred = secrets.get(name)
        if cred is None or not cred.get("secret"):
            raise ConfigProblem(f"[wecom] credential {name!r} (with a secret) is not in the secrets file")
        out["wecom_app"] = WeComAppNotifier(client, base, str(settings.get("wecom.corp_id")), cred.get("secret"),
                                            int(settings.get("wecom.agent_id") or 0))
    keys = robot_keys(secrets)
    if keys:
        out["wecom_robot"] = WeComRobotNotifier(client, base, keys)
    return out


class ReplyHandler:
    """Answers commands from registered contacts, scoped to their own unit (office users: any unit)."""

    def __init__(self, office_users: tuple[str, ...], storage: Storage, proofreader: Proofreader | None = None) -> None:
        self.office = {u.lower() for u in office_users}
        self.replies, self.alerts, self.silences = storage.replies, storage.alerts, storage.silences
        self.proofreader = proofreader

    async def claim(self, key: str, userid: str) -> bool:
        """Claim a received message in the inbound log; False when it was handled before (a replay)."""
        return await self.replies.claim_inbound(key, userid, dt.datetime.now(dt.UTC))

    async def handle(self, userid: str, command: Command) -> str:
        """The reply text; every command and reply is kept in the inbound log."""
        reply = await self._answer(userid.lower(), command)
        # A draft sent for 校对 may hold the very personal numbers it is checked for: the log keeps its length only.
        logged = f"Proofread:{len(command.text)} chars" if isinstance(command, Proofread) else (
            type(command).__name__ + ":" + repr(command)[:200])
        await self.replies.record_inbound(INBOUND_ID.get() or uuid.uuid4().hex, userid, logged, reply,
                                          dt.datetime.now(dt.UTC))
        return reply

    async def _answer(self, userid: str, command: Command) -> str:
        now = dt.datetime.now(dt.UTC)
        person = await self.replies.person_by_wecom(userid)
        if person is None and userid not in self.office:
            return "您不是已登记的联系人，无法使用本服务。请联系县政务公开办核对台账中的企业微信账号。"
        units = None if userid in self.office else [person.unit_id] if person else []
        if isinstance(command, Help):
            return help_text()
        if isinstance(command, Unknown):
            return f"无法识别的命令（{command.problem}）。\n" + help_text()
        if isinstance(command, Proofread):
            if self.proofreader is None:
                return "校对功能未启用，请联系县政务公开办。"
            return render_proofread(self.proofreader.proofread(command.text))
        if isinstance(command, Status):
            rows = [to_alert(r) for r in await self.alerts.unit_alert_rows(units, command.account)]
            return render_status(rows, now=now) if rows else "您负责的账号目前没有待处理的问题。"
        mine = {r.finding.id: r for r in await self.alerts.unit_alert_rows(units)}
        if isinstance(command, ClaimFixed):
            if command.finding_id not in mine:
                return f"编号{command.finding_id}不是您单位账号的待处理问题，请回复“状态”查看。"
            await self.replies.claim_fixed(command.finding_id, userid, now)
            return f"已记录：编号{command.finding_id}已整改。下次检查将核实，结果会再通知您。"
        if isinstance(command, Exempt):
            f = mine.get(command.finding_id)
            if f is None:
                return f"编号{command.finding_id}不是您单位账号的待处理问题，请回复“状态”查看。"
            days = min(command.days, MAX_EXEMPT_DAYS)
            account_id = f.account.id if f.account else None
            s = await self.silences.add_silence(account_id=account_id, unit_id=None, rule=f.finding.rule, starts=now,
                                                ends=now + dt.timedelta(days=days), author=f"wecom:{userid}",
                                                reason=command.reason, state="pending")
            return f"已提交豁免申请（#{s.id}，{days}天），待县政务公开办审批后生效。"
        return help_text()

"""Reply commands from WeCom users, parsed into plain values, and the seam that answers them.

Commands: `帮助`, `状态 [账号]`, `已整改 <编号>`, `豁免 <编号> <天数> <理由>`. Spaces may be ASCII or
full-width, numbers may be full-width digits and may carry a leading "#" or "编号". Anything else
parses to `Unknown` with a hint, so the handler can answer with the help text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

MAX_EXEMPT_DAYS = 365
MAX_REASON_CHARS = 200
_NUMBER = r"(?:[#＃]|编号)?\s*(\d{1,12})"
_HELP = re.compile(r"(?:帮助|help|\?|？)", re.IGNORECASE)
_STATUS = re.compile(r"(?:状态|status)(?:\s*(.+))?", re.IGNORECASE | re.DOTALL)
_FIXED = re.compile(rf"(?:已整改|fixed)\s*{_NUMBER}", re.IGNORECASE)
_EXEMPT = re.compile(rf"(?:豁免|exempt)\s*{_NUMBER}\s+(\d{{1,6}})\s*天?\s+(.+)", re.IGNORECASE | re.DOTALL)
_EXEMPT_START = re.compile(r"(?:豁免|exempt)", re.IGNORECASE)
_FIXED_START = re.compile(r"(?:已整改|fixed)", re.IGNORECASE)
_PROOFREAD = re.compile(r"(?:校对|proofread)(?:[\s:：]+(.*))?", re.IGNORECASE | re.DOTALL)
#: Longest text 校对 takes (a WeCom text message is at most 2048 bytes anyway).
MAX_PROOF_CHARS = 5000


@dataclass(frozen=True)
class Help:
    """帮助: list the commands."""


@dataclass(frozen=True)
class Status:
    """状态 [账号]: the open problems of the user's accounts, or of one account (name or uid)."""

    account: str = ""


@dataclass(frozen=True)
class ClaimFixed:
    """已整改 <编号>: the unit says the finding is fixed; the next check confirms or reopens it."""

    finding_id: int


@dataclass(frozen=True)
class Exempt:
    """豁免 <编号> <天数> <理由>: ask the county office for an exemption (pending until approved)."""

    finding_id: int
    days: int
    reason: str


@dataclass(frozen=True)
class Proofread:
    """校对 <文字>: check a draft for outdated names, 错别字/敏感词 and personal numbers."""

    text: str


@dataclass(frozen=True)
class Unknown:
    """Anything else; `problem` says what was wrong (in Chinese) for the reply."""

    text: str
    problem: str = ""


Command = Help | Status | ClaimFixed | Exempt | Proofread | Unknown


class CommandHandler(Protocol):
    """Answers one command from a WeCom user (authorisation is the handler's job)."""

    async def handle(self, userid: str, command: Command) -> str:
        """The reply text for `command` sent by WeCom user `userid`."""
        ...


def parse_command(text: str) -> Command:
    """The command a message's text asks for."""
    if m := _PROOFREAD.fullmatch(text.strip()):  # the draft keeps its lines: problems are told by line
        draft = (m.group(1) or "").strip()
        if not draft:
            return Unknown(text, "格式：校对 要检查的文字，例如：校对 县国土资源局召开会议")
        if len(draft) > MAX_PROOF_CHARS:
            return Unknown(text, f"校对文字请不超过{MAX_PROOF_CHARS}字，更长的稿件请用 govmedia content check")
        return Proofread(draft)
    clean = " ".join(text.split())  # str.split() also splits on the full-width space U+3000
    if _HELP.fullmatch(clean):
        return Help()
    if m := _STATUS.fullmatch(clean):
        return Status((m.group(1) or "").strip())
    if m := _FIXED.fullmatch(clean):
        return ClaimFixed(int(m.group(1)))
    if m := _EXEMPT.fullmatch(clean):
        days, reason = int(m.group(2)), m.group(3).strip()
        if not 1 <= days <= MAX_EXEMPT_DAYS:
            return Unknown(text, f"豁免天数应为1至{MAX_EXEMPT_DAYS}天")
        if len(reason) > MAX_REASON_CHARS:
            return Unknown(text, f"理由请不超过{MAX_REASON_CHARS}字")
        return Exempt(int(m.group(1)), days, reason)
    if _EXEMPT_START.match(clean):
        return Unknown(text, "格式：豁免 编号 天数 理由，例如：豁免 123 30 账号迁移中")
    if _FIXED_START.match(clean):
        return Unknown(text, "格式：已整改 编号，例如：已整改 123")
    return Unknown(text)


def help_text(lang: str = "zh") -> str:
    """The reply to 帮助 (and to anything not understood)."""
    if lang == "en":
        return (
            "Commands:\n"
            "状态 [account] - open problems of your accounts\n"
            "已整改 No. - report a problem fixed (the next check confirms it)\n"
            "豁免 No. days reason - ask the county office for an exemption\n"
            "校对 text - check a draft (outdated names, typos, personal numbers)\n"
            "帮助 - this help"
        )
    return (
        "可用命令：\n"
        "状态 [账号] —— 查看您负责账号的待处理问题\n"
        "已整改 编号 —— 报告问题已整改（下次检查核验）\n"
        "豁免 编号 天数 理由 —— 申请豁免（县政务公开办审核）\n"
        "校对 文字 —— 检查稿件中的过时名称、错别字和个人隐私\n"
        "帮助 —— 查看本说明"
    )

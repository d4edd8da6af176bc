"""校对 <文字>: the bot checks a draft as `govmedia content check` does, through a `Proofreader` it is given.

The bot does not know how checking works (it must not import rules): the composition root injects a
`Proofreader` backed by the content scanner. The reply lists every problem with line and column,
severity, the matched text (personal numbers masked) and the suggestion, within WeCom's reply size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.limits import REPLY_BYTES, utf8_len


@dataclass(frozen=True)
class ProofHit:
    """One problem: where it is and what to write instead (``matched`` already masked for personal numbers)."""

    line: int
    column: int
    severity_zh: str  # 严重 / 一般 / 提示
    kind_zh: str  # 规范表述 / 错敏词 / 个人隐私
    matched: str
    suggestion: str


@dataclass(frozen=True)
class ProofReport:
    """The problems of one text, and how many characters were checked."""

    hits: tuple[ProofHit, ...]
    chars: int
    severe: int = 0
    warning: int = 0
    notice: int = 0


class Proofreader(Protocol):
    """Checks a draft as it would be published today."""

    def proofread(self, text: str) -> ProofReport:
        """Every problem of ``text``."""
        ...


def render_proofread(report: ProofReport, limit: int = REPLY_BYTES) -> str:
    """The reply: one line per problem, the totals last; problems that do not fit are counted, not cut."""
    if not report.hits:
        return f"校对完成：未发现问题（共检查 {report.chars} 字）。"
    total = (f"共发现 {len(report.hits)} 处问题：严重 {report.severe}，一般 {report.warning}，提示 {report.notice}"
             f"（共检查 {report.chars} 字）")
    lines: list[str] = []
    for i, h in enumerate(report.hits):
        line = (f"第{h.line}行第{h.column}列 [{h.severity_zh}] {h.kind_zh}：「{h.matched}」"
                f" 建议：{h.suggestion or '—'}")
        rest = len(report.hits) - i
        tail = f"……另有 {rest} 处未列出，请用 govmedia content check 查看全部"
        if utf8_len("\n".join([*lines, line, tail, total])) > limit:
            lines.append(tail)
            break
        lines.append(line)
    return "\n".join([*lines, total])

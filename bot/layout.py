"""Layout pieces shared by the renderers: labels, one problem's lines, and packing into byte limits.

Text from the platforms (post titles, account names) is clipped, and in markdown and textcard
bodies its markup characters become full-width look-alikes, so it can neither break the layout
nor push a message over its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.limits import clip_bytes, clip_chars, utf8_len
from bot.model import Alert, MsgType, Recipient
from registry.ledger.vocab import PLATFORM_LABELS, PLATFORM_LABELS_EN, Platform

COUNTY_TZ = ZoneInfo("Asia/Shanghai")
MAX_PARTS = 4
_TITLE_CHARS = 30
_SUMMARY_CHARS = 120

SEVERITY_LABELS = {
    "zh": {"veto": "单项否决", "warning": "预警", "review": "关停整合评估", "ops": "运维", "info": "提示"},
    "en": {"veto": "Veto", "warning": "Warning", "review": "Review", "ops": "Ops", "info": "Info"},
}
MD_COLOUR = {"veto": "warning", "warning": "warning", "review": "comment", "ops": "comment", "info": "comment"}
# Markup characters of WeCom markdown and textcard HTML, replaced in text that comes from outside.
UNMARK = str.maketrans({"<": "＜", ">": "＞", "*": "＊", "`": "'", "[": "［", "]": "］", "#": "＃", "&": "＆"})


class RuleFacts(Protocol):
    """What the bot needs of a rule of the catalogue (it is handed the catalogue; it names no rule)."""

    @property
    def kinds(self) -> Collection[str]: ...

    def label(self, lang: str = "zh", evidence: Mapping[str, object] | None = None) -> str:
        """The rule's label in ``lang``, formatted with a finding's evidence."""
        ...


def rule_label(rules: Mapping[str, RuleFacts], alert: Alert, lang: str) -> str:
    """The label of an alert's rule formatted with its evidence (the rule id when the catalogue lacks it)."""
    facts = rules.get(alert.rule)
    return facts.label("en" if lang == "en" else "zh", alert.evidence) if facts is not None else alert.rule


def pick(lang: str, zh: str, en: str) -> str:
    """The English text when lang is "en", else the Chinese."""
    return en if lang == "en" else zh


def title_text(county_name: str, lang: str) -> str:
    """The header every message starts with."""
    return pick(lang, f"{county_name or '县'}政务新媒体监测预警", f"{county_name or 'County'} new-media monitoring")


def platform_label(code: str, lang: str = "zh") -> str:
    """微信公众号 / 新浪微博 / … for a platform code (the code itself when unknown)."""
    try:
        platform = Platform(code)
    except ValueError:
        return code
    return (PLATFORM_LABELS_EN if lang == "en" else PLATFORM_LABELS)[platform]


def stamp(moment: datetime, tz: ZoneInfo) -> str:
    """YYYY-MM-DD HH:MM in the county's zone."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def last_post(alert: Alert, tz: ZoneInfo = COUNTY_TZ) -> tuple[str, str]:
    """(last post date YYYY-MM-DD, its title) from the alert's evidence; "" where unknown."""
    ev = alert.evidence
    day = ev.get("last_post_date")
    when = ev.get("last_post_at")
    text = ""
    if isinstance(when, str) and when:
        try:
            moment = datetime.fromisoformat(when)
            text = (moment.astimezone(tz) if moment.utcoffset() is not None else moment).date().isoformat()
        except ValueError:
            text = ""
    if not text and isinstance(day, str):
        try:
            text = date.fromisoformat(day).isoformat()
        except ValueError:
            text = ""
    title = ev.get("last_post_title")
    return text, " ".join(title.split()) if isinstance(title, str) else ""


class Style:
    """Line formatting of one message type."""

    def __init__(self, msgtype: MsgType) -> None:
        self.markdown = msgtype == "markdown"

    def clean(self, text: str) -> str:
        """Outside text made safe for the message type."""
        return text.translate(UNMARK) if self.markdown else text

    def heading(self, text: str) -> str:
        """The message header line."""
        return f"**{text}**" if self.markdown else f"【{text}】"

    def tag(self, severity: str, label: str, lang: str) -> str:
        """The severity tag in front of a problem (coloured in markdown)."""
        tag = pick(lang, f"【{label}】", f"[{label}] ")
        return f'<font color="{MD_COLOUR.get(severity, "comment")}">{tag}</font>' if self.markdown else tag

    def detail(self, text: str) -> str:
        """A detail line under a problem (quoted in markdown)."""
        return f"> {text}" if self.markdown else text


def account_label(alert: Alert, recipient: Recipient, lang: str, style: Style) -> str:
    """Account name with platform label (and unit, for recipients who see many units)."""
    name = style.clean(alert.account_name or alert.unit_name)
    parts = [platform_label(alert.platform, lang)] if alert.account_name and alert.platform else []
    if recipient.kind != "person" and alert.account_name and alert.unit_name:
        parts.append(style.clean(alert.unit_name))  # the office and group robots see many units
    sep = pick(lang, "，", ", ")
    return name + (pick(lang, f"（{sep.join(parts)}）", f" ({sep.join(parts)})") if parts else "")


def problem_block(index: int, alert: Alert, recipient: Recipient, lang: str, style: Style, tz: ZoneInfo) -> str:
    """One numbered problem: tag, account, summary, last post, deadline, claim, finding number."""
    severity = SEVERITY_LABELS["en" if lang == "en" else "zh"].get(alert.severity, alert.severity)
    head = f"{index}. {style.tag(alert.severity, severity, lang)}{account_label(alert, recipient, lang, style)}"
    if style.markdown:
        head = f"**{head}**"
    summary = alert.summary_en if lang == "en" and alert.summary_en else alert.summary_zh
    lines = [head, style.detail(style.clean(clip_chars(summary, _SUMMARY_CHARS)))]
    day, title = last_post(alert, tz)
    if day:
        shown = style.clean(clip_chars(title, _TITLE_CHARS))
        quoted = pick(lang, f"《{shown}》", f" “{shown}”") if title else ""
        lines.append(style.detail(pick(lang, f"最后发布：{day}{quoted}", f"Last post: {day}{quoted}")))
    waiting = waiting_comment(alert, lang, style)
    if waiting:
        lines.append(waiting)
    deadline = alert.evidence.get("deadline")
    if isinstance(deadline, str) and deadline:
        lines.append(style.detail(pick(lang, f"整改期限：{deadline[:10]}", f"Deadline: {deadline[:10]}")))
    if alert.claimed_fixed:
        lines.append(style.detail(pick(lang, "状态：已报整改，待下次检查核验", "Status: reported fixed, awaiting the next check")))
    number = f"`{alert.finding_id}`" if style.markdown else str(alert.finding_id)
    lines.append(style.detail(pick(lang, f"编号：{number}", f"No.: {number}")))
    return "\n".join(lines)


def waiting_comment(alert: Alert, lang: str, style: Style) -> str:
    """The line naming the post whose comment waits longest for an answer, from the evidence; "" if none."""
    ev = alert.evidence
    title, hours = ev.get("unanswered_post_title"), ev.get("unanswered_hours")
    if not isinstance(title, str) or not title.strip() or not isinstance(hours, int) or isinstance(hours, bool):
        return ""
    shown = style.clean(clip_chars(" ".join(title.split()), _TITLE_CHARS))
    waited = pick(lang, f"{hours // 24}天" if hours >= 48 else f"{hours}小时", f"{hours} h")
    return style.detail(pick(lang, f"待回复留言：《{shown}》，已等待{waited}", f"Unanswered comment: “{shown}”, waiting {waited}"))


def reply_hint(recipient: Recipient, lang: str) -> str:
    """How to answer: the reply commands (group robots cannot take replies, so they point to the app)."""
    hint = pick(lang, "回复“已整改 编号”或“豁免 编号 天数 理由”；回复“帮助”查看命令",
              'Reply "已整改 No." (fixed) or "豁免 No. days reason" (exemption); reply "帮助" for help')
    if recipient.kind == "robot":
        return pick(lang, f"请运维人员在企业微信应用中{hint}", f"Operators: in the WeCom app, {hint[0].lower()}{hint[1:]}")
    return hint


def pack(
    header: Callable[[int, int], str],
    blocks: Sequence[str],
    footer: str,
    more: Callable[[int], str],
    limit: int,
    max_parts: int,
    sep: str = "\n\n",
) -> list[tuple[str, int, int]]:
    """Bodies of (text, first block, end block) fitting `limit`; blocks past max_parts summarised by `more`.

    Blocks are joined by `sep`; header, blocks and footer are separated by a blank line.
    """
    gap = "\n\n"
    # Room for the widest part label and the "N more" line, so every part fits whatever it holds.
    fixed = utf8_len(header(99, 99)) + utf8_len(gap) * 2 + utf8_len(footer) + utf8_len(sep + more(99999))
    room = limit - fixed
    if room < 64:
        raise ValueError(f"a {limit}-byte limit leaves no room for problems")
    fitted = [clip_bytes(b, room) for b in blocks]
    ranges: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, block in enumerate(fitted):
        cost = utf8_len(block) + (utf8_len(sep) if i > start else 0)
        if i > start and used + cost > room:
            ranges.append((start, i))
            start, used = i, utf8_len(block)
        else:
            used += cost
    ranges.append((start, len(fitted)))
    ranges = ranges[:max_parts]
    listed_end, total = ranges[-1][1], len(ranges)
    bodies = []
    for n, (a, b) in enumerate(ranges, 1):
        listed = sep.join(fitted[a:b])
        if n == total and listed_end < len(blocks):
            listed += sep + more(len(blocks) - listed_end)
        # The last part also accounts for the findings it only counts, so the parts cover the group.
        end = b if n < total else len(blocks)
        bodies.append((clip_bytes(gap.join([header(n, total), listed, footer]), limit), a, end))
    return bodies


def part_label(n: int, total: int, lang: str) -> str:
    """"（n/total）" for split messages, "" for a single one."""
    return "" if total == 1 else pick(lang, f"（{n}/{total}）", f" ({n}/{total})")

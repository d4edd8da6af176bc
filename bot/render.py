"""Rendering: the Chinese (or English) text of every message, pure and within each channel's byte limit.

A recipient's group becomes one message, or several ("（1/2）") when it does not fit; past
`max_parts` the rest is summarised ("另有N个问题未列出…"). Each part repeats the header and the
reply instructions so it stands alone; the parts' finding_ids together cover the whole group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.group import Group, fingerprint, worst_first
from bot.layout import (
    COUNTY_TZ,
    MAX_PARTS,
    SEVERITY_LABELS,
    UNMARK,
    RuleFacts,
    Style,
    account_label,
    pack,
    part_label,
    pick,
    problem_block,
    reply_hint,
    rule_label,
    stamp,
    title_text,
)
from bot.limits import TEXTCARD_TITLE_BYTES, body_limit, clip_bytes, clip_chars, utf8_len
from bot.model import Alert, Message, MessageKind, MsgType, Recipient, ReportSummary


def _greeting(recipient: Recipient, count: int, kind: MessageKind, lang: str) -> str:
    who = recipient.name if recipient.kind != "robot" else ""
    if kind == "repeat":
        zh, en = f"以下{count}个问题仍未整改，请尽快处理", f"{count} problem(s) are still open; please act soon"
    elif recipient.kind == "person":
        zh, en = f"您负责的账号有{count}个问题待处理", f"your accounts have {count} open problem(s)"
    else:
        zh, en = f"以下账号有{count}个问题待处理", f"{count} open problem(s) in the accounts below"
    text = pick(lang, zh, en[0].upper() + en[1:] if not who else en)
    return pick(lang, f"{who}：{text}", f"{who}: {text}") if who else text


def render_alerts(
    group: Group,
    *,
    channel: str,
    now: datetime,
    msgtype: MsgType = "text",
    kind: MessageKind = "alert",
    lang: str = "zh",
    county_name: str = "",
    url: str = "",
    max_parts: int = MAX_PARTS,
    tz: ZoneInfo = COUNTY_TZ,
) -> list[Message]:
    """The messages telling a recipient about their open problems ("alert", or "repeat" for a reminder)."""
    alerts = worst_first(group.alerts)
    if not alerts:
        return []
    recipient = group.recipient
    title = title_text(county_name, lang) + ("" if kind == "alert" else pick(lang, "（未整改提醒）", " (reminder)"))
    if msgtype == "textcard":
        lines = [_card_line(a, lang) for a in alerts]
        card_title = f"{title}{pick(lang, f'：{len(alerts)}个问题', f': {len(alerts)} problem(s)')}"
        return [_card(group.recipient, channel, kind, card_title, lines, alerts, group.fingerprint, url, now, lang, tz)]
    style = Style(msgtype)
    limit = body_limit(channel, msgtype)
    greeting = _greeting(recipient, len(alerts), kind, lang) + pick(lang, f"（截至{stamp(now, tz)}）",
                                                                    f" (as of {stamp(now, tz)})")

    def header(n: int, total: int) -> str:
        return f"{style.heading(title)}{part_label(n, total, lang)}\n{style.clean(greeting)}"

    def more(count: int) -> str:
        return pick(lang, f"另有{count}个问题未列出，回复“状态”查看全部", f"{count} more problem(s) not listed; reply \"状态\" for all")

    blocks = [problem_block(i, a, recipient, lang, style, tz) for i, a in enumerate(alerts, 1)]
    bodies = pack(header, blocks, reply_hint(recipient, lang), more, limit, max_parts)
    return [
        Message(channel, recipient, kind, title + part_label(n, len(bodies), lang), body, msgtype,
                tuple(a.finding_id for a in alerts[start:end]), group.fingerprint, n, len(bodies), url)
        for n, (body, start, end) in enumerate(bodies, 1)
    ]


def _card_line(alert: Alert, lang: str) -> str:
    severity = SEVERITY_LABELS["en" if lang == "en" else "zh"].get(alert.severity, alert.severity)
    summary = alert.summary_en if lang == "en" and alert.summary_en else alert.summary_zh
    number = pick(lang, f"（编号{alert.finding_id}）", f" (No. {alert.finding_id})")
    return f"{severity}{pick(lang, '：', ': ')}{alert.account_name or alert.unit_name}{pick(lang, '，', ', ')}{summary}{number}"


def _card(
    recipient: Recipient,
    channel: str,
    kind: MessageKind,
    title: str,
    lines: Sequence[str],
    alerts: Sequence[Alert],
    fp: str,
    url: str,
    now: datetime,
    lang: str,
    tz: ZoneInfo,
) -> Message:
    """One textcard: as many lines as fit in 512 bytes, then a count of the rest."""
    if not url:
        raise ValueError("a textcard needs a url (the card's link)")
    limit = body_limit(channel, "textcard")
    head = f'<div class="gray">{stamp(now, tz)}</div>'
    shown: list[str] = []
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        tail = f'<div class="highlight">{pick(lang, f"另有{rest}个问题，点击查看详情", f"{rest} more, open for details")}</div>'
        div = f'<div class="{"highlight" if not shown else "normal"}">{clip_chars(line, 60).translate(UNMARK)}</div>'
        if utf8_len(head + "".join(shown) + div + (tail if rest else "")) > limit:
            break
        shown.append(div)
    hidden = len(lines) - len(shown)
    if hidden:
        shown.append(f'<div class="highlight">{pick(lang, f"另有{hidden}个问题，点击查看详情", f"{hidden} more, open for details")}</div>')
    body = clip_bytes(head + "".join(shown), limit, "")
    return Message(channel, recipient, kind, clip_bytes(title, TEXTCARD_TITLE_BYTES), body, "textcard",
                   tuple(a.finding_id for a in alerts), fp, 1, 1, url)


def render_resolved(
    recipient: Recipient,
    alerts: Iterable[Alert],
    *,
    channel: str,
    now: datetime,
    msgtype: MsgType = "text",
    lang: str = "zh",
    county_name: str = "",
    url: str = "",
    max_parts: int = MAX_PARTS,
    tz: ZoneInfo = COUNTY_TZ,
    rules: Mapping[str, RuleFacts] | None = None,
) -> list[Message]:
    """The one "已恢复" notice for findings of this recipient that have resolved (``rules``: the catalogue,
    for the rules' labels)."""
    rules = rules or {}
    resolved = worst_first(alerts)
    if not resolved:
        return []
    fp = fingerprint(resolved)
    title = title_text(county_name, lang) + pick(lang, "·已恢复", ": resolved")
    lines = [
        f"{account_label(a, recipient, lang, Style('text'))}{pick(lang, '：', ': ')}{rule_label(rules, a, lang)}"
        f"{pick(lang, f'问题已恢复（编号{a.finding_id}）', f' resolved (No. {a.finding_id})')}"
        for a in resolved
    ]
    if msgtype == "textcard":
        return [_card(recipient, channel, "resolved", title, lines, resolved, fp, url, now, lang, tz)]
    style = Style(msgtype)
    who = f"{recipient.name}{pick(lang, '：', ': ')}" if recipient.kind != "robot" else ""
    intro = who + pick(lang, f"以下{len(resolved)}个问题已恢复，感谢配合", f"{len(resolved)} problem(s) resolved, thank you")

    def header(n: int, total: int) -> str:
        when = pick(lang, f"（{stamp(now, tz)}）", f" ({stamp(now, tz)})")
        return f"{style.heading(title)}{part_label(n, total, lang)}\n{style.clean(intro)}{when}"

    def more(count: int) -> str:
        return pick(lang, f"另有{count}个问题已恢复", f"{count} more resolved")

    blocks = [f"{i}. {style.clean(line)}" for i, line in enumerate(lines, 1)]
    footer = pick(lang, "如有疑问请联系县政务公开办", "Questions: contact the county office")
    bodies = pack(header, blocks, footer, more, body_limit(channel, msgtype), max_parts, sep="\n")
    return [
        Message(channel, recipient, "resolved", title + part_label(n, len(bodies), lang), body, msgtype,
                tuple(a.finding_id for a in resolved[start:end]), fp, n, len(bodies), url)
        for n, (body, start, end) in enumerate(bodies, 1)
    ]


def _month(month: str, lang: str) -> str:
    year, _, mon = month.partition("-")
    return pick(lang, f"{year}年{int(mon)}月", month) if mon.isdigit() else month


def render_report_notice(
    recipient: Recipient,
    summary: ReportSummary,
    *,
    channel: str,
    msgtype: MsgType = "text",
    now: datetime,
    lang: str = "zh",
    county_name: str = "",
    tz: ZoneInfo = COUNTY_TZ,
) -> list[Message]:
    """The monthly 通报 notice: totals, pass rate, the main problems and where to read the report."""
    passed = summary.checked - summary.failed
    rate = f"{passed / summary.checked * 100:.1f}%" if summary.checked else "—"
    title = title_text(county_name, lang) + pick(lang, f"·{_month(summary.month, lang)}通报", f": {summary.month} report")
    style = Style("markdown" if msgtype == "markdown" else "text")
    problems = pick(lang, "；", "; ").join(
        pick(lang, f"{style.clean(label)}{count}个", f"{style.clean(label)}: {count}") for label, count in summary.problems
    )
    lines = [
        pick(lang, f"{_month(summary.month, lang)}共检查{summary.checked}个账号，不合格{summary.failed}个，合格率{rate}。",
           f"{summary.month}: {summary.checked} accounts checked, {summary.failed} failed, pass rate {rate}."),
    ]
    if problems:
        lines.append(pick(lang, f"主要问题：{problems}。", f"Main problems: {problems}."))
    if summary.url:
        lines.append(pick(lang, f"详见：{summary.url}", f"Details: {summary.url}"))
    fp = f"report-{summary.month}"
    if msgtype == "textcard":
        return [_card(recipient, channel, "report", title, lines, (), fp, summary.url, now, lang, tz)]
    limit = body_limit(channel, msgtype)
    body = clip_bytes(f"{style.heading(title)}\n" + "\n".join(lines), limit)
    return [Message(channel, recipient, "report", title, body, msgtype, (), fp, 1, 1, summary.url)]


def render_status(alerts: Iterable[Alert], *, now: datetime, lang: str = "zh", limit: int = 2048,
                  tz: ZoneInfo = COUNTY_TZ) -> str:
    """Plain text for a "状态" reply: the open problems, worst first, clipped to one reply."""
    ordered = worst_first(alerts)
    if not ordered:
        return pick(lang, f"截至{stamp(now, tz)}，您负责的账号暂无待处理问题。", f"No open problems as of {stamp(now, tz)}.")
    me = Recipient("person", None, "", "", None)
    style = Style("text")
    blocks = [problem_block(i, a, me, lang, style, tz) for i, a in enumerate(ordered, 1)]

    def header(n: int, total: int) -> str:
        return pick(lang, f"截至{stamp(now, tz)}共{len(ordered)}个问题：", f"{len(ordered)} open problem(s) as of {stamp(now, tz)}:")

    def more(count: int) -> str:
        return pick(lang, f"另有{count}个问题未列出", f"{count} more not listed")

    return pack(header, blocks, reply_hint(me, lang), more, limit, 1)[0][0]

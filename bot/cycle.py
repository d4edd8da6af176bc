"""One notification cycle: open findings → route → inhibit → silence → group → dedup/repeat → quiet
hours → render → outbox → send. The pure stages are their own modules; this one wires them to the
storage it is given (``bot.storage``), sending is ``bot.outbox``.

Dedup and repeat come from the notification log: a recipient hears again when their set of open
findings changes (new fingerprint), an unchanged set is repeated every ``repeat_hours``, and findings
that resolve get one "已恢复" notice. Messages are written to the outbox before sending, under a
dedupe key that a crashed and rerun cycle reproduces, so nothing is lost and nothing doubles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.group import Group, group
from bot.inhibit import InhibitRule, inhibit
from bot.layout import RuleFacts
from bot.model import Alert, Contact, Message, Recipient
from bot.notifier import Notifier
from bot.outbox import CycleResult, outbox_row, send_due
from bot.quiet import QuietSettings, hold_until, weekday
from bot.render import render_alerts, render_resolved
from bot.route import RouteSettings, route
from bot.silence import Silence, apply_silences
from bot.storage import AlertRecord, LastMessage, SilenceRecord, Storage
from registry.config.settings import Settings
from registry.db.batch import paused_gc


@dataclass(frozen=True)
class NotifySettings:
    """The ``[notify]`` table, resolved."""

    channel: str
    repeat_hours: float
    office_users: tuple[str, ...]
    route: RouteSettings
    quiet: QuietSettings
    county_name: str = ""
    msgtype: str = "text"
    #: The rule catalogue by rule id (labels and kinds) and the inhibition rules: data from the
    #: composition root, so the bot names no rule.
    rules: Mapping[str, RuleFacts] = field(default_factory=dict)
    inhibit_rules: tuple[InhibitRule, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, *, rules: Mapping[str, RuleFacts] | None = None,
                      inhibit_rules: Sequence[InhibitRule] = ()) -> NotifySettings:
        """Resolve from the config (channel defaults to wecom_app when WeCom is configured)."""
        section = settings.section("notify")
        configured = bool(settings.get("wecom.corp_id")) and bool(settings.get("wecom.credential"))
        channel = str(section.get("channel") or ("wecom_app" if configured else "console"))
        if channel not in ("wecom_app", "console"):
            raise ValueError(f"[notify] channel must be wecom_app or console, got {channel!r}")
        repeat = section.get("repeat_hours", 24)
        if isinstance(repeat, bool) or not isinstance(repeat, int | float) or repeat <= 0:
            raise ValueError("[notify] repeat_hours must be a positive number")
        office = section.get("office_users", [])
        if not isinstance(office, list) or not all(isinstance(u, str) for u in office):
            raise ValueError("[notify] office_users must be a list of WeCom userids")
        return cls(channel, float(repeat), tuple(u.lower() for u in office), RouteSettings.from_dict(section),
                   QuietSettings.from_dict(section), str(settings.get("county.name") or ""),
                   str(section.get("msgtype", "text")), dict(rules or {}), tuple(inhibit_rules))


def to_alert(row: AlertRecord) -> Alert:
    """A stored finding as the bot's Alert."""
    f, a = row.finding, row.account
    return Alert(finding_id=f.id, rule=f.rule, severity=f.severity, account_id=a.id if a else None,
                 account_name=a.name if a else "", platform=a.platform if a else "", account_uid=(a.uid or "") if a else "",
                 unit_id=a.unit_id if a else None, unit_name=a.unit_name if a else "", first_seen=f.first_seen,
                 last_seen=f.last_seen, summary_zh=f.summary_zh, summary_en=f.summary_en, evidence=dict(f.evidence),
                 claimed_fixed=f.claimed_fixed)


def contacts_of(rows: Sequence[AlertRecord]) -> dict[int, list[Contact]]:
    """Each account's contacts, from the alert rows."""
    contacts: dict[int, list[Contact]] = {}
    for row in rows:
        if row.account is not None:
            contacts[row.account.id] = [Contact(p.id, p.name, p.role, p.wecom_userid, row.account.unit_id)
                                        for p in row.contacts]
    return contacts


def to_silence(s: SilenceRecord) -> Silence:
    """A stored exemption as the bot's Silence."""
    return Silence(id=s.id, account_id=s.account_id, unit_id=s.unit_id, rule=s.rule, starts_at=s.starts_at,
                   ends_at=s.ends_at, state=s.state, author=s.author, reason=s.reason)  # type: ignore[arg-type]


async def plan(now: dt.datetime, ns: NotifySettings, storage: Storage,
               is_working_day: Callable[[dt.date], bool] = weekday,
               ) -> tuple[list[tuple[Message, dt.datetime | None, str]], CycleResult]:
    """Messages this cycle should write: (message, not-before, outbox dedupe key)."""
    result = CycleResult()
    rows = await storage.alerts.open_alert_rows()
    contacts = contacts_of(rows)
    alerts = [to_alert(r) for r in rows]
    kept = inhibit(alerts, ns.inhibit_rules, {rid: r.kinds for rid, r in ns.rules.items()})
    result.inhibited = len(alerts) - len(kept)
    silences = [to_silence(s) for s in await storage.silences.silence_rows(("active", "pending"))]
    kept, silenced = apply_silences(kept, silences, now)
    result.silenced = len(silenced)
    office = [Contact(None, u, "office", u, None) for u in ns.office_users]
    groups = {g.recipient.key: g for g in group(route(kept, contacts, office, now, ns.route))}
    latest = await storage.log.last_sent_all()
    out: list[tuple[Message, dt.datetime | None, str]] = []
    for g in groups.values():
        out.extend(_for_group(g, latest.get(g.recipient.key), now, ns, is_working_day))
    out.extend(await _resolved(now, ns, groups, storage))
    result.planned = [(m, nb) for m, nb, _ in out]
    return out, result


def _channel(recipient: Recipient, ns: NotifySettings) -> str:
    return "wecom_robot" if recipient.kind == "robot" else ns.channel


def _for_group(g: Group, last: LastMessage | None, now: dt.datetime, ns: NotifySettings,
               is_working_day: Callable[[dt.date], bool]) -> list[tuple[Message, dt.datetime | None, str]]:
    if last is not None and last.fingerprint == g.fingerprint:
        if now - last.created_at < dt.timedelta(hours=ns.repeat_hours):
            return []
        kind, slot = "repeat", f"after:{last.id}"
    else:
        kind, slot = "alert", f"after:{last.id if last else 0}"
    channel = _channel(g.recipient, ns)
    messages = render_alerts(g, channel=channel, now=now, msgtype=ns.msgtype, kind=kind,  # type: ignore[arg-type]
                             county_name=ns.county_name)
    hold = hold_until(now, [a.severity for a in g.alerts], ns.quiet, is_working_day)
    return [(m, hold, f"{m.dedupe_key}|{slot}") for m in messages]


async def _resolved(now: dt.datetime, ns: NotifySettings, groups: Mapping[str, Group],
                    storage: Storage) -> list[tuple[Message, dt.datetime | None, str]]:
    """One 已恢复 notice per recipient for findings they were told about that have since resolved."""
    out: list[tuple[Message, dt.datetime | None, str]] = []
    since = now - dt.timedelta(days=30)
    resolved = {r.finding.id: r for r in await storage.alerts.resolved_since(since)}
    if not resolved:
        return out
    for key, (who, ids) in (await storage.log.told_since(since)).items():
        recipient = Recipient(**who)
        still = {a.finding_id for a in groups[key].alerts} if key in groups else set()
        done = sorted(i for i in ids if i in resolved and i not in still)
        if not done:
            continue
        alerts = [to_alert(resolved[i]) for i in done]
        channel = _channel(recipient, ns)
        for m in render_resolved(recipient, alerts, channel=channel, now=now, msgtype=ns.msgtype,  # type: ignore[arg-type]
                                 county_name=ns.county_name, rules=ns.rules):
            out.append((m, None, f"resolved|{channel}|{key}|{','.join(map(str, done))}|{m.part}/{m.parts}"))
    return out


async def run_cycle(now: dt.datetime, ns: NotifySettings, notifiers: Mapping[str, Notifier], storage: Storage, *,
                    dry_run: bool = False, is_working_day: Callable[[dt.date], bool] = weekday) -> CycleResult:
    """Plan, write to the outbox, then send everything due (a dry run only plans)."""
    with paused_gc():
        planned, result = await plan(now, ns, storage, is_working_day)
    if dry_run:
        return result
    result.written = await storage.outbox.write([outbox_row(m, key, not_before=hold) for m, hold, key in planned], now)
    await send_due(now, notifiers, result, storage.outbox)
    return result

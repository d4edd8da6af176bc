"""One notification cycle: open findings → route → inhibit → silence → group → dedup/repeat → quiet
hours → render → outbox → send. The pure stages are their own modules; this one wires them to storage.

Dedup and repeat come from the notification log: a recipient hears again when their set of open
findings changes (new fingerprint), an unchanged set is repeated every ``repeat_hours``, and findings
that resolve get one "已恢复" notice. Messages are written to the outbox before sending, under a
dedupe key that a crashed and rerun cycle reproduces, so nothing is lost and nothing doubles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.group import Group, group
from bot.inhibit import InhibitRule, inhibit
from bot.layout import RuleFacts
from bot.model import Alert, Contact, Message, Recipient
from bot.notifier import Notifier
from bot.quiet import QuietSettings, hold_until, weekday
from bot.render import render_alerts, render_resolved
from bot.route import RouteSettings, route
from bot.silence import Silence, apply_silences
from registry.config.settings import Settings
from registry.db.batch import paused_gc
from registry.notify import store

BACKOFF_MINUTES = (1, 5, 30, 120)


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


def to_alert(row: store.AlertRow) -> Alert:
    """A stored open finding as the bot's Alert."""
    f, a = row.finding, row.account
    return Alert(finding_id=f.id, rule=f.rule, severity=f.severity, account_id=a.id if a else None,
                 account_name=a.name if a else "", platform=a.platform if a else "", account_uid=a.uid if a else "",
                 unit_id=a.unit_id if a else None, unit_name=a.unit_name if a else "", first_seen=f.first_seen,
                 last_seen=f.last_seen, summary_zh=f.summary_zh, summary_en=f.summary_en, evidence=dict(f.evidence),
                 claimed_fixed=f.claimed_fixed_at is not None)


def _payload(m: Message) -> dict[str, Any]:
    r = m.recipient
    return {"recipient": {"kind": r.kind, "person_id": r.person_id, "name": r.name, "wecom_userid": r.wecom_userid,
                          "unit_id": r.unit_id, "robot_key_name": r.robot_key_name},
            "title": m.title, "body": m.body, "msgtype": m.msgtype, "part": m.part, "parts": m.parts, "url": m.url}


def message_from(n: Any) -> Message:
    """Rebuild a Message from an outbox row."""
    p = n.payload
    return Message(channel=n.channel, recipient=Recipient(**p["recipient"]), kind=n.kind, title=p["title"],
                   body=p["body"], msgtype=p["msgtype"], finding_ids=tuple(n.finding_ids), fingerprint=n.fingerprint,
                   part=p["part"], parts=p["parts"], url=p.get("url", ""))


@dataclass
class CycleResult:
    """What one cycle did."""

    planned: list[tuple[Message, dt.datetime | None]] = field(default_factory=list)
    written: int = 0
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)
    retrying: list[tuple[Message, str]] = field(default_factory=list)
    invalid_users: list[str] = field(default_factory=list)
    silenced: int = 0
    inhibited: int = 0


async def _contacts() -> tuple[dict[int, list[Contact]], list[store.AlertRow]]:
    rows = await store.open_alert_rows()
    contacts: dict[int, list[Contact]] = {}
    for row in rows:
        if row.account is not None:
            contacts[row.account.id] = [Contact(p.id, p.name, p.role, p.wecom_userid, row.account.unit_id)
                                        for p in row.contacts]
    return contacts, rows


async def _silences() -> list[Silence]:
    out = []
    for s in await store.silences(("active", "pending")):
        out.append(Silence(id=s.id, account_id=s.account.id if s.account else None, unit_id=s.unit.id if s.unit else None,
                           rule=s.rule, starts_at=s.starts_at, ends_at=s.ends_at, state=s.state,  # type: ignore[arg-type]
                           author=s.author, reason=s.reason))
    return out


async def plan(now: dt.datetime, ns: NotifySettings, is_working_day: Callable[[dt.date], bool] = weekday,
               ) -> tuple[list[tuple[Message, dt.datetime | None, str]], CycleResult]:
    """Messages this cycle should write: (message, not-before, outbox dedupe key)."""
    result = CycleResult()
    contacts, rows = await _contacts()
    alerts = [to_alert(r) for r in rows]
    kept = inhibit(alerts, ns.inhibit_rules, {rid: r.kinds for rid, r in ns.rules.items()})
    result.inhibited = len(alerts) - len(kept)
    kept, silenced = apply_silences(kept, await _silences(), now)
    result.silenced = len(silenced)
    office = [Contact(None, u, "office", u, None) for u in ns.office_users]
    groups = {g.recipient.key: g for g in group(route(kept, contacts, office, now, ns.route))}
    latest = await store.last_sent_all()
    out: list[tuple[Message, dt.datetime | None, str]] = []
    for g in groups.values():
        out.extend(_for_group(g, latest.get(g.recipient.key), now, ns, is_working_day))
    out.extend(await _resolved(now, ns, groups))
    result.planned = [(m, nb) for m, nb, _ in out]
    return out, result


def _channel(recipient: Recipient, ns: NotifySettings) -> str:
    return "wecom_robot" if recipient.kind == "robot" else ns.channel


def _for_group(g: Group, last: store.LastSent | None, now: dt.datetime, ns: NotifySettings,
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


async def _resolved(now: dt.datetime, ns: NotifySettings,
                    groups: Mapping[str, Group]) -> list[tuple[Message, dt.datetime | None, str]]:
    """One 已恢复 notice per recipient for findings they were told about that have since resolved."""
    out: list[tuple[Message, dt.datetime | None, str]] = []
    since = now - dt.timedelta(days=30)
    resolved = {f.id: f for f in await store.resolved_since(since)}
    if not resolved:
        return out
    for key, (who, ids) in (await store.told_since(since)).items():
        recipient = Recipient(**who)
        still = {a.finding_id for a in groups[key].alerts} if key in groups else set()
        done = sorted(i for i in ids if i in resolved and i not in still)
        if not done:
            continue
        alerts = [to_alert(store.AlertRow.of(resolved[i])) for i in done]
        channel = _channel(recipient, ns)
        for m in render_resolved(recipient, alerts, channel=channel, now=now, msgtype=ns.msgtype,  # type: ignore[arg-type]
                                 county_name=ns.county_name, rules=ns.rules):
            out.append((m, None, f"resolved|{channel}|{key}|{','.join(map(str, done))}|{m.part}/{m.parts}"))
    return out


async def run_cycle(now: dt.datetime, ns: NotifySettings, notifiers: Mapping[str, Notifier], *,
                    dry_run: bool = False, is_working_day: Callable[[dt.date], bool] = weekday) -> CycleResult:
    """Plan, write to the outbox, then send everything due (a dry run only plans)."""
    with paused_gc():
        planned, result = await plan(now, ns, is_working_day)
    if dry_run:
        return result
    rows = [{"channel": m.channel, "recipient": m.recipient.key, "kind": m.kind, "dedupe_key": key[:128],
             "fingerprint": m.fingerprint, "finding_ids": list(m.finding_ids), "payload": _payload(m),
             "not_before": hold} for m, hold, key in planned]
    result.written = await store.write(rows, now)
    await send_due(now, notifiers, result)
    return result


async def send_due(now: dt.datetime, notifiers: Mapping[str, Notifier], result: CycleResult) -> None:
    """Send every due outbox message, with retries and backoff for transient failures."""
    seen: set[int] = set()
    while True:
        batch = [n for n in await store.due(now) if n.id not in seen]
        if not batch:
            return
        seen.update(n.id for n in batch)
        await _send_batch(batch, now, notifiers, result)


async def _send_batch(batch: list[Any], now: dt.datetime, notifiers: Mapping[str, Notifier], result: CycleResult) -> None:
    # Each message's outcome is recorded in the same commit that marks the next one "sending".
    done: list[store.Outcome] = []
    for n in batch:
        message = message_from(n)
        notifier = notifiers.get(n.channel)
        if notifier is None:
            done.append(store.Outcome(n, "failed", f"no notifier for channel {n.channel}"))
            result.failed.append((message, "no channel"))
            continue
        await store.advance(done, n, now)
        done = []
        sent = await notifier.send(message)
        if sent.ok:
            note = f"invalid users: {', '.join(sent.invalid_users)}" if sent.invalid_users else ""
            done.append(store.Outcome(n, "sent", note))
            result.sent.append(message)
            result.invalid_users.extend(sent.invalid_users)
        elif sent.retryable and n.attempts < store.MAX_ATTEMPTS:
            wait = sent.retry_after or BACKOFF_MINUTES[min(n.attempts, len(BACKOFF_MINUTES)) - 1] * 60
            done.append(store.Outcome(n, "pending", sent.error, now + dt.timedelta(seconds=wait)))
            result.retrying.append((message, sent.error))
        else:
            done.append(store.Outcome(n, "failed", sent.error))
            result.failed.append((message, sent.error))
    await store.advance(done, None, now)

"""Routing: which people (and robots) each open finding goes to, escalating with its age.

The chain is operator (运维人员) → unit head (负责人) after `escalate_head_days` → county office
after `escalate_office_days`, counted from the finding's first_seen as elapsed time. A level
with nobody reachable on WeCom falls through to the next one, so an account without an
operator's WeCom id goes to its head from day 0, and to the office if it has no head either;
escalation never stops at an empty level.

ops and info findings (collection_blind, registry_incomplete) go to the county office only: a
data gap or an incomplete ledger is the office's job to fix, and telling a township head "we
cannot see your account" invites the false-alarm fatigue DESIGN.md warns about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.model import Alert, Contact, Recipient

OPERATOR, HEAD = "operator", "head"


@dataclass(frozen=True)
class RouteSettings:
    """Routing options, read from the config's [notify] table."""

    escalate_head_days: float = 3
    escalate_office_days: float = 7
    office_severities: tuple[str, ...] = ("ops", "info")
    # Secrets-file credential (webhook_key) of the county office's group robot; "" = none.
    office_robot: str = ""
    # Unit name -> credential of that unit's group robot, which gets the unit's findings from day 0.
    unit_robots: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, section: Mapping[str, Any]) -> RouteSettings:
        """Settings from a [notify] table; keys it does not know are left to other stages."""
        base = cls()
        head = _number(section, "escalate_head_days", base.escalate_head_days)
        office = _number(section, "escalate_office_days", base.escalate_office_days)
        if head < 0 or office < head:
            raise ValueError("[notify] needs 0 <= escalate_head_days <= escalate_office_days")
        severities = section.get("office_severities", base.office_severities)
        if not isinstance(severities, list | tuple) or not all(isinstance(s, str) for s in severities):
            raise ValueError("[notify] office_severities must be a list of severities")
        robot = section.get("office_robot", "")
        robots = section.get("unit_robots", {})
        if not isinstance(robot, str):
            raise ValueError("[notify] office_robot must be a credential name")
        if not isinstance(robots, Mapping) or not all(isinstance(v, str) for v in robots.values()):
            raise ValueError("[notify] unit_robots must map unit names to credential names")
        return cls(head, office, tuple(severities), robot, {str(k): v for k, v in robots.items()})


def _number(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"[notify] {key} must be a number of days")
    return float(value)


def person(contact: Contact, kind: str = "person") -> Recipient:
    """The recipient for a contact ("office" for county-office contacts)."""
    return Recipient(
        kind="office" if kind == "office" else "person",
        person_id=contact.person_id,
        name=contact.name,
        wecom_userid=contact.wecom_userid.strip(),
        unit_id=contact.unit_id,
    )


def _reachable(contacts: Iterable[Contact], role: str) -> list[Recipient]:
    return [person(c) for c in contacts if c.role == role and c.wecom_userid.strip()]


def recipients_for(
    alert: Alert,
    contacts: Sequence[Contact],
    office: Sequence[Recipient],
    now: datetime,
    settings: RouteSettings,
) -> list[Recipient]:
    """The recipients of one alert, in chain order, without duplicates."""
    if alert.severity in settings.office_severities or alert.account_id is None:
        chosen = list(office)
    else:
        age = now - alert.first_seen
        reached = 1
        if age >= timedelta(days=settings.escalate_head_days):
            reached = 2
        if age >= timedelta(days=settings.escalate_office_days):
            reached = 3
        levels = [_reachable(contacts, OPERATOR), _reachable(contacts, HEAD), list(office)]
        chosen = []
        for depth in range(reached):
            # An empty level falls through to the next non-empty one.
            chosen.extend(next((lvl for lvl in levels[depth:] if lvl), []))
        robot = settings.unit_robots.get(alert.unit_name)
        if robot:
            chosen.append(Recipient("robot", None, alert.unit_name, "", alert.unit_id, robot))
    if settings.office_robot and any(r.kind == "office" for r in chosen):
        chosen.append(Recipient("robot", None, "县政务公开办", "", None, settings.office_robot))
    return list(dict.fromkeys(chosen))


def route(
    alerts: Iterable[Alert],
    contacts_by_account: Mapping[int, list[Contact]],
    office: list[Contact],
    now: datetime,
    settings: RouteSettings | None = None,
) -> dict[Recipient, list[Alert]]:
    """Recipient -> the alerts they must hear about, each alert once per recipient, input order kept."""
    settings = settings or RouteSettings()
    office_recipients = [person(c, "office") for c in office if c.wecom_userid.strip()]
    routed: dict[Recipient, list[Alert]] = {}
    seen: set[tuple[Recipient, int]] = set()
    for alert in alerts:
        contacts = contacts_by_account.get(alert.account_id, []) if alert.account_id is not None else []
        for recipient in recipients_for(alert, contacts, office_recipients, now, settings):
            if (recipient, alert.finding_id) not in seen:
                seen.add((recipient, alert.finding_id))
                routed.setdefault(recipient, []).append(alert)
    return routed


def unrouted(alerts: Iterable[Alert], routed: Mapping[Recipient, list[Alert]]) -> list[Alert]:
    """Alerts that reached nobody (no reachable contact and no office contact): report them, don't lose them."""
    reached = {a.finding_id for bucket in routed.values() for a in bucket}
    return [a for a in alerts if a.finding_id not in reached]

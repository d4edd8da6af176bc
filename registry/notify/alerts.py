"""Alert rows: findings with the account, unit and contact facts a message needs, as plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from tortoise.queryset import QuerySet

from registry.db.models import Account, Finding, Person
from registry.notify.rows import by_id

_FINDING = ("id", "rule", "severity", "first_seen", "last_seen", "summary_zh", "summary_en", "evidence",
            "claimed_fixed_at", "account_id")


class FindingFacts(NamedTuple):
    """The facts of a finding a message states."""

    id: int
    rule: str
    severity: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    summary_zh: str
    summary_en: str
    evidence: dict[str, object]
    claimed_fixed: bool


class AccountFacts(NamedTuple):
    """The account and unit facts a message names."""

    id: int
    name: str
    platform: str
    uid: str
    unit_id: int
    unit_name: str


class ContactFacts(NamedTuple):
    """A contact person of an account."""

    id: int
    name: str
    role: str
    wecom_userid: str


class AlertRow(NamedTuple):
    """A finding with its account and unit facts and (for open alerts) the account's contacts."""

    finding: FindingFacts
    account: AccountFacts | None
    contacts: list[ContactFacts]


async def _rows(query: QuerySet[Finding], with_contacts: bool) -> list[AlertRow]:
    # Plain values of findings, accounts (joined with their unit) and people: at 35k findings, model
    # instances and attaching them cost more than the rest of the planning.
    found = await query.values(*_FINDING)
    accounts = await by_id(Account, list({f["account_id"] for f in found if f["account_id"] is not None}),
                           "name", "platform", "uid", "unit_id", "unit__name", "head_id", "operator_id")
    people: dict[int, dict[str, Any]] = {}
    if with_contacts:
        people = await by_id(Person, list({p for a in accounts.values() for p in (a["head_id"], a["operator_id"])
                                           if p is not None}), "name", "role", "wecom_userid")
    facts: dict[int, tuple[AccountFacts, list[ContactFacts]]] = {}
    for a in accounts.values():
        contacts = [ContactFacts(p["id"], p["name"], p["role"], p["wecom_userid"])
                    for p in (people.get(a["head_id"]), people.get(a["operator_id"])) if p is not None]
        facts[a["id"]] = (AccountFacts(a["id"], a["name"], a["platform"], a["uid"] or "", a["unit_id"], a["unit__name"]),
                          contacts)
    rows = []
    for f in found:
        finding = FindingFacts(f["id"], f["rule"], f["severity"], f["first_seen"], f["last_seen"], f["summary_zh"],
                               f["summary_en"], dict(f["evidence"] or {}), f["claimed_fixed_at"] is not None)
        known = facts.get(f["account_id"]) if f["account_id"] is not None else None
        rows.append(AlertRow(finding, known[0], known[1]) if known else AlertRow(finding, None, []))
    return rows


async def open_alert_rows() -> list[AlertRow]:
    """Open findings with their account, unit and the account's head and operator."""
    return await _rows(Finding.filter(state="open").order_by("id"), with_contacts=True)


async def resolved_since(since: dt.datetime) -> list[AlertRow]:
    """Findings resolved after a moment, with account and unit (no contacts)."""
    return await _rows(Finding.filter(state="resolved", resolved_at__gte=since).order_by("id"), with_contacts=False)


async def unit_alert_rows(unit_ids: list[int] | None, account_name: str | None = None) -> list[AlertRow]:
    """Open findings of accounts of some units (None: all units), optionally one account by name."""
    query = Finding.filter(state="open", account_id__isnull=False)
    if unit_ids is not None:
        query = query.filter(account__unit_id__in=unit_ids)
    if account_name:
        query = query.filter(account__name__icontains=account_name)
    return await _rows(query.order_by("id"), with_contacts=False)

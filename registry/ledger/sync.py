"""Ledger <-> database: canonical views of stored accounts, import plans, applying them with audit.

Import is all-or-nothing: `plan` compares validated records with the database, `apply` writes the
whole plan in one transaction, recording an audit event for every unit, person and account touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from registry.db.models import Account, Person, Unit
from registry.ledger import audit, vocab
from registry.ledger.columns import KEYS
from registry.ledger.completeness import PENDING_UNIT, is_pending, record_identity

#: Record keys whose empty value in a ledger means "keep what is stored" rather than "clear" (a list
#: that names an account without its id never clears the id another import or `resolve` found).
_KEEP_IF_EMPTY = ("unit_kind", "parent_unit", "uid", "alias", "biz", "status")
_ACCOUNT_FIELDS = {
    "name": "name",
    "account_type": "account_type",
    "verified_subject": "verified_subject",
    "operator_org": "operator_org",
    "matrix_role": "matrix_role",
    "status": "status",
    "interaction": "interaction",
    "frequency": "update_frequency",
    "method": "collect_method",
    "credential": "credential",
    "feed_url": "feed_url",
    "notes": "notes",
    "alias": "alias",
    "biz": "biz",
}


def account_view(account: Account) -> dict[str, str]:
    """The canonical ledger record of a stored account (unit, head, operator prefetched)."""
    unit: Unit = account.unit
    parent: Unit | None = unit.parent
    head: Person | None = account.head
    op: Person | None = account.operator
    view = {key: str(getattr(account, attr)) for key, attr in _ACCOUNT_FIELDS.items()}
    view.update(
        platform=account.platform,
        uid=account.uid or "",
        unit=unit.name,
        unit_kind=unit.kind,
        parent_unit=parent.name if parent else "",
        head=head.name if head else "",
        head_phone=head.phone if head else "",
        head_wecom=head.wecom_userid if head else "",
        operator=op.name if op else "",
        operator_phone=op.phone if op else "",
        wecom=op.wecom_userid if op else "",
        opened_on=account.opened_on.isoformat() if account.opened_on else "",
        filed="是" if account.filed else "否",
        filed_on=account.filed_on.isoformat() if account.filed_on else "",
    )
    return {k: view.get(k, "") for k in KEYS}


async def load_accounts() -> list[Account]:
    """Every account with its unit, parent unit and contacts."""
    return await Account.all().prefetch_related("unit__parent", "head", "operator").order_by("id")


@dataclass
class Change:
    """One account to add or update, with field differences (old, new)."""

    row: int
    record: dict[str, str]
    account: Account | None = None
    diffs: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Plan:
    """What an import would do."""

    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    retired: list[Account] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether applying the plan would change nothing."""
        return not (self.added or self.changed or self.retired)


def diff(view: dict[str, str], record: dict[str, str], columns: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """Fields where the record differs from the stored view. With ``columns`` (the keys the file has), a
    field the file has no column for and the row left empty is kept: a list without 备注 clears no notes."""
    out: dict[str, tuple[str, str]] = {}
    for key in KEYS:
        new = record.get(key, "")
        if not new and (key in _KEEP_IF_EMPTY or (columns is not None and key not in columns)):
            continue
        if view.get(key, "") != new:
            out[key] = (view.get(key, ""), new)
    return out


async def plan_import(records: list[tuple[int, dict[str, str]]], *, retire_missing: bool = False,
                      columns: set[str] | None = None) -> Plan:
    """Compare validated records with the database (``columns``: the keys the file has columns for)."""
    accounts = await load_accounts()
    by_ident = {_identity(a): a for a in accounts}
    by_name = {(a.platform, a.name, a.unit.name): a for a in sorted(accounts, key=lambda a: a.pending)}  # pending wins
    unplaced: dict[str, list[Account]] = {}
    for a in accounts:
        if a.pending and a.platform == vocab.Platform.OTHER.value and not a.uid:
            unplaced.setdefault(a.name, []).append(a)
    plan = Plan()
    seen: set[int] = set()
    for row, record in records:
        account = by_ident.get(record_identity(record))
        if account is None:
            # A pending account completed by this row (its id or unit now known), or a known account
            # named by a list without its id: the same account, never a second one.
            account = by_name.get((record["platform"], record["name"], record["unit"]))
            if account is None or (account.uid and record["uid"] and account.uid != record["uid"]):
                account = by_name.get((record["platform"], record["name"], PENDING_UNIT))
            if account is None and record["unit"] == PENDING_UNIT:  # the one account of this name, unit known since
                named = [a for a in accounts if (a.platform, a.name) == (record["platform"], record["name"])]
                account = named[0] if len(named) == 1 else None
            if account is None and record["platform"] != vocab.Platform.OTHER.value:
                # An account registered without its platform (pending, 其他), now named with one.
                fits = [a for a in unplaced.get(record["name"], []) if a.unit.name in (record["unit"], PENDING_UNIT)]
                account = fits[0] if len(fits) == 1 else None
            if account is not None and (account.id in seen or (account.uid and record["uid"] and account.uid != record["uid"])):
                account = None
        if account is not None:
            seen.add(account.id)
            if record["unit"] == PENDING_UNIT and account.unit.name != PENDING_UNIT:
                record = {**record, "unit": account.unit.name}  # 待核实 never forgets a known unit
        if account is None:
            plan.added.append(Change(row, record))
            continue
        d = diff(account_view(account), record, columns)
        (plan.changed if d else plan.unchanged).append(Change(row, record, account, d))
    if retire_missing:
        gone = {vocab.Status.DEREGISTERED.value, vocab.Status.CLOSED.value}
        plan.retired = [a for a in accounts if a.id not in seen and a.status not in gone]
    return plan


def _identity(account: Account) -> tuple[str, ...]:
    """A stored account's identity, the same shape as `record_identity` (unit prefetched)."""
    if account.uid:
        return account.platform, account.uid
    return account.platform, account.name, account.unit.name


class _Writer:
    """Applies records inside one transaction, auditing each change."""

    def __init__(self, actor: str, note: str = "") -> None:
        self.actor = actor
        self.note = note
        self.units: dict[str, Unit] = {}

    async def unit(self, name: str, kind: str, parent_name: str) -> Unit:
        parent = await self.unit(parent_name, "", "") if parent_name else None
        unit = self.units.get(name) or await Unit.get_or_none(name=name)
        if unit is None:
            unit = await Unit.create(name=name, kind=kind or vocab.UnitKind.OTHER.value, parent=parent)
            await audit.record(actor=self.actor, entity="unit", entity_id=unit.id, ref=name, action="create",
                               changes={"kind": (None, unit.kind), "parent": (None, parent_name or None)})
        else:
            changes: dict[str, tuple[object, object]] = {}
            if kind and unit.kind != kind:
                changes["kind"] = (unit.kind, kind)
                unit.kind = kind
            if parent is not None and unit.parent_id != parent.id:  # type: ignore[attr-defined]
                changes["parent"] = (unit.parent_id, parent_name)  # type: ignore[attr-defined]
                unit.parent = parent
            if changes:
                await unit.save()
                await audit.record(actor=self.actor, entity="unit", entity_id=unit.id, ref=name,
                                   action="update", changes=changes)
        self.units[name] = unit
        return unit

    async def person(self, unit: Unit, name: str, role: str, phone: str, wecom: str) -> Person | None:
        if not name:
            return None
        person = await Person.get_or_none(unit=unit, name=name, role=role)
        if person is None:
            # The office writing a contact into its ledger is a confirmation of it (180-day clock starts).
            person = await Person.create(unit=unit, name=name, role=role, phone=phone, wecom_userid=wecom,
                                         confirmed_at=timezone.now())
            await audit.record(actor=self.actor, entity="person", entity_id=person.id, ref=f"{unit.name}/{name}",
                               action="create", changes={"role": (None, role), "phone": (None, phone),
                                                         "wecom_userid": (None, wecom)})
            return person
        changes: dict[str, tuple[object, object]] = {}
        if person.phone != phone:
            changes["phone"] = (person.phone, phone)
            person.phone = phone
        if person.wecom_userid != wecom:
            changes["wecom_userid"] = (person.wecom_userid, wecom)
            person.wecom_userid = wecom
        if changes:
            person.confirmed_at = timezone.now()
            await person.save()
            await audit.record(actor=self.actor, entity="person", entity_id=person.id, ref=f"{unit.name}/{name}",
                               action="update", changes=changes)
        return person

    async def account(self, change: Change) -> Account:
        r = change.record
        # The placeholder of accounts whose unit is not known yet takes no level and no parent from any row.
        known = r["unit"] != PENDING_UNIT
        unit = await self.unit(r["unit"], r["unit_kind"] if known else "", r["parent_unit"] if known else "")
        head = await self.person(unit, r["head"], vocab.Role.HEAD.value, r["head_phone"], r["head_wecom"])
        operator = await self.person(unit, r["operator"], vocab.Role.OPERATOR.value, r["operator_phone"], r["wecom"])
        values: dict[str, Any] = {attr: r[key] for key, attr in _ACCOUNT_FIELDS.items()}
        # An unreadable status cell (kept in the notes) leaves the stored status; a new account is 运营中.
        values["status"] = r["status"] or (change.account.status if change.account else vocab.Status.OPERATING.value)
        values.update(
            unit=unit, head=head, operator=operator, filed=r["filed"] == "是", pending=is_pending(r),
            opened_on=dt.date.fromisoformat(r["opened_on"]) if r["opened_on"] else None,
            filed_on=dt.date.fromisoformat(r["filed_on"]) if r["filed_on"] else None,
        )
        if change.account is None:
            account = await Account.create(platform=r["platform"], uid=r["uid"] or None, **values)
            await audit.record(actor=self.actor, entity="account", entity_id=account.id, ref=account.ref, action="create",
                               changes={k: (None, v) for k, v in r.items() if v}, note=self.note)
            return account
        account = change.account
        for key in ("alias", "biz"):
            if not r[key]:
                values.pop(key)
        if r["uid"]:
            values["uid"] = r["uid"]
        if account.platform == vocab.Platform.OTHER.value and r["platform"] != account.platform:
            values["platform"] = r["platform"]  # the platform of an account registered without one
        values["pending"] = is_pending({"uid": values.get("uid") or account.uid or "", "unit": unit.name})
        account.update_from_dict(values)
        await account.save()
        await record_account_changes(self.actor, account, change.diffs, self.note)
        return account


async def record_account_changes(actor: str, account: Account, diffs: dict[str, tuple[str, str]], note: str = "") -> None:
    """Audit an account change: renames and status changes get events of their own."""
    rest = dict(diffs)
    for key, action in (("uid", "identify"), ("name", "rename"), ("status", "status")):
        if key in rest:
            await audit.record(actor=actor, entity="account", entity_id=account.id, ref=account.ref,
                               action=action, changes={key: rest.pop(key)}, note=note)
    if rest:
        await audit.record(actor=actor, entity="account", entity_id=account.id, ref=account.ref,
                           action="update", changes=dict(rest), note=note)


async def apply_plan(plan: Plan, actor: str, *, note: str = "") -> None:
    """Write the plan in one transaction."""
    async with in_transaction():
        writer = _Writer(actor, note)
        for change in [*plan.added, *plan.changed]:
            await writer.account(change)
        for account in plan.retired:
            await retire(account, actor, note=note or "ledger import --retire-missing")


async def retire(account: Account, actor: str, *, note: str = "") -> None:
    """Mark an account deregistered (已注销), audited."""
    before = account.status
    account.status = vocab.Status.DEREGISTERED.value
    await account.save(update_fields=["status", "updated_at"])
    await audit.record(actor=actor, entity="account", entity_id=account.id, ref=account.ref, action="retire",
                       changes={"status": (before, account.status)}, note=note)

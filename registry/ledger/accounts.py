"""Registry queries and single-record use cases: find by REF, list with filters, add, set, retire.

REF is ``platform:uid`` (e.g. ``wechat:gh_0123456789ab``), a numeric id, or an exact account name.
Single-account edits reuse the ledger's row validation, so the CLI and the ledger obey one set of rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise import timezone
from tortoise.transactions import in_transaction

from registry.config.i18n import tr
from registry.db.models import Account, AuditEvent, Person, Unit
from registry.ledger import audit, vocab
from registry.ledger.cells import has_control_chars
from registry.ledger.columns import BY_KEY, KEYS
from registry.ledger.completeness import PENDING_UNIT
from registry.ledger.row_errors import RowError
from registry.ledger.sync import Change, _Writer, account_view, diff, record_account_changes, retire
from registry.ledger.validation import validate_rows

MAX_ID = 2**31 - 1  # the registry's integer primary keys
COLUMN_MAX = 128  # width of the account name and uid columns


class NotFound(Exception):
    """No record matches the reference."""


class Ambiguous(Exception):
    """Several records match the reference."""


class Invalid(Exception):
    """The requested change breaks a ledger rule."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def record_id(ref: str) -> int | None:
    """REF as a record number, or None: digits only ("²" is one to isdigit(), not to int()), in key range."""
    ref = ref.removeprefix("#")  # a pending account's ref is #id
    if not ref.isdigit():
        return None
    try:
        number = int(ref)
    except ValueError:
        return None
    return number if number <= MAX_ID else None


async def find_account(ref: str) -> Account:
    """Resolve REF to one account, with unit and contacts prefetched."""
    if has_control_chars(ref):  # no account holds one, and PostgreSQL refuses NUL even in a query
        raise NotFound(tr(f"找不到账号：{ref!r}", f"no account matches {ref!r}"))
    query = Account.all().prefetch_related("unit__parent", "head", "operator")
    matches: list[Account]
    number = record_id(ref)
    if number is not None:
        matches = await query.filter(id=number)
    elif ":" in ref:
        platform_raw, uid_raw = ref.split(":", 1)
        platform = vocab.parse_platform(platform_raw)
        uid = uid_raw.strip().lower() if platform is vocab.Platform.WECHAT else uid_raw.strip()
        matches = await query.filter(platform=platform.value, uid=uid) if platform and len(uid) <= COLUMN_MAX else []
    else:
        matches = []
    if not matches and len(ref) <= COLUMN_MAX:  # tortoise refuses a filter value longer than the column
        matches = await query.filter(name=ref)
    if not matches:
        raise NotFound(tr(f"找不到账号：{ref}", f"no account matches {ref!r}"))
    if len(matches) > 1:
        refs = ", ".join(a.ref for a in matches)
        raise Ambiguous(tr(f"“{ref}”对应多个账号，请用 平台:账号ID 指定：{refs}", f"{ref!r} matches several accounts; use platform:uid: {refs}"))
    return matches[0]


async def find_unit(name: str) -> Unit:
    """The unit of exactly this name."""
    unit = await Unit.get_or_none(name=name) if not has_control_chars(name) else None
    if unit is None:
        raise NotFound(tr(f"找不到单位：{name}", f"no unit {name!r}"))
    return unit


@dataclass(frozen=True)
class AccountFilter:
    """Filters of `accounts list`."""

    platform: str | None = None
    unit: str | None = None
    status: str | None = None


async def list_accounts(f: AccountFilter | None = None) -> list[Account]:
    """Accounts matching the filter, ordered by unit and platform."""
    f = f or AccountFilter()
    query = Account.all().prefetch_related("unit__parent", "head", "operator")
    if f.platform:
        p = vocab.parse_platform(f.platform)
        query = query.filter(platform=p.value if p else f.platform)
    if f.status:
        s = vocab.parse_status(f.status)
        query = query.filter(status=s.value if s else f.status)
    if f.unit:
        query = query.filter(unit__name__icontains=f.unit)
    accounts = await query
    return sorted(accounts, key=lambda a: (a.unit.name, a.platform, a.name))


def _validate(record: dict[str, str], today: dt.date) -> dict[str, str]:
    from registry.ledger.columns import COLUMNS

    # One account typed at the command line: an unknown platform is a typo to correct, not a list's word
    # to keep (a file import registers it as 其他, pending).
    raw = record.get("platform", "")
    if raw and vocab.parse_platform(raw) is None:
        raise Invalid([RowError(0, BY_KEY["platform"].header, tr(
            f"平台「{raw}」无法识别：可用 {vocab.platform_choices()}",
            f"platform {raw!r} is not known: use one of {', '.join(p.value for p in vocab.Platform)}"), raw)])
    status = record.get("status", "")
    if status and vocab.read_status(status) is None:
        raise Invalid([RowError(0, BY_KEY["status"].header, tr(
            "应为 " + "/".join(vocab.STATUS_LABELS.values()), "must be one of the lifecycle statuses"), status)])

    parsed = validate_rows([c.header for c in COLUMNS], [(2, [record.get(c.key, "") for c in COLUMNS])], today)
    if parsed.errors:
        raise Invalid(parsed.errors)
    return parsed.records[0][1]


async def add_account(record: dict[str, str], *, actor: str, today: dt.date) -> Account:
    """Create one account from ledger-style fields."""
    clean = _validate(record, today)
    if clean["uid"] and await Account.exists(platform=clean["platform"], uid=clean["uid"]):
        raise Invalid([RowError(2, BY_KEY["uid"].header, tr("该账号已存在", "account already exists"), clean["uid"])])
    async with in_transaction():
        return await _Writer(actor).account(Change(0, clean))


async def set_account(ref: str, updates: dict[str, str], *, actor: str, today: dt.date, note: str = "") -> tuple[Account, dict[str, tuple[str, str]]]:
    """Change fields of one account (ledger keys -> values); return the account and its diffs."""
    account = await find_account(ref)
    view = account_view(account)
    unknown = sorted(set(updates) - set(KEYS))
    if unknown or {"platform", "uid"} & set(updates):
        raise ValueError(f"cannot set {unknown or ['platform', 'uid']}")
    record = {**view, **updates}
    # Labels in the stored view are codes; validation accepts both.
    clean = _validate(record, today)
    d = diff(view, clean)
    if d:
        async with in_transaction():
            await _Writer(actor, note).account(Change(0, clean, account, d))
    return await find_account(account.ref), d


async def retire_account(ref: str, *, actor: str, reason: str) -> Account:
    """Retire (deregister) one account."""
    account = await find_account(ref)
    if account.status == vocab.Status.DEREGISTERED.value:
        return account
    async with in_transaction():
        await retire(account, actor, note=reason)
    return account


async def account_history(ref: str) -> tuple[Account, list[AuditEvent]]:
    """An account and its audit trail."""
    account = await find_account(ref)
    return account, await audit.history("account", account.id)


async def list_units() -> list[tuple[Unit, int]]:
    """Units with their number of accounts; the placeholder pending accounts wait in is no unit and not listed."""
    units = await Unit.exclude(name=PENDING_UNIT).prefetch_related("parent").order_by("name")
    counts: dict[int, int] = {}
    for row in await Account.all().values("unit_id"):
        counts[row["unit_id"]] = counts.get(row["unit_id"], 0) + 1
    return [(u, counts.get(u.id, 0)) for u in units]


async def add_unit(name: str, kind: str, parent: str, *, actor: str) -> Unit:
    """Create a unit (its parent must exist)."""
    k = vocab.parse_unit_kind(kind) if kind else vocab.UnitKind.OTHER
    if k is None:
        raise ValueError(tr(f"未知单位类型：{kind}", f"unknown unit kind {kind!r}"))
    if await Unit.exists(name=name):
        raise ValueError(tr(f"单位已存在：{name}", f"unit already exists: {name}"))
    parent_unit = None
    if parent:
        parent_unit = await Unit.get_or_none(name=parent)
        if parent_unit is None:
            raise NotFound(tr(f"找不到上级单位：{parent}", f"no parent unit {parent!r}"))
    async with in_transaction():
        unit = await Unit.create(name=name, kind=k.value, parent=parent_unit)
        await audit.record(actor=actor, entity="unit", entity_id=unit.id, ref=name, action="create",
                           changes={"kind": (None, k.value), "parent": (None, parent or None)})
    return unit


async def list_contacts(unit: str | None = None) -> list[Person]:
    """Contact people, optionally of units whose name contains ``unit``."""
    query = Person.all().prefetch_related("unit")
    if unit:
        query = query.filter(unit__name__icontains=unit)
    people = await query
    return sorted(people, key=lambda p: (p.unit.name, p.role, p.name))


async def add_contact(unit: str, name: str, role: str, phone: str, wecom: str, *, actor: str) -> Person:
    """Create a contact person in an existing unit."""
    u = await Unit.get_or_none(name=unit)
    if u is None:
        raise NotFound(tr(f"找不到单位：{unit}", f"no unit {unit!r}"))
    r = next((x for x, label in vocab.ROLE_LABELS.items() if role in (label, x.value)), None)
    if r is None:
        raise ValueError(tr(f"未知角色：{role}（负责人/分管领导/运维人员）", f"unknown role {role!r} (head/leader/operator)"))
    if await Person.exists(unit=u, name=name, role=r.value):
        raise ValueError(tr("该联系人已存在", "contact already exists"))
    async with in_transaction():
        writer = _Writer(actor)
        person = await writer.person(u, name, r.value, phone, wecom.lower())
    assert person is not None
    return person


async def confirm_contact(person_id: int, *, actor: str) -> Person:
    """Record that a contact's details were re-confirmed now."""
    person = await Person.get_or_none(id=person_id).prefetch_related("unit")
    if person is None:
        raise NotFound(tr(f"找不到联系人 #{person_id}", f"no contact #{person_id}"))
    before = person.confirmed_at
    person.confirmed_at = timezone.now()
    async with in_transaction():
        await person.save(update_fields=["confirmed_at", "updated_at"])
        await audit.record(actor=actor, entity="person", entity_id=person.id, ref=f"{person.unit.name}/{person.name}",
                           action="confirm", changes={"confirmed_at": (before, person.confirmed_at)})
    return person


__all__ = ["AccountFilter", "Ambiguous", "Invalid", "NotFound", "account_history", "add_account", "add_contact",
           "add_unit", "confirm_contact", "find_account", "list_accounts", "list_contacts", "list_units",
           "record_account_changes", "record_id", "retire_account", "set_account"]

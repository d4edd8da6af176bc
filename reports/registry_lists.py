"""Records and columns for the registry lists (accounts, units, contacts, audit history)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.config.i18n import get_lang, tr
from registry.db.models import Account, AuditEvent, Person, Unit
from registry.ledger import vocab
from registry.ledger.completeness import shown_unit
from registry.ledger.sync import account_view
from reports.output import Field


def _label(mapping: dict[Any, str], code: str) -> str:
    for k, v in mapping.items():
        if k.value == code:
            return v if get_lang() == "zh" else k.value
    return code


def platform_label(code: str) -> str:
    """Platform name in the current language."""
    if get_lang() == "en":
        return next((v for k, v in vocab.PLATFORM_LABELS_EN.items() if k.value == code), code)
    return _label(vocab.PLATFORM_LABELS, code)


def status_label(code: str) -> str:
    """Status in the current language."""
    return _label(vocab.STATUS_LABELS, code)


def account_fields() -> list[Field]:
    """Columns of `accounts list`."""
    return [
        Field("id", "ID", True), Field("name", tr("账号名称", "Name")), Field("platform", tr("平台", "Platform")),
        Field("uid", tr("账号ID", "UID")), Field("unit", tr("主办单位", "Unit")),
        Field("status", tr("状态", "Status")), Field("method", tr("采集方式", "Method")),
        Field("operator", tr("运维人员", "Operator")), Field("filed", tr("备案", "Filed")),
        Field("frequency", tr("更新频率要求", "Frequency")), Field("matrix_role", tr("矩阵角色", "Role")),
    ]


TABLE_ACCOUNT_KEYS = ("id", "name", "platform", "unit", "status", "method", "operator")


def account_record(account: Account) -> dict[str, Any]:
    """One account as a flat record for lists and JSON."""
    view = account_view(account)
    return {
        "id": account.id,
        "ref": account.ref,
        "name": account.name,
        "platform": platform_label(account.platform),
        "platform_code": account.platform,
        "uid": account.uid,
        "pending": account.pending,
        "unit": shown_unit(view["unit"]),
        "unit_kind": _label(vocab.UNIT_KIND_LABELS, view["unit_kind"]),
        "status": status_label(account.status),
        "status_code": account.status,
        "method": account.collect_method,
        "credential": account.credential,
        "operator": view["operator"],
        "operator_wecom": view["wecom"],
        "head": view["head"],
        "filed": tr("是", "yes") if account.filed else tr("否", "no"),
        "frequency": account.update_frequency,
        "matrix_role": _label(vocab.MATRIX_ROLE_LABELS, account.matrix_role),
    }


def account_details(account: Account) -> list[tuple[str, str]]:
    """Label/value pairs for `accounts show`."""
    from registry.ledger.columns import COLUMNS

    view = account_view(account)
    labels: dict[str, Callable[[str], str]] = {"platform": platform_label, "status": status_label,
              "unit_kind": lambda c: _label(vocab.UNIT_KIND_LABELS, c),
              "matrix_role": lambda c: _label(vocab.MATRIX_ROLE_LABELS, c)}
    pairs = [("ID", str(account.id)), (tr("引用", "Ref"), account.ref)]
    for c in COLUMNS:
        value = view[c.key]
        fn = labels.get(c.key)
        header = c.header if get_lang() == "zh" else c.aliases[0]
        if c.key == "unit" and shown_unit(value) is None:
            value = tr("—（待补全，主办单位未知）", "— (pending, owner unit not known)")
        if c.key == "uid" and not value:
            value = tr("—（待补全，见 govmedia accounts resolve）", "— (pending, see govmedia accounts resolve)")
        pairs.append((header, fn(value) if fn else value))
    return pairs


def unit_fields() -> list[Field]:
    """Columns of `units list`."""
    return [Field("id", "ID", True), Field("name", tr("单位", "Unit")), Field("kind", tr("类型", "Kind")),
            Field("parent", tr("上级单位", "Parent")), Field("accounts", tr("账号数", "Accounts"), True)]


def unit_record(unit: Unit, accounts: int) -> dict[str, Any]:
    """One unit as a record."""
    parent: Unit | None = unit.parent
    return {"id": unit.id, "name": unit.name, "kind": _label(vocab.UNIT_KIND_LABELS, unit.kind),
            "parent": parent.name if parent else "", "accounts": accounts}


def contact_fields() -> list[Field]:
    """Columns of `contacts list`."""
    return [Field("id", "ID", True), Field("unit", tr("单位", "Unit")), Field("name", tr("姓名", "Name")),
            Field("role", tr("角色", "Role")), Field("phone", tr("电话", "Phone")),
            Field("wecom_userid", tr("企业微信账号", "WeCom userid")), Field("confirmed_at", tr("确认时间", "Confirmed"))]


def contact_record(p: Person) -> dict[str, Any]:
    """One contact as a record."""
    return {"id": p.id, "unit": shown_unit(p.unit.name), "name": p.name, "role": _label(vocab.ROLE_LABELS, p.role),
            "phone": p.phone, "wecom_userid": p.wecom_userid,
            "confirmed_at": p.confirmed_at.strftime("%Y-%m-%d %H:%M") if p.confirmed_at else ""}


def history_fields() -> list[Field]:
    """Columns of `accounts history`."""
    return [Field("at", tr("时间", "Time")), Field("actor", tr("操作人", "Actor")), Field("action", tr("动作", "Action")),
            Field("changes", tr("变更（前 → 后）", "Changes (before → after)")), Field("note", tr("说明", "Note"))]


def history_record(e: AuditEvent) -> dict[str, Any]:
    """One audit event as a record."""
    changes = "; ".join(f"{k}: {b if b not in (None, '') else '∅'} → {a if a not in (None, '') else '∅'}"
                        for k, (b, a) in e.changes.items())
    return {"at": e.at.strftime("%Y-%m-%d %H:%M:%S"), "actor": e.actor, "action": e.action,
            "changes": changes, "note": e.note}

"""Pending identities (待补全): the accounts still without a platform id, and completing one, audited."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from registry.config.i18n import tr
from registry.db.models import Account
from registry.ledger import vocab
from registry.ledger.accounts import Invalid
from registry.ledger.columns import BY_KEY
from registry.ledger.completeness import PENDING_UNIT
from registry.ledger.identifiers import canonical_uid
from registry.ledger.row_errors import RowError
from registry.ledger.sync import record_account_changes


async def pending_accounts() -> list[Account]:
    """Active accounts whose platform id (or owner unit) is not known yet, with their unit."""
    found = await Account.filter(pending=True, status__in=[s.value for s in vocab.ACTIVE_STATUSES]).prefetch_related(
        "unit").order_by("id")
    return list(found)


async def complete_identity(account_id: int, uid: str, *, actor: str, note: str) -> Account:
    """Give a pending account its platform id (checked, unique per platform), recorded in the audit trail."""
    account = await Account.get(id=account_id).prefetch_related("unit")
    platform = vocab.Platform(account.platform)
    clean = canonical_uid(platform, uid)
    if clean is None:
        raise Invalid([RowError(0, BY_KEY["uid"].header, tr("账号ID格式不对", "not a valid account id"), uid)])
    other = await Account.get_or_none(platform=account.platform, uid=clean)
    if other is not None and other.id != account.id:
        raise Invalid([RowError(0, BY_KEY["uid"].header, tr(f"已属于账号「{other.name}」（{other.ref}）",
                                                              f"already belongs to {other.name} ({other.ref})"), clean)])
    before = account.uid or ""
    async with in_transaction():
        account.uid = clean
        account.pending = account.unit.name == PENDING_UNIT
        await account.save(update_fields=["uid", "pending", "updated_at"])
        await record_account_changes(actor, account, {"uid": (before, clean)}, note)
    return account

"""Shutdown review cases (关停整合): list, find, decide — a decision changes the account's status, audited.

Decisions and the statuses they lead to: 保留整改 -> 整改中 (with a deadline, default 30 days; the
account is in grace until then and re-checked after it), 整合 -> 停更公告中 (merged into another
account, which posts the notice), 关停 -> 已关停, 注销 -> 已注销.
"""

from __future__ import annotations

import datetime as dt

from tortoise import timezone
from tortoise.transactions import in_transaction

from registry.config.i18n import tr
from registry.db.models import Account, Review
from registry.ledger import accounts as store
from registry.ledger import audit

DECISION_STATUS = {"保留整改": "rectifying", "整合": "notice", "关停": "closed", "注销": "deregistered"}
DEFAULT_DEADLINE_DAYS = 30


async def list_reviews(state: str | None = "open") -> list[Review]:
    """Review cases with their accounts, newest first."""
    query = Review.all().prefetch_related("account__unit", "merge_into")
    if state and state != "all":
        query = query.filter(state=state)
    return await query.order_by("-opened_at", "-id")


async def find_review(ref: str) -> Review:
    """A review by its number, or the newest review of the account REF."""
    query = Review.all().prefetch_related("account__unit", "merge_into", "finding")
    if ref.isdigit():  # a review number ("²", or one past the key range, is none)
        number = store.record_id(ref)
        review = await query.filter(id=number).first() if number is not None else None
    else:
        account = await store.find_account(ref)
        review = await query.filter(account_id=account.id).order_by("-opened_at", "-id").first()
    if review is None:
        raise store.NotFound(tr(f"找不到复核案件：{ref}", f"no review case {ref!r}"))
    return review


async def decide(ref: str, decision: str, reason: str, *, actor: str, today: dt.date,
                 merge_into: str | None = None, deadline: dt.date | None = None) -> Review:
    """Record a decision and change the account's status through the audited registry path."""
    if decision not in DECISION_STATUS:
        raise ValueError(tr(f"决定应为 {'/'.join(DECISION_STATUS)}", f"decision must be one of {', '.join(DECISION_STATUS)}"))
    if not reason.strip():
        raise ValueError(tr("必须写明理由", "a reason is required"))
    review = await find_review(ref)
    target: Account | None = None
    if decision == "整合":
        if not merge_into:
            raise ValueError(tr("整合需要 --merge-into 指定并入的账号", "整合 needs --merge-into REF"))
        target = await store.find_account(merge_into)
        if target.id == review.account.id:
            raise ValueError(tr("不能并入自身", "cannot merge an account into itself"))
    if decision == "保留整改":
        deadline = deadline or today + dt.timedelta(days=DEFAULT_DEADLINE_DAYS)
        if deadline < today:
            raise ValueError(tr("整改期限不能早于今天", "the deadline is in the past"))
    note = tr(f"复核案件#{review.id}：{decision}，{reason}", f"review #{review.id}: {decision}, {reason}")
    async with in_transaction():
        await store.set_account(review.account.ref, {"status": DECISION_STATUS[decision]}, actor=actor, today=today,
                                note=note)
        review.state, review.decision, review.reason = "decided", decision, reason
        review.decided_by, review.decided_at = actor, timezone.now()
        review.deadline = deadline if decision == "保留整改" else None
        review.merge_into = target
        await review.save()
        await audit.record(actor=actor, entity="review", entity_id=review.id, ref=review.account.ref, action="decide",
                           changes={"decision": (None, decision), "deadline": (None, review.deadline),
                                    "merge_into": (None, target.ref if target else None)}, note=reason)
    return review

"""The notification cycle on the registry's storage (``registry.notify``), on each backend: one round trip
through every stage, then what only the real outbox and log can show: retries recorded, crash safety,
one commit per batch, 已恢复 behind thousands of newer alerts. The cycle's behaviour in depth is tested
on an in-memory store in test_cycle.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.cycle import NotifySettings, plan, run_cycle
from bot.inhibit import InhibitRule
from bot.model import Message
from bot.notifier import SendResult
from bot.outbox import CycleResult, payload, send_due
from bot.quiet import QuietSettings
from bot.route import RouteSettings
from cli_commands.storage import notify_storage
from registry.db.models import Finding, Notification
from registry.ledger import accounts as store
from rules.config import CATALOGUE, INHIBIT_RULES

TZ = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=TZ)  # a Wednesday
NS = NotifySettings(channel="wecom_app", repeat_hours=24, office_users=("office_li",), route=RouteSettings(),
                    quiet=QuietSettings(quiet_hours="", working_days_only=False), rules=CATALOGUE,
                    inhibit_rules=tuple(InhibitRule(*r) for r in INHIBIT_RULES))
STORE = notify_storage()  # the registry's implementation of the bot's storage


@dataclass
class Recorder:
    sent: list[Message] = field(default_factory=list)
    fail_next: int = 0

    async def send(self, message: Message) -> SendResult:
        if self.fail_next:
            self.fail_next -= 1
            return SendResult(ok=False, retryable=True, error="errcode -1: system error")
        self.sent.append(message)
        return SendResult(ok=True)

    def take(self) -> list[tuple[str, str, tuple[int, ...]]]:
        out = [(m.recipient.wecom_userid, m.kind, tuple(sorted(m.finding_ids))) for m in self.sent]
        self.sent.clear()
        return sorted(out)


async def account(uid: str, name: str, unit: str) -> int:
    record = {"platform": "wechat", "uid": uid, "name": name, "unit": unit, "unit_kind": "乡镇",
              "operator": f"{name}运维", "wecom": f"op_{uid[-2:]}", "head": f"{name}负责人", "head_wecom": f"head_{uid[-2:]}"}
    return (await store.add_account(record, actor="t", today=T0.date())).id


async def finding(account_id: int, rule: str, severity: str, first_seen: dt.datetime) -> Finding:
    return await Finding.create(rule=rule, subject=f"account:{account_id}", severity=severity, account_id=account_id,
                                first_seen=first_seen, last_seen=first_seen, summary_zh=f"{rule}情况", evidence={})


async def test_round_trip_through_the_registry(db: str) -> None:
    """The cycle on the registry's storage: alert, dedup, repeat, silence, inhibition, a held message and
    已恢复, each stage once (the behaviour in depth is tested on the in-memory store, test_cycle.py)."""
    a = await account("gh_0000000000a1", "西河乡讯", "西河乡")
    b = await account("gh_0000000000b2", "东关发布", "东关镇")
    c = await account("gh_0000000000c3", "南关发布", "南关镇")
    veto = await finding(a, "stale_veto", "veto", T0)
    await finding(b, "stale_veto", "veto", T0)
    await finding(b, "collection_blind", "ops", T0)  # blind mutes b's stale veto
    await finding(c, "stale_warning", "warning", T0)
    await STORE.silences.add_silence(account_id=c, unit_id=None, rule=None, starts=T0 - dt.timedelta(days=1),
                                     ends=T0 + dt.timedelta(days=5), author="office", reason="系统升级", state="active")
    rec = Recorder()
    chans = {"wecom_app": rec}
    result = await run_cycle(T0, NS, chans, STORE)
    assert result.silenced == 1 and result.inhibited == 1
    assert rec.take() == [("office_li", "alert", (3,)), ("op_a1", "alert", (veto.id,))]
    await run_cycle(T0 + dt.timedelta(hours=1), NS, chans, STORE)
    assert rec.take() == []  # unchanged set: no message
    await run_cycle(T0 + dt.timedelta(hours=25), NS, chans, STORE)
    assert rec.take() == [("office_li", "repeat", (3,)), ("op_a1", "repeat", (veto.id,))]
    # The veto resolves: one 已恢复 notice (never held by quiet hours), even in the evening.
    veto.state, veto.resolved_at = "resolved", T0 + dt.timedelta(hours=26)
    await veto.save()
    quiet = dataclasses.replace(NS, quiet=QuietSettings())
    evening = (T0 + dt.timedelta(days=1)).replace(hour=20)
    result = await run_cycle(evening, quiet, chans, STORE)
    assert rec.take() == [("op_a1", "resolved", (veto.id,))] and result.written == 1
    # b is visible again: its veto reaches its operator, held by quiet hours (written now, sent in the morning).
    await Finding.filter(rule="collection_blind").update(state="resolved", resolved_at=evening)
    result = await run_cycle(evening + dt.timedelta(minutes=1), quiet, chans, STORE)
    assert rec.take() == [("office_li", "resolved", (3,))] and result.written == 2
    held = await Notification.get(state="pending")
    assert held.next_attempt_at == (T0 + dt.timedelta(days=2)).replace(hour=8, minute=30)
    await send_due(held.next_attempt_at, {"wecom_app": rec}, result, STORE.outbox)
    assert rec.take() == [("op_b2", "alert", (2,))]


async def test_outbox_is_crash_safe_and_retries(db: str) -> None:
    a = await account("gh_0000000000a1", "西河乡讯", "西河乡")
    await finding(a, "stale_veto", "veto", T0)
    # A crash after writing, before sending: the rerun sends the written message exactly once.
    planned, _ = await plan(T0, NS, STORE)
    rows = [{"channel": m.channel, "recipient": m.recipient.key, "kind": m.kind, "dedupe_key": key,
             "fingerprint": m.fingerprint, "finding_ids": list(m.finding_ids), "payload": {}} for m, _, key in planned]
    for row, (m, _, _) in zip(rows, planned, strict=True):
        row["payload"] = payload(m)
    assert await STORE.outbox.write(rows, T0) == 1
    rec = Recorder(fail_next=1)
    first = await run_cycle(T0, NS, {"wecom_app": rec}, STORE)
    assert first.written == 0 and len(first.retrying) == 1 and rec.sent == []
    row = await Notification.get()
    assert row.state == "pending" and row.attempts == 1 and row.next_attempt_at == T0 + dt.timedelta(minutes=1)
    second = await run_cycle(T0 + dt.timedelta(minutes=2), NS, {"wecom_app": rec}, STORE)
    assert second.written == 0 and len(rec.sent) == 1
    third = await run_cycle(T0 + dt.timedelta(minutes=3), NS, {"wecom_app": rec}, STORE)
    assert third.written == 0 and len(rec.sent) == 1  # never twice
    assert await Notification.all().count() == 1


class _Crash(BaseException):
    """The process dying (not an Exception: nothing may catch it)."""


async def test_a_crash_inside_the_outbox_write_loses_no_part_of_a_split_message(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox write is all or nothing: dying after the first row is inserted leaves no part behind, and
    the rerun writes and sends every part once."""
    for i in range(14):
        a = (await store.add_account({"platform": "wechat", "uid": f"gh_{i:012x}", "name": f"西河乡讯{i}号",
                                      "unit": "西河乡人民政府", "operator": "张运维", "wecom": "xihe_op"},
                                     actor="t", today=T0.date())).id
        for rule, severity in (("stale_veto", "veto"), ("registry_incomplete", "info")):
            await Finding.create(rule=rule, subject=f"account:{a}", severity=severity, account_id=a, first_seen=T0,
                                 last_seen=T0, evidence={},
                                 summary_zh="已连续15天未更新，超过两周未更新的单项否决标准；台账缺少负责人电话、认证主体")
    real_bulk_create = Notification.bulk_create

    def dying_bulk_create(objects: list[Notification], *args: Any, **kwargs: Any) -> Any:
        async def insert_one_then_die() -> None:
            await objects[0].save()
            raise _Crash

        return insert_one_then_die()

    monkeypatch.setattr(Notification, "bulk_create", dying_bulk_create)
    rec = Recorder()
    with pytest.raises(_Crash):
        await run_cycle(T0, NS, {"wecom_app": rec}, STORE)
    assert await Notification.all().count() == 0
    monkeypatch.setattr(Notification, "bulk_create", real_bulk_create)
    await run_cycle(T0 + dt.timedelta(minutes=5), NS, {"wecom_app": rec}, STORE)
    rows = await Notification.filter(recipient__contains="person").order_by("id")
    parts = int(str(rows[0].payload["parts"]))
    assert parts >= 2, "the message should need several parts"
    assert sorted(int(str(n.payload["part"])) for n in rows) == list(range(1, parts + 1))
    assert all(n.state == "sent" for n in rows)
    told = {i for m in rec.sent for i in m.finding_ids}
    assert {f.id for f in await Finding.filter(rule="stale_veto")} <= told


async def test_one_batch_records_every_outcome_and_write_skips_known_keys(db: str) -> None:
    """Each message's outcome lands in the commit that marks the next one sending, and the last one at
    the end of the batch; a dedupe key already written (or repeated in the same write) is skipped."""
    def row(to: str, channel: str = "wecom_app") -> dict[str, Any]:
        return {"channel": channel, "recipient": f"person:{to}", "kind": "alert", "dedupe_key": f"k|{to}",
                "fingerprint": "fp", "finding_ids": [1],
                "payload": {"recipient": {"kind": "person", "person_id": None, "name": to, "wecom_userid": to,
                                          "unit_id": None, "robot_key_name": ""},
                            "title": "t", "body": to, "msgtype": "text", "part": 1, "parts": 1}}

    rows = [row("ok"), row("flaky"), row("bad"), row("nochan", channel="pigeon"), row("warn")]
    assert await STORE.outbox.write([*rows, row("ok")], T0) == 5
    assert await STORE.outbox.write([row("ok"), row("new")], T0) == 1

    class Mixed:
        async def send(self, message: Message) -> SendResult:
            who = message.recipient.wecom_userid
            if who == "flaky":
                return SendResult(ok=False, retryable=True, error="errcode -1")
            if who == "bad":
                return SendResult(ok=False, error="errcode 40003")
            return SendResult(ok=True, invalid_users=("ghost",) if who == "warn" else ())

    result = CycleResult()
    await send_due(T0, {"wecom_app": Mixed()}, result, STORE.outbox)
    by = {n.payload["body"]: n for n in await Notification.all()}
    assert {k: (n.state, n.attempts) for k, n in by.items()} == {
        "ok": ("sent", 1), "flaky": ("pending", 1), "bad": ("failed", 1), "nochan": ("failed", 0),
        "warn": ("sent", 1), "new": ("sent", 1)}
    assert by["ok"].sent_at == T0 and by["flaky"].sent_at is None
    assert by["flaky"].next_attempt_at == T0 + dt.timedelta(minutes=1) and by["flaky"].last_error == "errcode -1"
    assert by["warn"].last_error == "invalid users: ghost" and by["nochan"].last_error.startswith("no notifier")
    assert len(result.sent) == 3 and len(result.retrying) == 1 and len(result.failed) == 2


async def test_resolved_notice_reaches_a_recipient_behind_thousands_of_newer_alerts(db: str) -> None:
    """A province writes thousands of alerts a day: every told recipient still hears 已恢复."""
    a = await account("gh_0000000000a1", "西河乡讯", "西河乡")
    veto = await finding(a, "stale_veto", "veto", T0)
    rec = Recorder()
    await run_cycle(T0, NS, {"wecom_app": rec}, STORE)
    assert rec.take() == [("op_a1", "alert", (veto.id,))]
    later = T0 + dt.timedelta(hours=2)
    other = {"kind": "person", "person_id": None, "name": "某人", "wecom_userid": "someone", "unit_id": None}
    await Notification.bulk_create([
        Notification(channel="wecom_app", recipient=f"person:x{i}", kind="alert", dedupe_key=f"bulk-{i}",
                     fingerprint="f", finding_ids=[10_000 + i], payload={"recipient": other}, state="sent",
                     created_at=later, next_attempt_at=later) for i in range(2100)], batch_size=500)
    veto.state, veto.resolved_at = "resolved", later
    await veto.save()
    await run_cycle(later + dt.timedelta(hours=1), NS, {"wecom_app": rec}, STORE)
    assert [r for r in rec.take() if r[1] == "resolved"] == [("op_a1", "resolved", (veto.id,))]

"""The notification cycle on an in-memory storage (``fakestore``): dedup, repeat, escalation, 已恢复
notices, silences, inhibition, retries with the bot's own attempt limit, and replies.

The registry's implementation of the same Protocols is exercised end to end in test_cycle_db.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fakestore import FakeStore

from bot.commands import parse_command
from bot.cycle import NotifySettings, plan, run_cycle
from bot.inhibit import InhibitRule
from bot.model import Message
from bot.notifier import SendResult
from bot.outbox import MAX_ATTEMPTS, CycleResult, send_due
from bot.quiet import QuietSettings
from bot.route import RouteSettings
from bot.service import ReplyHandler
from rules.config import CATALOGUE, INHIBIT_RULES

TZ = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=TZ)  # a Wednesday
NS = NotifySettings(channel="wecom_app", repeat_hours=24, office_users=("office_li",), route=RouteSettings(),
                    quiet=QuietSettings(quiet_hours="", working_days_only=False), rules=CATALOGUE,
                    inhibit_rules=tuple(InhibitRule(*r) for r in INHIBIT_RULES))
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@dataclass
class Recorder:
    sent: list[Message] = field(default_factory=list)
    fail_next: int = 0
    retryable: bool = True

    async def send(self, message: Message) -> SendResult:
        if self.fail_next:
            self.fail_next -= 1
            return SendResult(ok=False, retryable=self.retryable, error="errcode -1: system error")
        self.sent.append(message)
        return SendResult(ok=True)

    def take(self) -> list[tuple[str, str, tuple[int, ...]]]:
        out = [(m.recipient.wecom_userid, m.kind, tuple(sorted(m.finding_ids))) for m in self.sent]
        self.sent.clear()
        return sorted(out)


def county() -> tuple[FakeStore, int, int]:
    fake = FakeStore()
    return fake, fake.account("西河乡讯", "西河乡", "op_a1", "head_a1"), fake.account("东关发布", "东关镇", "op_b2", "head_b2")


async def test_dedup_repeat_escalate_resolve() -> None:
    fake, a, b = county()
    store, rec = fake.storage(), Recorder()
    chans = {"wecom_app": rec}
    veto = fake.finding(a, "stale_veto", "veto", T0)
    await run_cycle(T0, NS, chans, store)
    assert rec.take() == [("op_a1", "alert", (veto.id,))]
    await run_cycle(T0 + H, NS, chans, store)
    assert rec.take() == []  # unchanged set within repeat_hours: no message
    await run_cycle(T0 + 25 * H, NS, chans, store)
    assert rec.take() == [("op_a1", "repeat", (veto.id,))]
    await run_cycle(T0 + 26 * H, NS, chans, store)
    assert rec.take() == []  # the repeat restarts the clock
    # Day 3: the unit head hears of it as well (escalation); the operator's set is unchanged.
    await run_cycle(T0 + 3 * D + H, NS, chans, store)
    assert rec.take() == [("head_a1", "alert", (veto.id,)), ("op_a1", "repeat", (veto.id,))]
    # A new problem elsewhere changes only that operator's set: sent at once.
    warn = fake.finding(b, "stale_warning", "warning", T0 + 3 * D + 2 * H)
    await run_cycle(T0 + 3 * D + 3 * H, NS, chans, store)
    assert rec.take() == [("op_b2", "alert", (warn.id,))]
    # A second problem on the same account: the operator's set changes, so a new alert names both; the
    # head hears of the new one only once it is old enough, so the head's set is unchanged.
    other = fake.finding(a, "no_interaction", "veto", T0 + 3 * D + 4 * H)
    await run_cycle(T0 + 3 * D + 5 * H, NS, chans, store)
    assert rec.take() == [("op_a1", "alert", (veto.id, other.id))]
    # Day 7: the county office too.
    await run_cycle(T0 + 7 * D + H, NS, chans, store)
    assert ("office_li", "alert", (veto.id,)) in rec.take()
    # The veto resolves: one 已恢复 notice to everyone told about it, naming only it; then never again.
    fake.resolve(veto, T0 + 7 * D + 2 * H)
    await run_cycle(T0 + 7 * D + 3 * H, NS, chans, store)
    sent = rec.take()
    assert [r for r in sent if r[1] == "resolved"] == [("head_a1", "resolved", (veto.id,)),
                                                       ("office_li", "resolved", (veto.id,)),
                                                       ("op_a1", "resolved", (veto.id,))]
    # Their sets changed (the veto left them), so they hear the rest as a new alert.
    assert ("op_a1", "alert", (other.id,)) in sent and ("op_b2", "alert", (warn.id,)) not in sent
    await run_cycle(T0 + 7 * D + 4 * H, NS, chans, store)
    assert rec.take() == []


async def test_resolved_notice_only_to_those_told_and_not_while_still_open_for_them() -> None:
    fake, a, b = county()
    store, rec = fake.storage(), Recorder()
    fa = fake.finding(a, "stale_veto", "veto", T0)
    await run_cycle(T0, NS, {"wecom_app": rec}, store)
    rec.take()
    fb = fake.finding(b, "stale_veto", "veto", T0 + H)
    fake.resolve(fb, T0 + H)  # resolved before anyone was told: no notice
    fake.resolve(fa, T0 + 2 * H)
    await run_cycle(T0 + 3 * H, NS, {"wecom_app": rec}, store)
    assert rec.take() == [("op_a1", "resolved", (fa.id,))]
    # Told more than 30 days ago: too old for a notice.
    fc = fake.finding(b, "stale_warning", "warning", T0 + 4 * H)
    await run_cycle(T0 + 4 * H, NS, {"wecom_app": rec}, store)
    assert rec.take() == [("op_b2", "alert", (fc.id,))]
    fake.resolve(fc, T0 + 40 * D)
    await run_cycle(T0 + 40 * D + H, NS, {"wecom_app": rec}, store)
    assert rec.take() == []


async def test_a_failed_message_is_not_taken_for_told_nor_written_twice() -> None:
    fake, a, _ = county()
    store, rec = fake.storage(), Recorder(fail_next=1, retryable=False)
    f = fake.finding(a, "stale_veto", "veto", T0)
    first = await run_cycle(T0, NS, {"wecom_app": rec}, store)
    assert len(first.failed) == 1 and rec.sent == []
    # Not told: the next cycle plans the same alert again (no repeat), under the same dedupe key, so the
    # failed row stays the only one (the log shows the failure; nothing is hammered).
    again, _ = await plan(T0 + H, NS, store)
    assert [(m.kind, m.finding_ids) for m, _, _ in again] == [("alert", (f.id,))]
    assert (await run_cycle(T0 + H, NS, {"wecom_app": rec}, store)).written == 0 and rec.sent == []
    # A change of the set is news: sent.
    g = fake.finding(a, "no_interaction", "veto", T0 + 2 * H)
    await run_cycle(T0 + 2 * H, NS, {"wecom_app": rec}, store)
    assert rec.take() == [("op_a1", "alert", (f.id, g.id))]


async def test_silences_and_inhibition() -> None:
    fake, a, b = county()
    store = fake.storage()
    fake.finding(a, "stale_veto", "veto", T0)
    fb = fake.finding(b, "stale_veto", "veto", T0)
    blind = fake.finding(b, "collection_blind", "ops", T0)  # blind mutes b's stale veto
    await store.silences.add_silence(account_id=a, unit_id=None, rule=None, starts=T0 - D, ends=T0 + 5 * D,
                                     author="office", reason="系统升级", state="active")
    planned, result = await plan(T0, NS, store)
    assert result.silenced == 1 and result.inhibited == 1
    assert [(m.recipient.wecom_userid, m.finding_ids) for m, _, _ in planned] == [("office_li", (blind.id,))]
    # A pending exemption (asked for, not approved) mutes nothing; an expired one neither.
    await store.silences.add_silence(account_id=b, unit_id=None, rule="collection_blind", starts=T0 - D,
                                     ends=T0 + D, author="wecom:op_b2", reason="改版", state="pending")
    _, result = await plan(T0, NS, store)
    assert result.silenced == 1
    _, result = await plan(T0 + 6 * D, NS, store)
    assert result.silenced == 0 and fb.id  # the silence of a ended


async def test_retries_back_off_and_stop_at_the_bots_attempt_limit() -> None:
    fake, a, _ = county()
    store, rec = fake.storage(), Recorder(fail_next=99)
    fake.finding(a, "stale_veto", "veto", T0)
    result = await run_cycle(T0, NS, {"wecom_app": rec}, store)
    assert len(result.retrying) == 1 and fake.notes[0].next_attempt_at == T0 + dt.timedelta(minutes=1)
    waits = []
    now = T0
    for _ in range(MAX_ATTEMPTS - 1):
        now = fake.notes[0].next_attempt_at
        await send_due(now, {"wecom_app": rec}, CycleResult(), store.outbox)
        waits.append(fake.notes[0].next_attempt_at - now)
    assert fake.notes[0].state == "failed" and fake.notes[0].attempts == MAX_ATTEMPTS
    assert waits[:3] == [dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(minutes=120)]
    # The limit is the caller's: with two attempts a message fails on its second transient error.
    fake2, a2, _ = county()
    fake2.finding(a2, "stale_veto", "veto", T0)
    await run_cycle(T0, NS, {"wecom_app": Recorder(fail_next=99)}, fake2.storage(), dry_run=True)
    assert fake2.notes == []  # a dry run writes nothing
    planned, _ = await plan(T0, NS, fake2.storage())
    await fake2.write([{"channel": m.channel, "recipient": m.recipient.key, "kind": m.kind, "dedupe_key": k,
                        "fingerprint": m.fingerprint, "finding_ids": list(m.finding_ids),
                        "payload": {"recipient": vars(m.recipient), "title": m.title, "body": m.body,
                                    "msgtype": m.msgtype, "part": m.part, "parts": m.parts}}
                       for m, _, k in planned], T0)
    flaky = Recorder(fail_next=99)
    await send_due(T0, {"wecom_app": flaky}, CycleResult(), fake2, max_attempts=2)
    await send_due(T0 + dt.timedelta(minutes=1), {"wecom_app": flaky}, CycleResult(), fake2, max_attempts=2)
    assert (fake2.notes[0].state, fake2.notes[0].attempts) == ("failed", 2)


async def test_replies_are_scoped_to_the_users_unit() -> None:
    fake, a, b = county()
    mine, theirs = fake.finding(a, "stale_veto", "veto", T0), fake.finding(b, "stale_veto", "veto", T0)
    handler = ReplyHandler(("office_li",), fake.storage())
    assert "不是已登记的联系人" in await handler.handle("stranger", parse_command("状态"))
    status = await handler.handle("OP_A1", parse_command("状态"))
    assert "西河乡讯" in status and "东关发布" not in status
    assert "不是您单位账号" in await handler.handle("op_a1", parse_command(f"已整改 {theirs.id}"))
    assert not theirs.claimed_fixed
    assert "已记录" in await handler.handle("op_a1", parse_command(f"已整改 {mine.id}")) and mine.claimed_fixed
    asked = await handler.handle("op_a1", parse_command(f"豁免 {mine.id} 7 乡镇机构改革期间暂停更新"))
    s = fake.silences[0]
    assert "待县政务公开办审批" in asked and (s.state, s.account_id, s.rule) == ("pending", a, "stale_veto")
    assert "东关发布" in await handler.handle("office_li", parse_command("状态"))
    assert len(fake.inbound) == 6

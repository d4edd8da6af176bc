"""Crashes: `govmedia collect` and `govmedia notify` killed with SIGKILL at named steps, rerun, and
compared with a clean run; and SQLite under `govmedia run --once` with CLI commands beside it.

The kill points are chosen, not hoped for: each killed process runs with ``GOVMEDIA_KILL_AT=STEP:N``
(registry.config.killpoint) and SIGKILLs itself the N-th time it reaches STEP, so every kill lands
mid-way at a known boundary (an attempt started, an account stored, a message marked sending, a
message sent but not yet recorded as sent). Earlier versions slept a random 0.2-2 s on a sandbox slowed
by latency and killed whatever point the process had reached; the steps below cover those points
without the waiting. Each test starts its own sandbox (a frozen clock) and its own processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from relkit import ROOT, write_config, write_ledger, write_secrets
from tortoise.transactions import in_transaction

from bot.cycle import NotifySettings, run_cycle
from bot.model import Message
from bot.notifier import SendResult
from bot.service import notifiers
from cli_commands.storage import notify_storage
from collectors.model import BEIJING
from collectors.service import collect
from registry.config.credentials import load_secrets
from registry.config.settings import load
from registry.db.lifecycle import database, is_sqlite
from registry.db.models import (
    AccountState,
    CollectionAttempt,
    DailyMetric,
    Finding,
    Notification,
    Post,
    TokenCache,
    Unit,
)
from registry.ledger import accounts as store
from registry.ledger.files import import_ledger
from rules.config import RuleSettings
from rules.evaluate import run_check
from sandbox.county import OFFICE_USER, demo_secrets
from sandbox.faults import Fault
from sandbox.server import fetch_messages, running_sandbox

T = TypeVar("T")
CLI = [sys.executable, "-c", "from cli import main; main()"]
# (step, n): where the three killed runs of each test die.
COLLECT_KILLS = (("collect.attempt", 1), ("collect.stored", 2), ("collect.attempt", 5))
NOTIFY_KILLS = (("notify.sending", 1), ("notify.sent", 2), ("notify.sending", 3))
LEASE_MINUTES = 0.01  # 0.6 s: a killed run's leases expire quickly (the default is 15 minutes)
# A small county: every collection method, one account that always fails (40164, IP not whitelisted).
UIDS = ["gh_d29d035cc6d5", "gh_f05c1af806e4", "gh_ab63ac060ebf", "gh_99e2046ae3bb", "gh_36afb8dfa15d",
        "gh_9675561d6064", "5718301790", "5875436040", "5581726316"]


def _db(url: str, work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        async with database(url):
            return await work()

    return asyncio.run(main())


def _cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"govmedia {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def _kill_at(env: dict[str, str], step: str, nth: int, *args: str) -> None:
    """Run `govmedia ARGS` until it SIGKILLs itself the ``nth`` time it reaches ``step``."""
    done = subprocess.run([*CLI, *args], env={**env, "GOVMEDIA_KILL_AT": f"{step}:{nth}"}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, f"govmedia {' '.join(args)} never reached {step}:{nth}:\n{done.stderr}"


async def _collect_in_process(app: Any, cfg: Path, *, check: bool = False, notify: bool = False) -> None:
    """What `govmedia collect` (then `check`, `notify`) does, in this process and without HTTP: the clean run."""
    settings = load(cfg, environ={})
    secrets = load_secrets(settings.secrets_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        if not notify:
            await collect(settings, secrets, client)
        if check:
            await run_check(dt.datetime.now(BEIJING), RuleSettings.from_dict(settings.section("rules")))
        if notify:
            ns = NotifySettings.from_settings(settings)
            await run_cycle(dt.datetime.now(BEIJING), ns, notifiers(settings, secrets, ns, client), notify_storage())


def _setup(tmp: Path, db_url: str, base: str, county: Any, uids: list[str] | None, **config: Any) -> dict[str, str]:
    cfg = write_config(tmp, db_url, base, collect__lease_minutes=LEASE_MINUTES, **config)
    credentials = dict(demo_secrets(county))
    credentials["wecom_app"] = {"secret": county.wecom.corp_secret}
    write_secrets(tmp / "secrets.toml", credentials)
    ledger = write_ledger(tmp / "ledger.csv", uids)
    _db(db_url, lambda: import_ledger(ledger, actor="t", today=dt.datetime.now(BEIJING).date()))
    return {**os.environ, "GOVMEDIA_CONFIG": str(cfg), "GOVMEDIA_DATABASE_URL": db_url}


async def _observations() -> dict[str, Any]:
    posts = await Post.all().values("account__platform", "account__uid", "post_id")
    by_account: dict[str, set[str]] = {}
    for p in posts:
        by_account.setdefault(f"{p['account__platform']}:{p['account__uid']}", set()).add(p["post_id"])
    days = await DailyMetric.all().values("account_id", "day")
    states = {s.account_id: s.last_error_kind for s in await AccountState.all()}  # type: ignore[attr-defined]
    return {"posts": by_account, "post_rows": len(posts), "metric_keys": Counter((d["account_id"], d["day"]) for d in days),
            "errors": states}


async def _forget_observations() -> None:
    for model in (Post, DailyMetric, CollectionAttempt, AccountState, TokenCache):
        await model.all().delete()


def test_sigkilled_collect_reruns_to_the_clean_result(db_url: str, tmp_path: Path) -> None:
    frozen = dt.datetime.now(BEIJING)
    with running_sandbox(seed=7, now=lambda: frozen) as sb:
        env = _setup(tmp_path, db_url, sb.base_url, sb.county, UIDS, collect__concurrency=3)
        cfg = Path(env["GOVMEDIA_CONFIG"])
        _db(db_url, lambda: _collect_in_process(sb.app, cfg))
        clean = _db(db_url, _observations)
        assert sum(len(v) for v in clean["posts"].values()) > 50
        _db(db_url, _forget_observations)

        # Three runs die mid-way: an attempt open and nothing fetched, right after an account was
        # stored, and again with an attempt open (a dead run's leases still held by then, so some
        # accounts are skipped as "leased by another worker", as after a real crash).
        for step, nth in COLLECT_KILLS:
            _kill_at(env, step, nth, "collect")
        killed = len(COLLECT_KILLS)
        time.sleep(LEASE_MINUTES * 60 + 0.3)  # the dead processes' leases expire
        rerun = _cli(env, "collect")
        after = _db(db_url, _observations)
        attempts = _db(db_url, lambda: CollectionAttempt.all().order_by("id"))

    assert "leased by another worker" not in rerun.stdout
    assert after["posts"] == clean["posts"]  # the same posts, per account
    assert after["post_rows"] == sum(len(v) for v in after["posts"].values())  # no duplicate rows
    assert all(n == 1 for n in after["metric_keys"].values())
    assert after["errors"] == clean["errors"]  # the same accounts fail, for the same reason
    last: dict[int, CollectionAttempt] = {a.account_id: a for a in attempts}  # type: ignore[attr-defined]
    assert len(last) == len(UIDS) and all(a.finished_at is not None for a in last.values())
    # A killed run leaves at most `concurrency` attempts unfinished (documented: they stay "running").
    assert sum(a.outcome == "running" for a in attempts) <= 3 * killed
    assert any(a.outcome == "running" for a in attempts)  # the runs killed at "collect.attempt" left theirs


def _deliveries(base: str) -> Counter[tuple[str, str]]:
    """Delivered WeCom app messages per (recipient, text)."""
    return Counter((m["to"], str(m["payload"].get("content", ""))) for m in fetch_messages(base, "wecom_app")
                   if m["status"] == "delivered")


async def _outbox() -> list[Notification]:
    return await Notification.all().order_by("id")


def _key(n: Notification) -> tuple[str, str, tuple[int, ...], int, int]:
    p = n.payload
    return (n.recipient, n.kind, tuple(n.finding_ids), int(str(p["part"])), int(str(p["parts"])))


def test_sigkilled_notify_loses_nothing_and_sends_nothing_twice(db_url: str, tmp_path: Path) -> None:
    frozen = dt.datetime.now(BEIJING)
    with running_sandbox(seed=7, now=lambda: frozen) as sb:
        env = _setup(tmp_path, db_url, sb.base_url, sb.county, None, **{
            "wecom.corp_id": sb.county.wecom.corp_id, "wecom.agent_id": sb.county.wecom.agent_id,
            "wecom.credential": "wecom_app", "notify.office_users": [OFFICE_USER], "notify.quiet_hours": "",
            "notify.working_days_only": False, "collect.concurrency": 12})
        cfg = Path(env["GOVMEDIA_CONFIG"])
        _db(db_url, lambda: _collect_in_process(sb.app, cfg, check=True))
        assert _db(db_url, lambda: Finding.filter(state="open").count()) > 20
        _db(db_url, lambda: _collect_in_process(sb.app, cfg, notify=True))  # the clean run
        clean_rows = _db(db_url, _outbox)
        clean = _deliveries(sb.base_url)
        assert len(clean_rows) >= 10 and all(n.state == "sent" for n in clean_rows)
        assert set(clean.values()) == {1}
        _db(db_url, lambda: Notification.all().delete())
        httpx.delete(f"{sb.base_url}/_sandbox/messages", timeout=10).raise_for_status()

        in_flight = set()
        for step, nth in NOTIFY_KILLS:  # before a send, and after one that was not yet recorded as sent
            _kill_at(env, step, nth, "notify")
            # The at-least-once boundary: a row left "sending" may have reached WeCom before the kill.
            in_flight |= {_key(n) for n in _db(db_url, _outbox) if n.state == "sending"}
        assert in_flight  # "notify.sent" died with a sent message still marked "sending"
        _cli(env, "notify")
        rows = _db(db_url, _outbox)
        delivered = _deliveries(sb.base_url)
        _cli(env, "notify")  # an immediate rerun sends nothing more in this cycle
        assert _deliveries(sb.base_url) == delivered

    # nothing lost: the same messages, all sent
    assert sorted(_key(n) for n in rows) == sorted(_key(n) for n in clean_rows)
    assert all(n.state == "sent" for n in rows)
    assert Counter(to for to, _ in delivered) >= Counter(to for to, _ in clean)
    # nothing twice, except a message that was in flight when its sender was killed (WeCom drops that
    # copy: every app message carries enable_duplicate_check; the sandbox does not, so it shows here)
    by_text = {str(n.payload["body"]): _key(n) for n in rows}
    twice = [(to, by_text.get(text)) for (to, text), count in delivered.items() if count > 1]
    assert all(key in in_flight for _, key in twice), twice
    assert all(count <= 2 for count in delivered.values())


def test_sqlite_run_loop_and_cli_commands_never_meet_a_locked_database(db_url: str, tmp_path: Path) -> None:
    if not is_sqlite(db_url):
        pytest.skip("the lock contention under test is SQLite's")
    with running_sandbox(seed=7, faults=[Fault("latency", seconds=0.005)]) as sb:
        env = _setup(tmp_path, db_url, sb.base_url, sb.county, UIDS, **{
            "wecom.corp_id": sb.county.wecom.corp_id, "wecom.agent_id": sb.county.wecom.agent_id,
            "wecom.credential": "wecom_app", "notify.office_users": [OFFICE_USER], "notify.quiet_hours": "",
            "notify.working_days_only": False, "collect.concurrency": 8})
        results: list[subprocess.CompletedProcess[str]] = []
        lock = threading.Lock()
        daemon_done = threading.Event()

        def run(args: tuple[str, ...]) -> None:
            done = subprocess.run([*CLI, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
            with lock:
                results.append(done)

        def daemon() -> None:
            try:
                # the first cycle collects everything (many short write transactions), checks and notifies
                for args in (("run", "--once"), ("collect",)):
                    run(args)
            finally:
                daemon_done.set()

        def reader(*commands: tuple[str, ...]) -> None:
            i = 0
            while not daemon_done.is_set() or i < len(commands):
                run(commands[i % len(commands)])
                i += 1

        threads = [threading.Thread(target=daemon),
                   *(threading.Thread(target=reader, args=(("check",), ("findings", "--format", "json"),
                                                           ("accounts", "list"), ("collect", "status")))
                     for _ in range(1))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)

    assert sum(r.args[3:5] == ["run", "--once"] for r in results) == 1 and len(results) >= 5
    bad = [r for r in results if r.returncode != 0 or "locked" in (r.stdout + r.stderr).lower()]
    assert not bad, "\n".join(f"{r.args[3:]} -> {r.returncode}\n{r.stderr[-800:]}" for r in bad)


async def test_sqlite_writers_wait_instead_of_failing(db: str) -> None:
    """The mechanism behind "no database is locked": WAL, a busy timeout, and BEGIN IMMEDIATE, so a
    transaction that reads and then writes holds the write lock from its start. With a deferred BEGIN,
    another process committing in between makes its first write fail at once with "database is locked"."""
    if not is_sqlite(db):
        pytest.skip("SQLite only")
    conn = Unit._meta.db
    _, mode = await conn.execute_query("PRAGMA journal_mode")
    _, busy = await conn.execute_query("PRAGMA busy_timeout")
    assert str(dict(mode[0])["journal_mode"]).lower() == "wal" and int(next(iter(dict(busy[0]).values()))) >= 5000
    path = db.removeprefix("sqlite://")
    other: dict[str, object] = {}

    def other_process_writes() -> None:
        raw = sqlite3.connect(path, timeout=10)
        try:
            started = time.monotonic()
            raw.execute("INSERT INTO unit (name, kind, created_at, updated_at) VALUES ('乙', 'other', '2026-01-01', '2026-01-01')")
            raw.commit()
            other["waited"] = time.monotonic() - started
        except sqlite3.Error as exc:
            other["error"] = exc
        finally:
            raw.close()

    writer = threading.Thread(target=other_process_writes)
    async with in_transaction():
        await Unit.filter(name="甲").exists()  # read first...
        writer.start()
        await asyncio.sleep(0.3)  # ...while another connection wants to write...
        await Unit.create(name="甲", kind="other")  # ...then write
    writer.join(timeout=15)
    assert "error" not in other and float(str(other["waited"])) >= 0.2  # it waited for our commit
    assert await Unit.filter(name__in=["甲", "乙"]).count() == 2


class _Recorder:
    """A WeCom app channel that only records what it was asked to send."""

    channel = "wecom_app"

    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> SendResult:
        self.sent.append(message)
        return SendResult(True)


class _Crash(BaseException):
    """The process dying (not an Exception: nothing may catch it)."""


async def test_a_crash_between_outbox_writes_loses_no_part_of_a_split_message(
        db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the outbox is all or nothing: a message split in parts never survives as its first part only,
    which the next cycle would take for "already told" (same fingerprint) and never complete."""
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
    for i in range(14):
        account = await store.add_account({"platform": "wechat", "uid": f"gh_{i:012x}", "name": f"西河乡讯{i}号",
                                           "unit": "西河乡人民政府", "operator": "张运维", "wecom": "xihe_op"},
                                          actor="t", today=now.date())
        for rule, severity in (("stale_veto", "veto"), ("registry_incomplete", "info")):
            await Finding.create(rule=rule, subject=f"account:{account.id}", severity=severity, account=account,
                                 first_seen=now, last_seen=now, evidence={},
                                 summary_zh="已连续15天未更新，超过两周未更新的单项否决标准；台账缺少负责人电话、认证主体")
    cfg = write_config(tmp_path, db, "http://sandbox", **{"notify.channel": "wecom_app", "notify.quiet_hours": "",
                                                          "notify.working_days_only": False})
    ns = NotifySettings.from_settings(load(cfg, environ={}))
    channel = _Recorder()
    real_bulk_create = Notification.bulk_create

    def dying_bulk_create(objects: list[Notification], *args: Any, **kwargs: Any) -> Any:
        async def write_first_then_die() -> None:
            await objects[0].save()
            raise _Crash  # the process dies after writing the first part

        return write_first_then_die()

    monkeypatch.setattr(Notification, "bulk_create", dying_bulk_create)
    with pytest.raises(_Crash):
        await run_cycle(now, ns, {"wecom_app": channel}, notify_storage())
    monkeypatch.setattr(Notification, "bulk_create", real_bulk_create)
    later = now + dt.timedelta(minutes=5)
    await run_cycle(later, ns, {"wecom_app": channel}, notify_storage())
    rows = await Notification.filter(recipient__contains="person").order_by("id")
    parts = {int(str(n.payload["part"])) for n in rows}
    assert rows and int(str(rows[0].payload["parts"])) >= 2, "the message should need several parts"
    assert parts == set(range(1, int(str(rows[0].payload["parts"])) + 1)), [n.payload["part"] for n in rows]
    told = {i for m in channel.sent for i in m.finding_ids}
    assert {f.id for f in await Finding.filter(rule="stale_veto")} <= told  # every veto reached the operator

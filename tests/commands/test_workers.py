"""Several `govmedia run --worker` processes on PostgreSQL: each account collected exactly once per
cycle, one leader for the singleton jobs, and a killed worker's accounts picked up by the others."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from test_concurrent_collect import _setup  # type: ignore[import-not-found]

from registry.db.lifecycle import database, is_sqlite
from registry.db.models import CollectionAttempt
from sandbox.faults import Fault
from sandbox.server import running_sandbox

ROOT = Path(__file__).resolve().parents[2]


def _worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "run", "--worker", "--once"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _attempts(db_url: str) -> list[CollectionAttempt]:
    async def load() -> list[CollectionAttempt]:
        async with database(db_url):
            return await CollectionAttempt.all()

    return asyncio.run(load())


def test_three_workers_collect_each_account_once(db_url: str, tmp_path: Path, sample_ledger: Path) -> None:
    if is_sqlite(db_url):
        pytest.skip("workers share accounts on PostgreSQL only")
    with running_sandbox(seed=7, faults=[Fault(kind="latency", seconds=0.05)]) as sb:
        _setup(tmp_path, db_url, sb.base_url, sb.county, sample_ledger)
        env = {**os.environ, "GOVMEDIA_CONFIG": str(tmp_path / "govmedia.toml")}
        procs = [_worker(env) for _ in range(3)]
        outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, out + err
    attempts = _attempts(db_url)
    per_account = Counter(a.account_id for a in attempts)  # type: ignore[attr-defined]
    assert len(per_account) == 36 and set(per_account.values()) == {1}
    assert len({a.worker for a in attempts}) >= 2
    # With --once a worker leaves (and frees the lock) when done, so a later one may lead after it;
    # never two at a time (see test_leadership_is_exclusive).
    assert any("检查 问题" in out for out, _ in outs)


def test_leadership_is_exclusive(db_url: str) -> None:
    if is_sqlite(db_url):
        pytest.skip("the advisory lock is PostgreSQL's")
    from registry.ops.leader import Leadership

    async def go() -> list[bool]:
        a, b = Leadership(db_url), Leadership(db_url)
        steps = [await a.try_acquire(), await b.try_acquire()]
        await a.release()  # the leader goes away (or dies: its connection closes)
        steps.append(await b.try_acquire())
        await b.release()
        return steps

    assert asyncio.run(go()) == [True, False, True]


def test_killed_workers_accounts_are_picked_up(db_url: str, tmp_path: Path, sample_ledger: Path) -> None:
    if is_sqlite(db_url):
        pytest.skip("workers share accounts on PostgreSQL only")
    with running_sandbox(seed=7, faults=[Fault(kind="latency", seconds=0.25)]) as sb:
        _setup(tmp_path, db_url, sb.base_url, sb.county, sample_ledger)
        cfg = tmp_path / "govmedia.toml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("lease_minutes = 15.0", "lease_minutes = 0.02"),
                       encoding="utf-8")
        env = {**os.environ, "GOVMEDIA_CONFIG": str(cfg)}
        # It dies (SIGKILL) as its 10th attempt starts, whatever the machine's speed: mid-pass, with leases
        # held and an attempt open (a fixed sleep before the kill missed the pass on a loaded machine).
        doomed = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "run", "--worker", "--once"],
                                  env={**env, "GOVMEDIA_KILL_AT": "collect.attempt:10"}, cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = doomed.communicate(timeout=240)
        assert doomed.returncode == -signal.SIGKILL, out + err
        time.sleep(1.5)  # its leases (1.2 s) expire
        rescuer = _worker(env)
        out, err = rescuer.communicate(timeout=240)
        assert rescuer.returncode == 0, out + err
    attempts = _attempts(db_url)
    finished = Counter(a.account_id for a in attempts if a.finished_at is not None)  # type: ignore[attr-defined]
    assert len(finished) == 36 and set(finished.values()) == {1}  # none lost, none twice
    assert any(a.finished_at is None for a in attempts)  # the killed worker was mid-attempt

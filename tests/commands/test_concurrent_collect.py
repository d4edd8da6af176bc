"""Two `govmedia collect` processes at once: leases keep them off each other's accounts; one token cache."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from registry.config.settings import write_default
from registry.db.lifecycle import database
from registry.db.models import CollectionAttempt, TokenCache
from registry.ledger.files import import_ledger
from sandbox.county import demo_secrets
from sandbox.faults import Fault
from sandbox.server import running_sandbox


def _setup(tmp: Path, db_url: str, base: str, county: object, ledger: Path) -> None:
    write_default(tmp / "govmedia.toml", database_url=db_url, overrides={
        "platforms.wechat.api_base": base, "platforms.weibo.api_base": base, "platforms.weibo.mobile_base": base,
        "platforms.weibo.min_interval": 0.0, "platforms.weibo.jitter": 0.0, "platforms.feed.base_url": base,
        "collect.backfill_days": 10, "collect.concurrency": 4})
    secrets = tmp / "secrets.toml"
    secrets.write_text(tomli_w.dumps({"credentials": demo_secrets(county)}), encoding="utf-8")  # type: ignore[arg-type]
    os.chmod(secrets, 0o600)

    async def load() -> None:
        async with database(db_url):
            await import_ledger(ledger, actor="t", today=__import__("datetime").date.today())

    asyncio.run(load())


def test_two_processes_never_collect_one_account_at_once(db_url: str, tmp_path: Path, sample_ledger: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Latency makes each account take a while, so the two passes really overlap.
    with running_sandbox(seed=7, faults=[Fault(kind="latency", seconds=0.02)]) as sb:
        _setup(tmp_path, db_url, sb.base_url, sb.county, sample_ledger)
        env = {**os.environ, "GOVMEDIA_CONFIG": str(tmp_path / "govmedia.toml")}
        cmd = [sys.executable, "-c", "from cli import main; main()", "collect"]
        procs = [subprocess.Popen(cmd, env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=240) for p in procs]
        for p, (out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, out + err
        stable_calls = sum(v for k, v in sb.sandbox.counters._counts.items() if k[0] == "stable-day")

    async def inspect() -> tuple[list[CollectionAttempt], int]:
        async with database(db_url):
            return await CollectionAttempt.all().order_by("account_id", "started_at"), await TokenCache.all().count()

    attempts, tokens = asyncio.run(inspect())
    by_account: dict[int, list[CollectionAttempt]] = {}
    for a in attempts:
        by_account.setdefault(a.account_id, []).append(a)  # type: ignore[attr-defined]
    assert len(by_account) == 36
    for runs in by_account.values():
        for first, second in itertools.pairwise(runs):
            assert first.finished_at is not None and first.finished_at <= second.started_at, "overlapping attempts"
    workers = {a.worker for a in attempts}
    assert len(workers) == 2  # both processes worked, at the same time:
    spans = {w: (min(a.started_at for a in attempts if a.worker == w),
                 max(a.finished_at or a.started_at for a in attempts if a.worker == w)) for w in workers}
    (s1, e1), (s2, e2) = spans.values()
    assert s1 < e2 and s2 < e1
    # One cached token per AppID, shared by both processes: few token requests per AppID.
    wechat_appids = sample_ledger.read_text(encoding="utf-8").count(",wechat_api,")
    assert tokens <= wechat_appids and stable_calls <= 2 * wechat_appids

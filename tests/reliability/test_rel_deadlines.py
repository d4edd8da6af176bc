"""Issue 25, item 4: a platform that trickles its answer (one byte every few seconds, never tripping the
per-read timeout) cannot stall a call, an account, a pass, `collect` or `run --once`.

Every server here is real (netkit: 127.0.0.1, an ephemeral port, a thread); deadlines are injected small,
and one test trickles at the attack's real pace (a byte every 5 s).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from netkit import announcing, serving, trickling
from relkit import settings_for, write_config, write_ledger

from bot import wecom_api
from cli import main
from collectors.errors import ErrorKind, PlatformError
from collectors.http import Bounds, Http
from collectors.lanes import Lane
from collectors.model import BEIJING
from collectors.run import Runner
from collectors.service import collect
from collectors.weibo_search import WeiboUserSearch
from registry.config.credentials import Secrets
from registry.db.models import CollectionAttempt
from registry.ledger.files import import_ledger
from registry.observations.store import Success, Target

FEEDS = ["gh_5f2c72296281", "gh_34f5b291c0b0", "5581726316"]  # the sample ledger's feed accounts
STALL = 30.0  # what "never ends" means here: far beyond every deadline the tests set


async def test_a_call_trickling_a_byte_every_5_s_fails_within_its_deadline() -> None:
    """The attack's real pace: a per-read timeout of 20 s is never reached; the total deadline is."""
    with serving(trickling(5.0)) as base:
        async with httpx.AsyncClient(timeout=20.0) as client:
            http = Http(client, bounds=Bounds(call_deadline=2.0))
            started = time.monotonic()
            with pytest.raises(PlatformError) as failed:
                await asyncio.wait_for(http.request("GET", base + "/feed.xml", where="feed", lane=Lane("feed")), STALL)
    took = time.monotonic() - started
    assert failed.value.kind is ErrorKind.NETWORK and failed.value.code == "deadline", failed.value
    assert "timed out" in failed.value.message
    assert took < 4.0, took  # one attempt: a deadline is not retried in the same pass


async def test_a_trickling_feed_fails_its_account_and_the_pass_ends(db: str, tmp_path: Path) -> None:
    with serving(trickling(0.2, "application/rss+xml")) as base:
        settings = settings_for(tmp_path, db, base, collect__call_deadline=0.5)
        await import_ledger(write_ledger(tmp_path / "ledger.csv", FEEDS), actor="t", today=dt.date(2026, 11, 26))
        async with httpx.AsyncClient(timeout=20.0) as client:
            summary = await asyncio.wait_for(collect(settings, Secrets(None, {}), client), STALL)
    assert summary.counts == {"failed": 3}, summary.outcomes
    attempts = await CollectionAttempt.all()
    assert {(a.error_kind, a.error_code) for a in attempts} == {("network", "deadline")}


async def test_the_m_weibo_cn_search_trickling_fails_within_its_deadline(tmp_path: Path) -> None:
    with serving(trickling(0.2)) as base:
        settings = settings_for(tmp_path, "sqlite://:memory:", base, collect__call_deadline=0.5,
                                platforms__weibo__min_interval=0.0, platforms__weibo__jitter=0.0)
        async with httpx.AsyncClient(timeout=20.0) as client:
            with pytest.raises(PlatformError) as failed:
                await asyncio.wait_for(WeiboUserSearch(settings, client).search("滹沱发布"), STALL)
    assert failed.value.code == "deadline"


class _Hangs:
    """A source whose every collection waits forever (a platform that never answers at all)."""

    method = "feed"

    def __init__(self) -> None:
        self.started = 0

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        self.started += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_pass_ends_at_its_deadline_and_leaves_the_rest_due(db: str, tmp_path: Path) -> None:
    from registry.observations import store as obs

    await import_ledger(write_ledger(tmp_path / "ledger.csv", FEEDS), actor="t", today=dt.date(2026, 11, 26))
    targets = await obs.targets()
    source = _Hangs()
    # The second account starts once the first one's failure is recorded, and must start before the pass
    # deadline: 0.8 s of margin (a loaded CI machine's database took more than 0.2 s for that write).
    runner = Runner({"feed": source}, lambda: dt.datetime.now(BEIJING), concurrency=1, account_deadline=1.2,
                    pass_deadline=2.0)
    started = time.monotonic()
    summary = await asyncio.wait_for(runner.run_pass(targets), STALL)
    assert time.monotonic() - started < 4.5
    statuses = sorted(o.status for o in summary.outcomes)
    # the first account is cut at 1.2 s, the second at the pass's end (2.0 s), the third never starts
    assert statuses == ["failed", "failed", "skipped"], summary.outcomes
    assert source.started == 2
    assert {o.error_kind for o in summary.outcomes if o.status == "failed"} == {"network"}
    skipped = next(o for o in summary.outcomes if o.status == "skipped")
    assert "deadline" in skipped.message


def _in_thread(args: list[str], timeout: float) -> Result | None:
    """`govmedia ARGS` in this process on a thread; None when it has not ended after ``timeout`` seconds."""
    box: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", CliRunner().invoke(main, args)), daemon=True)
    worker.start()
    worker.join(timeout)
    return box.get("r")


def test_collect_and_run_once_end_when_every_feed_trickles(tmp_path: Path) -> None:
    db = f"sqlite://{tmp_path}/g.db"
    with serving(trickling(0.2, "application/rss+xml")) as base:
        cfg = write_config(tmp_path, db, base, collect__call_deadline=0.5)
        ledger = write_ledger(tmp_path / "ledger.csv", FEEDS)
        imported = _in_thread(["--config", str(cfg), "accounts", "import", str(ledger)], STALL)
        assert imported is not None and imported.exit_code == 0, imported and imported.output
        for args in (["collect"], ["run", "--once"]):
            result = _in_thread(["--config", str(cfg), *args], STALL)
            assert result is not None, f"govmedia {' '.join(args)} did not end"
            assert "Traceback" not in result.output, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


async def test_a_trickling_or_huge_wecom_answer_fails_the_send_not_the_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notify side has the same bounds (bot/wecom_api.py): a retryable failed send, within the deadline."""
    monkeypatch.setattr(wecom_api, "CALL_DEADLINE_S", 0.5)
    async with httpx.AsyncClient(timeout=20.0) as client:
        with serving(trickling(0.2)) as base:
            slow = await asyncio.wait_for(wecom_api.call_json(client, "POST", base + "/cgi-bin/message/send", (),
                                                              "message/send", json={}), STALL)
        with serving(announcing(1024**3, b'{"errcode":0,"x":"')) as base:
            huge = await asyncio.wait_for(wecom_api.call_json(client, "GET", base + "/cgi-bin/gettoken", (), "gettoken"),
                                          STALL)
    assert not isinstance(slow, dict) and not slow.ok and slow.retryable and "within" in slow.error, slow
    assert not isinstance(huge, dict) and not huge.ok and "over" in huge.error, huge

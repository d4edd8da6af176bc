"""Issue 17, item 3: `collect` on a full disk (SQLite's own SQLITE_FULL) ends in a message and exit 3,
leaves no lease held past `lease_minutes`, and the next pass, with room again, completes."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_rel_broken_db import _with_pragma
from test_rel_crash import LEASE_MINUTES, UIDS, _db, _setup

from cli import main
from collectors.model import BEIJING
from registry.db.models import AccountState, CollectionAttempt
from sandbox.server import running_sandbox


def test_collect_on_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "g.db"
    db_url = f"sqlite://{live}"
    frozen = dt.datetime.now(BEIJING)
    with running_sandbox(seed=7, now=lambda: frozen) as sb:
        env = _setup(tmp_path, db_url, sb.base_url, sb.county, UIDS, collect__concurrency=3)
        monkeypatch.setenv("GOVMEDIA_CONFIG", env["GOVMEDIA_CONFIG"])
        monkeypatch.setenv("GOVMEDIA_DATABASE_URL", db_url)
        with sqlite3.connect(live) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
        with monkeypatch.context() as m:
            _with_pragma(m, "max_page_count", pages + 2)  # room for a few rows, not for the posts
            result = CliRunner().invoke(main, ["collect"])
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code == 3 and "磁盘已满" in result.output, result.output

        states = _db(db_url, lambda: AccountState.all())
        now = dt.datetime.now(dt.UTC)
        for s in states:  # a lease still held expires within lease_minutes, as designed
            if s.lease_owner:
                assert s.lease_until is not None and s.lease_until <= now + dt.timedelta(minutes=LEASE_MINUTES, seconds=5)
        time.sleep(LEASE_MINUTES * 60 + 0.3)
        rerun = CliRunner().invoke(main, ["collect"])
        assert rerun.exit_code == 0, rerun.output
        attempts = _db(db_url, lambda: CollectionAttempt.all().order_by("id"))
    last = {a.account_id: a for a in attempts}  # type: ignore[attr-defined]
    assert len(last) == len(UIDS) and all(a.finished_at is not None for a in last.values())

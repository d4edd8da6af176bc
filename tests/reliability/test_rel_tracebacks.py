"""Issue 25, item 13: the right exit code and one clear message, never a traceback beside it.

Both cases run govmedia as real processes: a thread's traceback is printed by the interpreter at exit,
after everything a test inside the process could capture.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 12  # about one run in three printed the thread traceback before the fix: 12 clean runs by chance ~1%


def test_a_database_file_that_cannot_be_created_never_prints_a_thread_traceback(tmp_path: Path) -> None:
    """/proc exists but no file can be made in it: SQLite cannot open the file, every time the same way.

    aiosqlite stopped its worker thread without waiting for it when connecting failed; the thread then
    reported to an event loop that `asyncio.run` had already closed, and died with a traceback.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "--db", "sqlite:///proc/govmedia-test.db", "accounts", "list"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(RUNS)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 3, (out, err)
        assert "Traceback" not in err and "Exception in thread" not in err, err
        assert err.strip().count("\n") == 0 and "/proc/govmedia-test.db" in err, err  # one line naming the file


#: Runs govmedia with one more PRAGMA on every SQLite connection (as `test_rel_broken_db._with_pragma` does
#: in-process): max_page_count caps the file, SQLite's own SQLITE_FULL, since the suite cannot mount a small disk.
FULL_DISK = """
import sys
from registry.db import lifecycle

real = lifecycle.tortoise_config

def full(url):
    config = real(url)
    for connection in config["connections"].values():
        if isinstance(connection, dict):
            connection["credentials"]["max_page_count"] = int(sys.argv[1])
    return config

lifecycle.tortoise_config = full
from cli import main
main(sys.argv[2:])
"""


def test_collect_on_a_full_disk_prints_one_message_not_tracebacks(tmp_path: Path) -> None:
    """Three accounts in flight when the disk fills: the others were left running, the database closed under
    them, and `asyncio.run` printed a traceback for each (10 with the default concurrency)."""
    import datetime as dt
    import sqlite3

    from test_rel_crash import UIDS, _setup

    from collectors.model import BEIJING
    from sandbox.server import running_sandbox

    live = tmp_path / "g.db"
    db_url = f"sqlite://{live}"
    frozen = dt.datetime.now(BEIJING)
    with running_sandbox(seed=7, now=lambda: frozen) as sb:
        env = _setup(tmp_path, db_url, sb.base_url, sb.county, UIDS, collect__concurrency=3)
        with sqlite3.connect(live) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
        proc = subprocess.run([sys.executable, "-c", FULL_DISK, str(pages + 2), "collect"], cwd=tmp_path,
                              env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "unhandled exception" not in proc.stderr, proc.stderr[-3000:]
    assert proc.stderr.count("磁盘已满") == 1, proc.stderr

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

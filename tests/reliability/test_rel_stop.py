"""Issue 17, item 12: SIGTERM during a cycle of `govmedia run` stops it quietly (no ERROR line, no
CancelledError traceback), exit 0."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path

from relkit import ROOT
from test_rel_crash import CLI, UIDS, _setup

from collectors.model import BEIJING
from sandbox.faults import Fault
from sandbox.server import running_sandbox


def test_sigterm_during_a_cycle_stops_quietly(tmp_path: Path) -> None:
    db_url = f"sqlite://{tmp_path / 'g.db'}"
    frozen = dt.datetime.now(BEIJING)
    with running_sandbox(seed=7, now=lambda: frozen) as sb:
        env = _setup(tmp_path, db_url, sb.base_url, sb.county, UIDS, collect__concurrency=2)
        sb.sandbox.faults.replace([Fault("latency", seconds=0.3)])  # the first cycle lasts long enough
        proc = subprocess.Popen([*CLI, "run"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            assert proc.stderr is not None
            first = proc.stderr.readline()  # "govmedia 已启动": the stop handlers are in place, the first cycle runs
            assert "已启动" in first, first + proc.communicate()[1]
            time.sleep(1.5)
            assert proc.poll() is None, proc.communicate()
            os.kill(proc.pid, signal.SIGTERM)
            _, rest = proc.communicate(timeout=60)
            err = first + rest
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "CancelledError" not in err and "ERROR" not in err, err
    assert "已停止" in err

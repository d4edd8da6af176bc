"""Things built once per test run and shared by every pytest-xdist worker (under a file lock)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

import pytest


def worker_id() -> str:
    """This xdist worker's id (``gw0``, ``gw1``…), or ``main`` when the suite runs in one process."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def run_dir(factory: pytest.TempPathFactory) -> Path:
    """The temp dir shared by this run's workers (the workers' base temps sit in it); one process: its own."""
    base = factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def once_per_run(factory: pytest.TempPathFactory, name: str, build: Callable[[], None]) -> None:
    """Run ``build`` in the first worker to get here; the others wait for it, then go on.

    A ``name.done`` marker in the run dir records success; if ``build`` raised, the next worker tries
    again (and fails the same way, so every test that needs it reports the error).
    """
    root = run_dir(factory)
    done = root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                build()
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

"""The shared demo run's shape and a way to copy it (the fixture itself is in conftest.py)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

#: The environment the tests run `govmedia demo` in: its weibo_public lane still paced and serial, but
#: 20-30 ms apart instead of the demo's 0.3-0.5 s (its ~150 m.weibo.cn calls made the demo a minute of
#: sleeping). Pacing itself is tested in tests/collectors/test_lanes.py (virtual time) and lane_worker.py
#: (real time, across processes); what the demo prints does not depend on it.
TEST_ENV = {"GOVMEDIA_PLATFORMS_WEIBO_MIN_INTERVAL": "0.02", "GOVMEDIA_PLATFORMS_WEIBO_JITTER": "0.01"}


@dataclass(frozen=True)
class DemoRun:
    """The demo's directory (never modified by tests) and what it printed."""

    path: Path
    output: str


def copy_demo(run: DemoRun, dest: Path) -> Path:
    """A private copy of the demo directory (database, config, secrets, reports)."""
    target = dest / "d"
    shutil.copytree(run.path, target)
    (target / "secrets.toml").chmod(0o600)
    return target

"""The shared demo run's shape and a way to copy it (the fixture itself is in conftest.py)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


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

"""registry.config.killpoint: the named crash points the crash tests kill processes at."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from registry.config import killpoint

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ("from registry.config.killpoint import killpoint\n"
          "for i in range(3):\n"
          "    print(i, flush=True)\n"
          "    killpoint('collect.stored')\n")


def test_unset_or_another_step_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(killpoint.ENV, raising=False)
    killpoint.killpoint("collect.stored")
    monkeypatch.setenv(killpoint.ENV, "notify.sent:1")
    killpoint.killpoint("collect.stored")  # still alive: not the named step


def test_the_nth_visit_of_the_named_step_dies_by_sigkill() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"GOVMEDIA_KILL_AT": "collect.stored:2", "PATH": "/usr/bin:/bin"})
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.split() == ["0", "1"]  # died on the second visit, before the third print


def test_every_step_is_reached_in_production_code() -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("collectors/*.py"), *ROOT.glob("bot/*.py")])
    for step in killpoint.STEPS:
        assert f'killpoint("{step}")' in sources, step

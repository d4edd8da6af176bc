"""One `govmedia demo` run per test run, shared by every command test (and every xdist worker) that needs it."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from cli import main
from tests.commands.demokit import TEST_ENV, DemoRun
from tests.runshare import once_per_run, run_dir


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """Run the demo once per run; tests that change the county work on a copy (`demokit.copy_demo`)."""
    root = run_dir(tmp_path_factory) / "demo"
    output = root / "output.txt"

    def build() -> None:
        root.mkdir(exist_ok=True)
        shutil.rmtree(root / "d", ignore_errors=True)  # a failed earlier attempt must not look like a rerun
        result = CliRunner(env=TEST_ENV).invoke(main, ["demo", "--dir", str(root / "d"), "--port", "0"],
                                                catch_exceptions=False)
        assert result.exit_code == 0, result.output
        output.write_text(result.output, encoding="utf-8")

    once_per_run(tmp_path_factory, "demo", build)
    return DemoRun(root / "d", output.read_text(encoding="utf-8"))

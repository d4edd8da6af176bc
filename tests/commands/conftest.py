"""One `govmedia demo` run per test session, shared by every command test that needs the demo county."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli import main
from tests.commands.demokit import DemoRun


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """Run the demo once; tests that change the county work on a copy (`demokit.copy_demo`)."""
    root = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--dir", str(root / "d"), "--port", "0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return DemoRun(root / "d", result.output)

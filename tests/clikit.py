"""`govmedia --db URL …` in this process through click's runner, for tests about the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from registry.config.i18n import set_lang

Invoke = Callable[..., str]


def invoker(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """A runner of govmedia on ``db_url`` from ``tmp_path`` without a config file; each call asserts its exit
    code (``code``, default 0) and that no traceback was printed, and returns the output."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0, lang: str = "zh") -> str:
        try:
            result = runner.invoke(main, ["--db", db_url, "--lang", lang, *args], catch_exceptions=False)
        finally:
            set_lang("zh")
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return run

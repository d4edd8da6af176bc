"""Issue 17, the test-wide rule: every command of `govmedia --help` (found recursively through click)
meets broken input (a file that is no database, an unreachable PostgreSQL, a missing config, an id
that does not exist) with a Chinese message and exit code 2 or 3, never a traceback, and never starts
a server or a loop on it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main

CHINESE = re.compile(r"[\u4e00-\u9fff]")
#: Commands that never open the database or the config (they make their own, or none): not swept.
OWN_WORLD = {("init",), ("demo",), ("sandbox", "serve"), ("rules", "list"), ("rules", "show")}
UNKNOWN_ID = "987654321"


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every runnable command under ``group`` with its path; a group with its own callback counts too."""
    for name, command in sorted(group.commands.items()):
        here = (*path, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                yield here, command
            yield from leaves(command, here)
        else:
            yield here, command


def arguments(command: click.Command, existing: Path) -> list[str]:
    """Values for the command's required parameters: an unknown id, a name, an existing file."""
    out: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            count = 1 if param.nargs in (1, -1) else param.nargs
            out += [_value(param.type, existing)] * count
        elif isinstance(param, click.Option) and param.required:
            out += [param.opts[0], _value(param.type, existing)]
    return out


def _value(kind: click.ParamType, existing: Path) -> str:
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, click.Path | click.File):
        return str(existing)
    if isinstance(kind, click.DateTime):
        return "2026-01-01"
    return UNKNOWN_ID


COMMANDS = [(p, c) for p, c in leaves(main) if p not in OWN_WORLD]


def invoke(args: list[str], seconds: float = 60) -> click.testing.Result:
    """Run govmedia in-process on a thread; fail the test if it has not answered within ``seconds``."""
    box: dict[str, click.testing.Result] = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", CliRunner().invoke(main, args)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert "r" in box, f"still running after {seconds}s: govmedia {' '.join(args)}"
    return box["r"]


def check(result: click.testing.Result, args: list[str], codes: tuple[int, ...] = (2, 3)) -> None:
    shown = f"govmedia {' '.join(args)} -> {result.exit_code}\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown + repr(result.exception)
    assert "Traceback" not in result.output, shown
    assert result.exit_code in codes, shown
    assert CHINESE.search(result.output), shown


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x13\x37 not a database " * 300)
    return {"junk": junk}


def test_the_sweep_finds_every_command() -> None:
    paths = {p for p, _ in COMMANDS}
    assert {("accounts", "import"), ("silence", "expire"), ("bot", "serve"), ("run",), ("restore",)} <= paths
    assert len(paths) > 30


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_on_broken_input(path: tuple[str, ...], broken: dict[str, Path], tmp_path: Path) -> None:
    command = dict(COMMANDS)[path]
    rest = arguments(command, broken["junk"])
    if path == ("restore",):
        rest.append("--yes")
    for lead in (["--db", f"sqlite://{broken['junk']}"], ["--db", "postgres://postgres@127.0.0.1:1/none"],
                 ["--config", str(tmp_path / "missing.toml")]):
        args = [*lead, *path, *rest]
        check(invoke(args), args)


ID_COMMANDS = [p for p, c in COMMANDS
               if any(isinstance(x, click.Argument) and (x.name == "ref" or str(x.name).endswith("_id")) for x in c.params)]


@pytest.mark.parametrize("path", ID_COMMANDS, ids=" ".join)
def test_every_command_on_an_unknown_id(path: tuple[str, ...], migrated_db_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a migrated database (`migrated_db_url`: the schema is not what this sweep is about)."""
    db_url = migrated_db_url
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    assert CliRunner().invoke(main, ["--db", db_url, "accounts", "list"]).exit_code == 0
    command = dict(COMMANDS)[path]
    junk = tmp_path / "junk.csv"
    junk.write_text("x\n")
    for unknown in (UNKNOWN_ID, "99999999999", str(2**63), "0"):
        rest = [unknown if a == UNKNOWN_ID else a for a in arguments(command, junk)]
        extra = {("accounts", "set"): ["--name", "x"], ("review", "decide"): []}.get(path, [])
        args = ["--db", db_url, *path, *rest, *extra]
        result = invoke(args)
        check(result, args)

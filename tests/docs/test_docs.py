"""The docs cover the CLI (as sqlite-utils does): every command has help and is named in README or docs/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from cli import main

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))


COMMANDS = sorted(_commands(main), key=lambda item: item[0])
DOC_LINES = [
    line
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for line in doc.read_text(encoding="utf-8").splitlines()
]


def _documented(path: tuple[str, ...]) -> bool:
    """A command is documented when one line names its group after `govmedia` and the command as a word.

    README writes sibling subcommands on one line (``govmedia silence add … ; silence list | expire ID``),
    so the subcommand only has to appear as a word on a line that names ``govmedia <group>``.
    """
    head = "govmedia " + " ".join(path[:-1]) if len(path) > 1 else "govmedia " + path[0]
    word = re.compile(rf"(?<![\w-]){re.escape(path[-1])}(?![\w-])")
    return any(head in line and word.search(line.split(head, 1)[1] if len(path) > 1 else line)
               for line in DOC_LINES)


def test_commands_found() -> None:
    names = {p for p, _ in COMMANDS}
    assert ("accounts", "import") in names and ("report", "monthly") in names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_command_has_help(path: tuple[str, ...]) -> None:
    cmd = dict(COMMANDS)[path]
    text = (cmd.help or cmd.short_help or "").strip()
    assert text, f"`govmedia {' '.join(path)}` has no help text"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_command_in_docs(path: tuple[str, ...]) -> None:
    assert _documented(path), f"`govmedia {' '.join(path)}` appears in neither README.md nor docs/*.md"


def test_docs_name_no_missing_command() -> None:
    """Every `govmedia X` a doc names is a real command (a renamed command leaves no stale docs)."""
    tops = {p[0] for p, _ in COMMANDS}
    # Commands as docs write them: in backticks, or on a line of a code block.
    named: set[str] = set()
    in_code = False
    for line in DOC_LINES:
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        pattern = r"(?:^\s*|\$ |&& |; )govmedia ([a-z][a-z-]+)" if in_code else r"`govmedia ([a-z][a-z-]+)"
        named |= {m.group(1) for m in re.finditer(pattern, line)}
    assert named <= tops, sorted(named - tops)

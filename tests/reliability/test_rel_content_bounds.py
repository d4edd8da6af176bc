"""Issue 25, item 6: `content check` reads a bounded input: a file or stdin past MAX_DRAFT_BYTES is refused
without reading on (/dev/zero), a docx is held to the ledger's zip-bomb bounds before python-docx inflates
it, and hit handling is linear in the number of hits (40,000 outdated names took 111 s).
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from rules.content import extract, scanner
from rules.content.lexicon import LexEntry, shipped_entries

ROOT = Path(__file__).resolve().parents[2]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))


def test_dev_zero_is_refused_quickly(tmp_path: Path) -> None:
    """The real command in a process of its own, held to 1.5 GB (it once reached 8.9 GB in 30 s)."""
    try:
        done = subprocess.run([sys.executable, "-m", "cli", "--db", f"sqlite://{tmp_path}/g.db", "content", "check",
                               "/dev/zero"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                              preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail("content check /dev/zero did not end")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "过大" in done.stderr, done.stderr[-2000:]


def _docx(body_xml: str | None = None, *, text_bytes: int = 0) -> bytes:
    """A real docx (python-docx) whose document part is replaced: many paragraphs, or one huge text node."""
    import docx

    plain = io.BytesIO()
    docx.Document().save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open(info.filename, "w") as part:
                head = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                        'wordprocessingml/2006/main"><w:body>')
                part.write(head.encode())
                if body_xml is not None:
                    part.write(body_xml.encode())
                if text_bytes:
                    part.write(b"<w:p><w:r><w:t>")
                    for _ in range(text_bytes // 65536):
                        part.write(b"0" * 65536)
                    part.write(b"</w:t></w:r></w:p>")
                part.write(b"</w:body></w:document>")
    return out.getvalue()


def _check(tmp_path: Path, name: str, data: bytes) -> Any:
    path = tmp_path / name
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path}/g.db", "content", "check", str(path)])
    assert "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))
    return result


def test_a_docx_inflating_past_the_bounds_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paragraphs = "<w:p><w:r><w:t>环境保护部</w:t></w:r></w:p>" * 10_000  # ~450 KB of XML, a few KB zipped
    bomb = _docx(paragraphs)
    assert len(bomb) < 50_000
    monkeypatch.setattr(extract, "MAX_DOCX_XML", 256 * 1024)  # the bound, made small
    refused = _check(tmp_path, "bomb.docx", bomb)
    assert refused.exit_code == 2 and "压缩炸弹" in refused.output, refused.output
    monkeypatch.undo()  # the same file within the real bounds is read and checked
    assert _check(tmp_path, "bomb.docx", bomb).exit_code == 1


def test_a_docx_with_one_huge_text_node_is_refused(tmp_path: Path) -> None:
    result = _check(tmp_path, "node.docx", _docx(text_bytes=4 * 1024 * 1024))  # the real MAX_TEXT_BYTES: 1 MB
    assert result.exit_code == 2 and "过大" in result.output, result.output


def test_stdin_past_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_DRAFT_BYTES", 1000)
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path}/g.db", "content", "check", "-"],
                                input="环境保护部。" * 200)
    assert result.exit_code == 2 and "过大" in result.output, result.output


class _Counted(LexEntry):
    """A lexicon entry counting how often hit handling reads its kind (comparisons, not time)."""

    reads = 0

    def __getattribute__(self, name: str) -> Any:
        if name == "kind":
            type(self).reads += 1
        return super().__getattribute__(name)


def test_hit_handling_is_linear_in_the_hits() -> None:
    entry = next(e for e in shipped_entries() if e.kind == "name" and "环境保护部" in e.terms)
    counted = _Counted(**{f: getattr(entry, f) for f in LexEntry.__dataclass_fields__})
    n = 4000
    found = [(i * 6, i * 6 + 5, counted) for i in range(n)]
    found += [(i * 6, i * 6 + 3, counted) for i in range(0, n, 2)]  # inside longer matches: dropped
    found += [(i * 6, i * 6 + 5, counted) for i in range(0, n, 4)]  # the same span again: kept
    _Counted.reads = 0
    kept = scanner._longest(found)
    assert len(kept) == n + n // 4
    assert _Counted.reads <= 2 * len(found), _Counted.reads  # quadratic was ~n²/2 = 8,000,000

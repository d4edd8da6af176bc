"""Open the HTML review in headless Chromium: it must render (screenshot), keep its DOM and print to PDF.

Needs Debian's `chromium` (and, for Chinese glyphs in the screenshot, `fonts-noto-cjk`); skipped only
where no chromium binary is installed.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from reports.monthly_model import MonthlyReport
from reports.render_html import SECTION_TITLES, render_html

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium / chromium-browser binary on PATH (apt-get install chromium fonts-noto-cjk)")


def _run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [binary, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
           "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_chromium_renders_the_review(partial_report: MonthlyReport, tmp_path: Path) -> None:
    binary = _chromium()
    page = tmp_path / "review.html"
    page.write_text(render_html(partial_report), encoding="utf-8")
    url = page.as_uri()

    shot = tmp_path / "review.png"
    result = _run(binary, tmp_path / "p1", f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", url)
    assert shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (WIDTH, HEIGHT)
    # A blank or error page compresses to a few KB; tables, text and colour make it far larger.
    assert len(data) > 50_000

    dom = _run(binary, tmp_path / "p2", "--dump-dom", url).stdout
    for title in SECTION_TITLES:
        assert title in dom
    assert "截至2025年3月18日" in dom
    assert "城关&lt;发布&gt;" in dom and "<svg" in dom

    pdf = tmp_path / "review.pdf"
    _run(binary, tmp_path / "p3", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    assert pdf.read_bytes()[:5] == b"%PDF-"

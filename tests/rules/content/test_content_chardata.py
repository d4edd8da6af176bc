"""Character data built from the installed packages, cached on disk, and still usable without a cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.content import chardata as cd


def test_built_once_then_read_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVMEDIA_CACHE_DIR", str(tmp_path))
    calls = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"安装": 2382}

    assert cd.cached("probe", build) == {"安装": 2382}
    assert cd.cached("probe", build) == {"安装": 2382} and calls == [1]
    assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["probe"]


def test_an_unwritable_cache_only_costs_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("GOVMEDIA_CACHE_DIR", str(blocked / "sub"))
    assert cd.cached("probe", lambda: [1, 2]) == [1, 2]


def test_the_real_data_knows_sounds_shapes_and_words() -> None:
    data = cd.chardata()
    assert data.sound("合") == data.sound("和") != data.sound("共")          # homophones share a sound code
    assert data.similar("宝", "室") and data.similar("己", "已")           # four-corner neighbours
    assert data.words["安装"] > 1000 and "按装" not in data.words
    assert "安装" in data.by_sound[data.sound("按装")]                      # the homophone index

"""`govmedia backup` and `restore`: a round trip on SQLite; PostgreSQL gets the pg_dump line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main


def test_backup_restore_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_ledger: Path) -> None:
    monkeypatch.chdir(tmp_path)
    db = "sqlite://" + str(tmp_path / "g.db")

    def gm(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    gm("accounts", "import", str(sample_ledger))
    before = json.loads(gm("accounts", "list", "--format", "json"))
    gm("backup", "--out", str(tmp_path / "b.db"))
    gm("accounts", "retire", "weibo:5158275984", "--reason", "测试")
    gm("accounts", "set", "wechat:gh_d29d035cc6d5", "--name", "改名")
    assert json.loads(gm("accounts", "list", "--format", "json")) != before
    gm("restore", str(tmp_path / "b.db"), "--yes")
    assert json.loads(gm("accounts", "list", "--format", "json")) == before
    assert (tmp_path / "g.db.before-restore").exists()
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    gm("restore", str(tmp_path / "junk.db"), "--yes", code=2)
    assert json.loads(gm("accounts", "list", "--format", "json")) == before


def test_postgres_backup_explains_pg_dump(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", "postgres://u:pw@db.example:5433/gov", "backup", "--out", "x.dump"])
    assert result.exit_code == 3
    assert "pg_dump --format=custom" in result.output and "pw" not in result.output

"""Issue 25, item 1: `backup` never touches the target until the new copy is written and checked.

A page-damaged live database used to overwrite the good nightly backup with its damaged copy and only
then fail (exit 3), so `restore nightly.db` refused the one good copy there was. govmedia runs as a real
process here: the target file must be byte for byte what it was.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def govmedia(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run govmedia in a process of its own on the SQLite file ``db``."""
    return subprocess.run([sys.executable, "-m", "cli", "--db", f"sqlite://{db}", *args], cwd=db.parent,
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def damage_pages(live: Path, clean: Path) -> None:
    """Write into ``live`` a copy of ``clean`` whose pages after the first two are overwritten in part."""
    data = bytearray(clean.read_bytes())
    for page in range(2, len(data) // 4096):
        data[page * 4096 + 100: page * 4096 + 164] = os.urandom(64)
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    live.write_bytes(bytes(data))


def test_a_damaged_database_never_overwrites_a_good_backup(tmp_path: Path, sample_ledger: Path) -> None:
    live, nightly = tmp_path / "g.db", tmp_path / "nightly.db"
    assert govmedia(live, "accounts", "import", str(sample_ledger)).returncode == 0
    made = govmedia(live, "backup", "--out", str(nightly))
    assert made.returncode == 0, made.stderr
    good = nightly.read_bytes()
    damage_pages(live, nightly)

    failed = govmedia(live, "backup", "--out", str(nightly))
    assert nightly.read_bytes() == good  # the good backup is untouched
    assert failed.returncode == 3, (failed.stdout, failed.stderr)
    assert "Traceback" not in failed.stderr and "未改动" in failed.stderr, failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("nightly")) == ["nightly.db"]  # no leftovers

    # and it still restores
    restored = govmedia(live, "restore", str(nightly), "--yes")
    assert restored.returncode == 0, restored.stderr
    listed = govmedia(live, "accounts", "list", "--format", "json")
    assert listed.returncode == 0 and listed.stdout.count('"uid"') >= 3, listed.stdout[:400]


def test_a_good_backup_replaces_the_old_one(tmp_path: Path, sample_ledger: Path) -> None:
    live, nightly = tmp_path / "g.db", tmp_path / "nightly.db"
    assert govmedia(live, "accounts", "list").returncode == 0
    assert govmedia(live, "backup", "--out", str(nightly)).returncode == 0
    empty = nightly.read_bytes()
    assert govmedia(live, "accounts", "import", str(sample_ledger)).returncode == 0
    again = govmedia(live, "backup", "--out", str(nightly))
    assert again.returncode == 0, again.stderr
    assert nightly.read_bytes() != empty
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("nightly")) == ["nightly.db"]


def garble_schema(live: Path) -> None:
    """Damage ``live``'s schema so that SQLite's own error message quotes bytes that are not UTF-8.

    The CI run of 2026-12-07 hit this through random page damage: Python's sqlite3 then raises
    UnicodeDecodeError instead of its own error, and govmedia printed "internal error".
    """
    with sqlite3.connect(live) as conn:
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("UPDATE sqlite_master SET sql = CAST(x'435245415445205441424c452066696e64696e67202827ff82e629' AS TEXT)"
                     " WHERE name = 'finding'")
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.close()


def test_a_schema_with_undecodable_bytes_is_called_damaged(tmp_path: Path, sample_ledger: Path) -> None:
    live, nightly = tmp_path / "g.db", tmp_path / "nightly.db"
    assert govmedia(live, "accounts", "import", str(sample_ledger)).returncode == 0
    assert govmedia(live, "backup", "--out", str(nightly)).returncode == 0
    good = nightly.read_bytes()
    garble_schema(live)

    failed = govmedia(live, "backup", "--out", str(nightly))
    assert nightly.read_bytes() == good
    assert failed.returncode == 3 and "未改动" in failed.stderr and "内部错误" not in failed.stderr, failed.stderr
    listed = govmedia(live, "accounts", "list")
    assert listed.returncode == 3 and "已损坏" in listed.stderr and "restore" in listed.stderr, listed.stderr
    assert govmedia(live, "restore", str(nightly), "--yes").returncode == 0
    assert govmedia(live, "accounts", "list", "--format", "json").stdout.count('"uid"') >= 3

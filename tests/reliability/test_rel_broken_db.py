"""Issue 17, items 1-3, 10, 11: broken databases, ids that do not exist, unwritable files, other URLs.

Each answer is a plain Chinese message with exit code 2 (bad input) or 3 (could not do the job), within
seconds, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

ROOT = Path(__file__).resolve().parents[2]


def gm(db: str, *args: str, code: int | None = 0) -> str:
    """Run govmedia in-process; assert the exit code and that no traceback escaped."""
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if code is not None:
        assert result.exit_code == code, result.output
    return result.output


@pytest.mark.parametrize("content", [os.urandom(4096), b"SQLite format 3\x00" + b"\x00" * 80, b"x" * 100])
def test_a_file_that_is_no_database_fails_fast_in_a_subprocess(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "x.db"
    bad.write_bytes(content)
    for args in (["accounts", "list"], ["doctor"], ["run", "--once"]):
        proc = subprocess.run([sys.executable, "-m", "cli", "--db", f"sqlite://{bad}", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=30,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 3, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert str(bad) in proc.stderr and "备份" in proc.stderr


def test_a_path_that_cannot_be_created_or_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    out = gm(f"sqlite://{tmp_path}/file/sub/g.db", "accounts", "list", code=3)
    assert "错误" in out
    out = gm(f"sqlite://{tmp_path}", "accounts", "list", code=3)
    assert "文件夹" in out


def test_restore_replaces_a_damaged_live_database_keeping_it_aside(tmp_path: Path, sample_ledger: Path) -> None:
    live = tmp_path / "g.db"
    db = f"sqlite://{live}"
    gm(db, "accounts", "import", str(sample_ledger))
    gm(db, "backup", "--out", str(tmp_path / "b.db"))
    damaged = live.read_bytes()[:4096] + os.urandom(8192)
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    live.write_bytes(damaged)
    out = gm(db, "restore", str(tmp_path / "b.db"), "--yes")
    assert "损坏" in out
    assert (tmp_path / "g.db.damaged").read_bytes() == damaged
    assert "weibo:5158275984" in gm(db, "accounts", "list") or gm(db, "accounts", "list").count("\n") > 3


def test_backup_refuses_the_live_file_and_an_unwritable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = f"sqlite://{tmp_path / 'govmedia.db'}"
    gm(db, "accounts", "list")
    before = (tmp_path / "govmedia.db").read_bytes()
    assert "正在使用的数据库" in gm(db, "backup", "--out", "govmedia.db", code=3)
    assert (tmp_path / "govmedia.db").read_bytes() == before
    (tmp_path / "file").write_text("x")
    assert "无法写入备份文件" in gm(db, "backup", "--out", str(tmp_path / "file" / "b.db"), code=3)


def test_a_read_only_database_is_a_message_not_a_traceback(tmp_path: Path, sample_ledger: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through file permissions")
    live = tmp_path / "g.db"
    db = f"sqlite://{live}"
    gm(db, "accounts", "list")
    live.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        out = gm(db, "accounts", "import", str(sample_ledger), code=3)
        assert "错误" in out
    finally:
        tmp_path.chmod(0o755)
        live.chmod(0o644)


def test_a_page_corrupted_database_is_a_message_not_a_traceback(tmp_path: Path, sample_ledger: Path) -> None:
    live = tmp_path / "g.db"
    db = f"sqlite://{live}"
    gm(db, "accounts", "import", str(sample_ledger))
    gm(db, "backup", "--out", str(tmp_path / "clean.db"))
    data = bytearray((tmp_path / "clean.db").read_bytes())
    for page in range(2, len(data) // 4096):
        data[page * 4096: page * 4096 + 64] = os.urandom(64)
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    live.write_bytes(bytes(data))
    out = gm(db, "accounts", "list", code=3)
    assert "错误" in out


def test_ids_that_do_not_exist(db_url: str) -> None:
    gm(db_url, "accounts", "list")
    for args in (["silence", "expire", "999"], ["silence", "approve", "999"], ["contacts", "confirm", "99999999999"],
                 ["contacts", "confirm", str(2**63)], ["silence", "expire", str(2**40)]):
        out = gm(db_url, *args, code=2)
        assert "错误" in out, (args, out)


def test_other_database_urls(tmp_path: Path) -> None:
    assert "只支持" in gm("mysql://root@127.0.0.1/gov", "accounts", "list", code=2)
    assert "无法打开数据库" in gm("postgres://postgres@127.0.0.1:1/none", "accounts", "list", code=3)


def test_an_unreadable_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secrets.toml").mkdir()
    (tmp_path / "govmedia.toml").write_text(f'[database]\nurl = "sqlite://{tmp_path}/g.db"\n[secrets]\nfile = "secrets.toml"\n')
    result = CliRunner().invoke(main, ["collect"])
    assert result.exit_code in (2, 3), result.output
    assert "Traceback" not in result.output and "密钥文件" in result.output
    result = CliRunner().invoke(main, ["doctor"])  # doctor lists it among its findings
    assert "Traceback" not in result.output and "密钥文件" in result.output


def _with_pragma(monkeypatch: pytest.MonkeyPatch, pragma: str, value: object) -> None:
    """Every SQLite connection of the commands run in this test gets one more PRAGMA (a fault to inject)."""
    from registry.db import lifecycle

    real = lifecycle.tortoise_config

    def faulty(url: str) -> dict[str, object]:
        config = real(url)
        for connection in config["connections"].values():
            if isinstance(connection, dict):
                connection["credentials"][pragma] = value
        return config

    monkeypatch.setattr(lifecycle, "tortoise_config", faulty)


@pytest.mark.parametrize("pragma,value,said", [("query_only", 1, "只读"), ("max_page_count", 40, "磁盘已满")])
def test_write_faults_are_a_message_and_write_nothing(tmp_path: Path, sample_ledger: Path,
                                                       monkeypatch: pytest.MonkeyPatch, pragma: str, value: object,
                                                       said: str) -> None:
    """A read-only database and a full disk (SQLite's own SQLITE_FULL, via max_page_count)."""
    db = f"sqlite://{tmp_path / 'g.db'}"
    gm(db, "accounts", "list")
    before = gm(db, "accounts", "list", "--format", "json")
    with monkeypatch.context() as m:
        _with_pragma(m, pragma, value)
        out = gm(db, "accounts", "import", str(sample_ledger), code=3)
        assert said in out
    assert gm(db, "accounts", "list", "--format", "json") == before  # nothing half-written


def test_writers_wait_with_progress_while_another_process_holds_the_write_lock(
        tmp_path: Path, sample_ledger: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Item 6: a long writer (a 50,000-row import) no longer makes `check` or an edit fail with "database is
    locked": they wait past busy_timeout (shortened here to 0.2 s), saying so, and then do their work."""
    import logging
    import sqlite3
    import threading
    import time

    live = tmp_path / "g.db"
    db = f"sqlite://{live}"
    gm(db, "accounts", "import", str(sample_ledger))
    _with_pragma(monkeypatch, "busy_timeout", 200)
    holding, waiting = threading.Event(), threading.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "等待写锁" in record.getMessage():
                waiting.set()

    def hold() -> None:
        conn = sqlite3.connect(live, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        # Released only once the command has said it waits, and well past the busy timeout (0.2 s): a
        # slow start under load can then not let the command slip in after the lock was already gone.
        waiting.wait(timeout=60)
        time.sleep(1.0)
        conn.execute("ROLLBACK")
        conn.close()

    watch = Watch(level=logging.WARNING)
    logging.getLogger("govmedia.db").addHandler(watch)
    try:
        for args in (["check"], ["units", "add", "新单位"], ["accounts", "set", "weibo:5158275984", "--name", "改名"]):
            holder = threading.Thread(target=hold)
            holder.start()
            holding.wait()
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="govmedia.db"):
                started = time.monotonic()
                gm(db, *args)
            holder.join()
            assert waiting.is_set(), args  # it said it waits for the lock
            assert time.monotonic() - started >= 1.0, args  # and really waited until it was released
            holding.clear()
            waiting.clear()
    finally:
        logging.getLogger("govmedia.db").removeHandler(watch)

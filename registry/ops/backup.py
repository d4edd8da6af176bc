"""Backups: SQLite's online backup API (safe while `govmedia run` writes; includes the WAL), and for
PostgreSQL the documented pg_dump / pg_restore lines."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing, suppress
from pathlib import Path
from urllib.parse import urlsplit

from registry.config.i18n import tr
from registry.db.lifecycle import DatabaseError, check_sqlite_file, describe_url, is_sqlite, normalise_url

REQUIRED_TABLES = {"account", "unit", "audit_event", "tortoise_migrations"}


class BackupError(Exception):
    """The backup or restore could not be done."""


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL."""
    return Path(normalise_url(url).removeprefix("sqlite://"))


def backup(url: str, out: Path) -> Path:
    """Copy the live SQLite database to ``out`` consistently (the online backup API)."""
    if not is_sqlite(url):
        raise BackupError(pg_dump_hint(url, out))
    src = sqlite_path(url)
    if not src.exists():
        raise BackupError(tr(f"数据库文件不存在：{src}", f"database file not found: {src}"))
    try:
        check_sqlite_file(src)
    except DatabaseError as exc:
        raise BackupError(tr(exc.zh, exc.en)) from None
    if out.exists() and out.resolve() == src.resolve():
        raise BackupError(tr(f"备份文件不能是正在使用的数据库本身：{out}，请换一个文件名",
                             f"the backup cannot be the live database itself: {out}; choose another name"))
    _write_checked(src, out)
    return out


def _write_checked(src: Path, out: Path) -> None:
    """Copy ``src`` to a temporary file beside ``out``, check it, and only then move it over ``out``.

    A damaged live database used to overwrite the good backup before its check failed; now ``out`` is
    replaced in one rename (atomic on one file system) or not at all.
    """
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp.unlink(missing_ok=True)
            with closing(sqlite3.connect(src)) as source, closing(sqlite3.connect(tmp)) as target:
                source.backup(target)
            with tmp.open("rb") as handle:  # on disk before the rename makes it the backup
                os.fsync(handle.fileno())
        except UnicodeDecodeError:  # SQLite's message quoted damaged bytes: the live file is damaged
            raise BackupError(tr(f"数据库 {src} 已损坏（数据库结构不可读），未写入备份",
                                 f"the database {src} is damaged (its schema cannot be read); no backup was written")) from None
        except (OSError, sqlite3.Error) as exc:
            raise BackupError(tr(f"无法写入备份文件 {out}（{exc}）：请检查文件夹是否存在、可写、磁盘是否有空间",
                                 f"cannot write the backup {out} ({exc}): check the folder, its permissions and free space")) from None
        try:
            check(tmp)
        except BackupError as exc:
            kept = tr(f"；{out} 未改动", f"; {out} was left untouched") if out.exists() else ""
            why = str(exc).replace(str(tmp), tr("副本", "the copy"))
            raise BackupError(tr(f"数据库 {src} 的副本未通过检查，未写入备份{kept}：{why}",
                                 f"the copy of {src} failed its check and was not written{kept}: {why}")) from None
        try:
            os.replace(tmp, out)
        except OSError as exc:
            raise BackupError(tr(f"无法写入备份文件 {out}（{exc}）", f"cannot write the backup {out} ({exc})")) from None
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with suppress(OSError):  # nothing was made where nothing could be
                Path(str(tmp) + suffix).unlink(missing_ok=True)


def check(path: Path) -> None:
    """Refuse a file that is not a govmedia SQLite database."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
        if head != b"SQLite format 3\x00":
            raise sqlite3.DatabaseError("file is not a database")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            # A damaged page can put bytes that are not UTF-8 into the schema table itself; read them
            # leniently so the integrity check, not a decoding error, says what is wrong.
            conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(tr(f"{path} 不是可用的 SQLite 数据库（{exc}）", f"{path} is not a SQLite database: {exc}")) from None
    except UnicodeDecodeError:  # SQLite's own message quoted damaged bytes that Python cannot decode
        raise BackupError(tr(f"{path} 已损坏（数据库结构不可读）", f"{path} is damaged (its schema cannot be read)")) from None
    if ok != "ok":
        raise BackupError(tr(f"{path} 未通过完整性检查：{ok}", f"{path} failed the integrity check: {ok}"))
    if not tables >= REQUIRED_TABLES:
        missing = sorted(REQUIRED_TABLES - tables)
        raise BackupError(tr(f"{path} 不是 govmedia 数据库（缺少 {missing}）", f"{path} is not a govmedia database (missing {missing})"))


def restore(url: str, source: Path) -> tuple[Path, str]:
    """Replace the SQLite database with a backup (checked first); the old file is kept aside. Returns the
    target and a note on where the old file went (a damaged file is kept as it is, byte for byte)."""
    if not is_sqlite(url):
        raise BackupError(pg_restore_hint(url, source))
    check(source)
    target = sqlite_path(url)
    note = ""
    try:
        if target.exists():
            kept = target.with_name(target.name + ".before-restore")
            try:
                check(target)
                backup(url, kept)
            except BackupError:  # the live file is damaged: that is exactly when a restore is needed
                kept = target.with_name(target.name + ".damaged")
                for suffix in ("", "-wal", "-shm"):
                    part = Path(str(target) + suffix)
                    if part.exists():
                        shutil.move(part, Path(str(kept) + suffix))
                note = tr(f"原数据库已损坏，原样保存为 {kept}", f"the damaged database was kept as it is in {kept}")
            else:
                note = tr(f"原数据库已保存为 {kept}", f"the previous database was kept as {kept}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(tr(f"无法恢复到 {target}（{exc}）", f"cannot restore to {target} ({exc})")) from None
    return target, note


def pg_dump_hint(url: str, out: Path) -> str:
    """How to back up a PostgreSQL database."""
    parts = urlsplit(normalise_url(url))
    return (f"PostgreSQL ({describe_url(url)}): back it up with\n  pg_dump --format=custom --no-owner "
            f"--host {parts.hostname or 'localhost'} --port {parts.port or 5432} --username {parts.username or 'postgres'} "
            f"--file {out} {parts.path.lstrip('/')}")


def pg_restore_hint(url: str, source: Path) -> str:
    """How to restore a PostgreSQL database."""
    parts = urlsplit(normalise_url(url))
    return (f"PostgreSQL ({describe_url(url)}): restore with\n  pg_restore --clean --if-exists --no-owner "
            f"--host {parts.hostname or 'localhost'} --port {parts.port or 5432} --username {parts.username or 'postgres'} "
            f"--dbname {parts.path.lstrip('/')} {source}")

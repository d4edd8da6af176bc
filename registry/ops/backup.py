"""Backups: SQLite's online backup API (safe while `govmedia run` writes; includes the WAL), and for
PostgreSQL the documented pg_dump / pg_restore lines."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

from registry.db.lifecycle import describe_url, is_sqlite, normalise_url

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
        raise BackupError(f"database file not found: {src}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(src)) as source, closing(sqlite3.connect(out)) as target:
        source.backup(target)
    check(out)
    return out


def check(path: Path) -> None:
    """Refuse a file that is not a govmedia SQLite database."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from None
    if not tables >= REQUIRED_TABLES:
        raise BackupError(f"{path} is not a govmedia database (missing {sorted(REQUIRED_TABLES - tables)})")
    if ok != "ok":
        raise BackupError(f"{path} failed the integrity check: {ok}")


def restore(url: str, source: Path) -> Path:
    """Replace the SQLite database with a backup (checked first); the old file is kept as .before-restore."""
    if not is_sqlite(url):
        raise BackupError(pg_restore_hint(url, source))
    check(source)
    target = sqlite_path(url)
    if target.exists():
        backup(url, target.with_name(target.name + ".before-restore"))
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


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

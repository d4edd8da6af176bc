"""Database lifecycle: the tortoise config for a URL, schema migrations, and one `database()` scope.

tortoise 1.x keeps its state in a context bound to the running task, so each CLI command runs one
``asyncio.run`` in which it enters ``database(url)`` once, does its work and leaves; leaving always
closes the connections (a leaked aiosqlite thread would keep the process alive).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise

APP = "govmedia"
TIMEZONE = "Asia/Shanghai"


SQLITE_HEADER = b"SQLite format 3\x00"
SCHEMES = ("sqlite", "postgres")


class DatabaseError(Exception):
    """The database could not be opened, upgraded or written (a message in Chinese and English)."""

    def __init__(self, zh: str, en: str | None = None, *, bad_input: bool = False) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en or zh
        self.bad_input = bad_input  # the URL itself is wrong (exit 2), not the database (exit 3)


def check_url(url: str) -> None:
    """Refuse a database URL govmedia cannot use: an unknown scheme, or a SQLite file that is no database."""
    url = normalise_url(url)
    scheme = url.split("://", 1)[0]
    if scheme not in SCHEMES:
        raise DatabaseError(
            f"不支持的数据库地址 {describe_url(url)}：只支持 sqlite:// 和 postgres://",
            f"unsupported database URL {describe_url(url)}: only sqlite:// and postgres:// are supported",
            bad_input=True,
        )
    if scheme == "sqlite" and url != "sqlite://:memory:":
        check_sqlite_file(Path(url.removeprefix("sqlite://")))


def check_sqlite_file(path: Path) -> None:
    """Refuse a SQLite path that cannot be created, read, or that holds something other than a database."""
    restore = "请从备份恢复（govmedia restore 备份文件），或用 --db 指定正确的数据库文件"
    restore_en = "restore it from a backup (govmedia restore BACKUP) or name the right file with --db"
    if path.is_dir():
        raise DatabaseError(f"数据库路径 {path} 是一个文件夹，不是数据库文件", f"database path {path} is a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            return
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(
            f"无法打开数据库文件 {path}（{exc.strerror or exc}）：请检查路径和权限",
            f"cannot open database file {path} ({exc.strerror or exc}): check the path and permissions",
        ) from exc
    if head and head != SQLITE_HEADER:
        raise DatabaseError(
            f"数据库文件 {path} 已损坏或不是 SQLite 数据库：{restore}",
            f"database file {path} is damaged or not a SQLite database: {restore_en}",
        )


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and plain file paths; return a tortoise DB URL."""
    if "://" not in url:
        return "sqlite://" + str(Path(url).expanduser().resolve())
    scheme = url.split("://", 1)[0]
    if scheme in ("postgresql", "postgresql+asyncpg", "asyncpg"):
        return "postgres://" + url.split("://", 1)[1]
    return url


def describe_url(url: str) -> str:
    """Return the URL with any password removed, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def is_sqlite(url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return normalise_url(url).startswith("sqlite://")


def tortoise_config(url: str) -> dict[str, Any]:
    """The tortoise config dict for one database URL."""
    url = normalise_url(url)
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        with contextlib.suppress(OSError):  # check_url reports a folder that cannot be made
            Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    connection: dict[str, Any] | str = url
    if url.startswith("sqlite://"):
        # WAL plus a busy timeout lets the CLI read while `govmedia run` writes. synchronous=NORMAL
        # is SQLite's recommended pairing with WAL: every commit survives a crash of the process,
        # only the last commits can be rolled back by a power cut, and the outbox's one commit per
        # sent message stops waiting on the disk (notify at 20,000 accounts: 17.5 s -> 7.6 s).
        connection = {
            "engine": "registry.db.sqlite_backend",
            "credentials": {
                "file_path": url.removeprefix("sqlite://"),
                "journal_mode": "WAL",
                "synchronous": "NORMAL",
                "busy_timeout": 10000,
            },
        }
    # tortoise caches compiled INSERT/DELETE SQL per connection *name*; naming the connection by
    # dialect keeps a process that opens SQLite and then PostgreSQL (the test suite) from reusing
    # SQLite placeholders on PostgreSQL.
    name = "sqlite" if url.startswith("sqlite://") else "postgres"
    return {
        "connections": {name: connection},
        "apps": {
            APP: {
                "models": ["registry.db.models"],
                "default_connection": name,
                "migrations": "registry.migrations",
            }
        },
        "use_tz": True,
        "timezone": TIMEZONE,
    }


async def upgrade(url: str) -> None:
    """Apply every pending migration (creates the schema on an empty database), each with its record in one
    transaction; refuse a database written by a newer govmedia (`registry.db.schema`)."""
    from registry.db.schema import NewerDatabaseError, apply_migrations

    try:
        await apply_migrations(tortoise_config(url), APP)
    except NewerDatabaseError as exc:
        raise DatabaseError(exc.zh, exc.en) from None


@contextlib.asynccontextmanager
async def database(url: str, *, upgrade_schema: bool = True) -> AsyncIterator[None]:
    """Open the database for the running task, upgrading the schema first; always close."""
    check_url(url)
    try:
        if upgrade_schema:
            await upgrade(url)
            await Tortoise.close_connections()
        await Tortoise.init(config=tortoise_config(url))
    except Exception as exc:
        await _close_quietly()
        # SQLite quotes a damaged schema's bytes in its error message; when they are not UTF-8 the
        # driver raises UnicodeDecodeError instead of its own error: that too is a damaged file.
        damaged_text = isinstance(exc, UnicodeDecodeError) and is_sqlite(url)
        known = isinstance(exc, (OSError, ConnectionError)) or is_database_fault(exc) or damaged_text
        if not known:
            raise
        raise open_error(url, exc) from exc
    try:
        yield
    finally:
        await _close_quietly()


def is_database_fault(exc: BaseException) -> bool:
    """Whether an exception comes from the database driver or the ORM (not from govmedia's own code)."""
    return type(exc).__module__.startswith(("asyncpg", "tortoise", "sqlite3", "aiosqlite"))


def open_error(url: str, exc: BaseException) -> DatabaseError:
    """The plain-words error for a database that could not be opened."""
    where = describe_url(normalise_url(url))
    why = "malformed database schema (unreadable bytes)" if isinstance(exc, UnicodeDecodeError) else first_line(exc)
    if is_sqlite(url) and ("not a database" in why or "malformed" in why):
        return DatabaseError(
            f"数据库文件 {where.removeprefix('sqlite://')} 已损坏（{why}）：请从备份恢复（govmedia restore 备份文件）",
            f"database file {where.removeprefix('sqlite://')} is damaged ({why}): restore it from a backup",
        )
    return DatabaseError(f"无法打开数据库 {where}：{why}", f"cannot open database {where}: {why}")


def write_error(exc: BaseException) -> DatabaseError:
    """The plain-words error for a database fault during a command (read-only, full disk, damaged file)."""
    why = first_line(exc)
    low = why.lower()
    if "readonly" in low or "read-only" in low:
        zh = "数据库只读，无法写入：请检查数据库文件及其文件夹的权限"
    elif "disk is full" in low or "no space" in low:
        zh = "磁盘已满，无法写入数据库：请腾出空间后重试（未完成的写入已回滚）"
    elif "malformed" in low or "not a database" in low:
        zh = "数据库文件已损坏：请从备份恢复（govmedia restore 备份文件）"
    elif "locked" in low:
        zh = "数据库被其他进程长时间占用：请稍后重试"
    elif "out of range" in low or "overflow" in low:
        zh = "数值超出数据库允许的范围"
    else:
        zh = "数据库出错"
    return DatabaseError(f"{zh}（{why}）", f"database error: {why}")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's text, cut to 200 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


async def _close_quietly() -> None:
    with contextlib.suppress(Exception):
        await Tortoise.close_connections()


#: Config for tortoise's own CLI when writing migrations:
#: ``python -m tortoise -c registry.db.lifecycle.MIGRATION_CONFIG makemigrations --name <what>``.
MIGRATION_CONFIG = tortoise_config("sqlite://:memory:")


def transaction() -> Any:
    """A transaction (savepoint when nested) for feature packages, which never import tortoise."""
    from tortoise.transactions import in_transaction

    return in_transaction()

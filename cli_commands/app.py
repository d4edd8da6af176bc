"""What every command shares: the App context, failing with an exit code, list output."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click

from registry.config.credentials import SecretsError
from registry.config.i18n import tr
from registry.config.settings import ConfigError, Settings
from registry.db.lifecycle import DatabaseError, database
from registry.ledger import accounts as store
from reports.output import FORMATS, Field, render

T = TypeVar("T")
EXIT_INPUT = 2
EXIT_FAILED = 3
OUT_OF_RANGE = re.compile(r"out of (\w+ )?range|too large to convert")
log = logging.getLogger("govmedia")


@dataclass
class App:
    """What every command gets: settings, database URL, actor."""

    settings: Settings
    db_url: str
    actor: str

    @property
    def tz(self) -> ZoneInfo:
        """The county's time zone."""
        return ZoneInfo(str(self.settings.get("county.timezone", "Asia/Shanghai")))

    def today(self) -> dt.date:
        """Today in the county's calendar."""
        return dt.datetime.now(self.tz).date()

    def run(self, use_case: Callable[[], Awaitable[T]], *, upgrade: bool = True) -> T:
        """Run one use case with the database open; map failures to exit codes."""

        async def main() -> T:
            async with database(self.db_url, upgrade_schema=upgrade):
                return await use_case()

        try:
            return asyncio.run(main())
        except Exception as exc:
            if not is_store_or_database_failure(exc):
                raise  # the command's own handler, or GuardedGroup, answers it
            exit_for(exc)


def is_store_or_database_failure(exc: BaseException) -> bool:
    """Failures `App.run` answers itself: the database's, and the ledger's not-found / invalid."""
    from registry.db.lifecycle import is_database_fault

    return (isinstance(exc, DatabaseError | store.NotFound | store.Ambiguous | store.Invalid | OverflowError)
            or is_database_fault(exc))


def exit_for(exc: BaseException) -> NoReturn:
    """The one place that turns a known failure into a plain message and an exit code (never a traceback)."""
    from registry.db.lifecycle import first_line, is_database_fault, write_error

    if isinstance(exc, DatabaseError):
        fail(tr(exc.zh, exc.en), EXIT_INPUT if exc.bad_input else EXIT_FAILED)
    if isinstance(exc, (store.NotFound, store.Ambiguous)):
        fail(str(exc), EXIT_INPUT)
    if isinstance(exc, store.Invalid):
        for e in exc.errors:
            click.echo(str(e), err=True)
        fail(tr("输入无效，未做任何修改", "invalid input; nothing was changed"), EXIT_INPUT)
    if isinstance(exc, (SecretsError, ConfigError)):
        fail(str(exc), EXIT_INPUT)
    name = type(exc).__name__
    why = first_line(exc)
    if name in ("DoesNotExist", "ObjectDoesNotExistError"):
        fail(tr(f"找不到该记录（{why}），未做任何修改", f"no such record ({why}); nothing was changed"), EXIT_INPUT)
    if isinstance(exc, OverflowError) or name in ("NumericValueOutOfRangeError", "DataError") or OUT_OF_RANGE.search(why):
        fail(tr("编号或数值超出允许的范围（不存在这样的记录），未做任何修改",
                "a number or id is out of range (no such record); nothing was changed"), EXIT_INPUT)
    if is_database_fault(exc):
        err = write_error(exc)
        fail(tr(err.zh, err.en), EXIT_FAILED)
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        fail(tr(f"无法读写文件{where}（{exc.strerror or why}）：请检查路径、权限和磁盘空间",
                f"cannot read or write{where} ({exc.strerror or why}): check the path, permissions and free space"),
             EXIT_FAILED)
    log.debug("unexpected failure", exc_info=exc)
    fail(tr(f"内部错误（{name}: {why}），未能完成；加 -v 查看详情", f"internal error ({name}: {why}); rerun with -v for details"),
         EXIT_FAILED)


def hoist_lang(args: list[str]) -> list[str]:
    """Move ``--lang X`` / ``--lang=X`` from anywhere on the command line to the front (a root option)."""
    rest: list[str] = []
    front: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        if a == "--lang" and i + 1 < len(args):
            front = [a, args[i + 1]]
            i += 2
            continue
        if a.startswith("--lang="):
            front = [a]
        else:
            rest.append(a)
        i += 1
    return front + rest


class GuardedGroup(click.Group):
    """The root group: any exception a command lets escape becomes a message and an exit code.

    It also reads ``--lang`` wherever it stands and chooses the language of the help before any
    command's ``--help`` is printed.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Hoist --lang to the root, set the language, localise the help texts, then parse."""
        from cli_commands.help_zh import localize
        from registry.config.i18n import LANGS, set_lang

        args = hoist_lang(list(args))
        lang = "zh"
        if args and args[0].startswith("--lang"):
            value = args[0].split("=", 1)[1] if "=" in args[0] else args[1]
            lang = value if value in LANGS else "zh"
        set_lang(lang)
        localize(self, lang)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map what escapes through `exit_for`."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo(tr("已中断", "interrupted"), err=True)
            sys.exit(130)
        except Exception as exc:
            if log.isEnabledFor(logging.DEBUG):
                log.debug("failure", exc_info=exc)
            exit_for(exc)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print an error in plain words and exit."""
    click.echo(tr("错误：", "error: ") + message, err=True)
    sys.exit(code)


pass_app = click.make_pass_decorator(App)


def platform_filter(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A --platform filter as its code; an unknown word is an error (exit 2) that lists the accepted words."""
    from registry.ledger import vocab

    if value is None or not value.strip():
        return None
    parsed = vocab.parse_platform(value)
    if parsed is None:
        codes = "/".join(p.value for p in vocab.Platform)
        fail(tr(f"不认识的平台“{value}”：可用 {vocab.platform_choices()}（或 {codes}；也接受 政务微博、政务微信、"
                f"订阅号、抖音号、头条号、B站 等常用写法）",
                f"unknown platform {value!r}: use {vocab.platform_choices()} (or {codes}; common words such as "
                f"政务微博, 政务微信, 订阅号, 抖音号, 头条号, B站 are accepted too)"))
    return parsed.value


def platform_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """The --platform filter of a list or collection command."""
    return click.option("--platform", callback=platform_filter,
                        help="Only this platform: wechat, weibo, … or 微信公众号, 新浪微博, 政务微博, ….")(f)


def format_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The --format and --out options of a list command."""
    f = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")(f)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)(f)


def emit(records: list[dict[str, Any]], fields: list[Field], fmt: str, out: Path | None,
          sheet: str = "Sheet1", table_fields: tuple[str, ...] | None = None) -> None:
    """Print records as the chosen format, or write them to --out."""
    if fmt == "xlsx" and out is None:
        fail(tr("xlsx 格式需要 --out 文件名", "--format xlsx needs --out FILE"))
    text = render(records, fields, fmt, out=out, sheet=sheet, table_fields=table_fields)
    if out is not None:
        click.echo(tr(f"已写入 {text}（{len(records)} 条）", f"wrote {text} ({len(records)} rows)"))
    else:
        click.echo(text)


async def resolve_ids(refs: tuple[str, ...]) -> list[int] | None:
    """Account ids of REFs (None: no filter)."""
    if not refs:
        return None
    return [(await store.find_account(r)).id for r in refs]


#: Lines of warnings and of errors an import prints at most (one junk .xls once printed 82 MB of errors).
MAX_PROBLEM_LINES = 200


def echo_problems(warnings: list[str], errors: list[Any], failure: str) -> None:
    """Print an import's warnings, then its errors (each list cut at MAX_PROBLEM_LINES) and exit when there
    are errors (nothing was written)."""
    for w in warnings[:MAX_PROBLEM_LINES]:
        click.echo(tr("提醒：", "warning: ") + w, err=True)
    _echo_rest(len(warnings), tr("条提醒", "warnings"))
    if errors:
        for e in errors[:MAX_PROBLEM_LINES]:
            click.echo(str(e), err=True)
        _echo_rest(len(errors), tr("处错误", "errors"))
        fail(failure)


def _echo_rest(total: int, what: str) -> None:
    if total > MAX_PROBLEM_LINES:
        click.echo(tr(f"……另有 {total - MAX_PROBLEM_LINES} {what}未列出（先改正上面的，再重新导入）",
                      f"... and {total - MAX_PROBLEM_LINES} more {what} not shown (fix those above, then import again)"),
                   err=True)


class Progress:
    """A one-line progress display on a terminal: account n/N, posts found, failures."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.posts = 0
        self.failed = 0

    def __call__(self, outcome: Any, done: int, total: int) -> None:
        self.posts += outcome.new_posts
        self.failed += outcome.status == "failed"
        if self.tty:
            line = tr(f"\r采集中 {done}/{total}  新文章 {self.posts}  失败 {self.failed}",
                      f"\rcollecting {done}/{total}  new posts {self.posts}  failed {self.failed}")
            click.echo(line, nl=done == total, err=True)
        else:
            log.info("%s %s: %s", done, outcome.target.uid, outcome.status)

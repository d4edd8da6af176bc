"""What the console needs from outside its package, declared here and wired by the composition root
(`cli_commands.web`): the rule catalogue's names, the monthly review, the draft checker, `doctor`, the
review dossier. The console reads the registry itself; these are the feature packages it may not import.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DraftHit:
    """One problem in a draft: where, how serious, what kind, what to write instead."""

    start: int
    end: int
    severity: str  # severe | warning | notice
    severity_label: str
    kind_label: str
    matched: str
    suggestion: str
    source: str


@dataclass(frozen=True)
class DraftCheck:
    """A checked draft: its text and the hits in it (offsets into the text)."""

    text: str
    hits: Sequence[DraftHit]


class DraftError(Exception):
    """The draft could not be read (format, encoding)."""


class WeComMember(Protocol):
    """Whose WeCom sign-in code it was: a member's userid, or why none (Chinese)."""

    @property
    def userid(self) -> str | None: ...
    @property
    def problem_zh(self) -> str: ...


class WeComLogin(Protocol):
    """WeCom sign-in (企业微信登录): where to send the browser, and the code-for-member exchange."""

    def authorize_url(self, redirect_uri: str, state: str, *, in_wecom: bool) -> str:
        """WeCom's page that sends the browser back to ``redirect_uri`` with a code and ``state``."""
        ...

    async def member(self, code: str) -> WeComMember:
        """The member a code stands for (once)."""
        ...


@dataclass(frozen=True)
class Throttle:
    """Login throttling: slow after ``slow_after`` failures, lock a user after ``lock_user``, an address after
    ``lock_addr``, within ``window_s``; ``delay_s`` is the first delay (doubling, capped at 8 s)."""

    slow_after: int = 3
    lock_user: int = 5
    lock_addr: int = 20
    window_s: int = 900
    delay_s: float = 0.5
    #: How a delay is waited (a seam: tests record the delays instead of timing them).
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass(frozen=True)
class Services:
    """The seams of the console (tests pass real ones built the same way as `govmedia web serve`)."""

    county: str
    tz: ZoneInfo
    rule_names: Mapping[str, str]
    severity_labels: Mapping[str, str]
    blind_rule: str
    reports_dir: Path
    upload_dir: Path
    secret_key: bytes
    #: Writes the monthly review of a month (YYYY-MM) in the given formats; the paths written.
    monthly: Callable[[str, list[str]], Awaitable[list[Path]]]
    #: Checks a draft (bytes, format txt/md/html/docx).
    check_draft: Callable[[bytes, str], DraftCheck]
    #: The `doctor` summary as (ok, line) pairs.
    doctor: Callable[[], Awaitable[list[tuple[bool, str]]]]
    #: The printable review dossier (HTML document) of a review case.
    dossier_html: Callable[[int], Awaitable[str]]
    secure_cookies: bool = False
    idle_timeout_s: int = 1800
    throttle: Throttle = field(default_factory=Throttle)
    max_upload_bytes: int = 20 * 1024 * 1024
    now: Callable[[], dt.datetime] | None = None
    #: WeCom sign-in, when `[web] wecom_login` is on; None = passwords only.
    wecom: WeComLogin | None = None
    #: The console's address as browsers reach it (`[web] public_url`): WeCom sends them back there.
    public_url: str = ""

    def moment(self) -> dt.datetime:
        """Now, in the county's zone."""
        return self.now() if self.now else dt.datetime.now(self.tz)

"""What every source shares: the context it runs in and the `Source` protocol."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from collectors.errors import ErrorKind, PlatformError
from collectors.http import Http
from collectors.model import BEIJING
from registry.config.credentials import Credential, Secrets
from registry.observations.store import Success, Target


@dataclass
class Options:
    """Collection settings from the config (``[collect]`` and ``[platforms.*]``)."""

    wechat_base: str = "https://api.weixin.qq.com"
    weibo_base: str = "https://api.weibo.com"
    weibo_mobile_base: str = "https://m.weibo.cn"
    feed_base: str = ""
    backfill_days: int = 92
    weibo_max_pages: int = 10
    wechat_data_hour: int = 8
    token_refreshes: int = 2
    #: Posts published this many days back have their comments read (0: never read comments).
    response_window_days: int = 30
    #: Comment threads read per account and cycle at most.
    response_posts_per_cycle: int = 10
    #: Secrets-file credential whose `cookie` reads m.weibo.cn comments for accounts without their own.
    weibo_cookie_credential: str = "weibo_cookie"


@dataclass
class Context:
    """Injected dependencies of a source: HTTP, secrets, options, clock."""

    http: Http
    secrets: Secrets
    options: Options = field(default_factory=Options)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(BEIJING)

    def credential(self, target: Target, *fields: str) -> Credential:
        """The account's credential, with the fields the source needs, or an auth error."""
        if not target.credential:
            raise PlatformError(ErrorKind.AUTH, "no credential named in the ledger (凭据)")
        cred = self.secrets.get(target.credential)
        if cred is None:
            raise PlatformError(ErrorKind.AUTH, f"credential {target.credential!r} is not in the secrets file")
        missing = [f for f in fields if not cred.get(f)]
        if missing:
            raise PlatformError(ErrorKind.AUTH, f"credential {target.credential!r} lacks {', '.join(missing)}")
        return cred


class Source(Protocol):
    """A way of collecting one account."""

    method: str

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        """Fetch and parse what is new for the account; raise `PlatformError` on failure."""
        ...

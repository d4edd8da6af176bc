"""Platform failure kinds and the exception every collector parser and fetcher raises."""

from __future__ import annotations

import re
from enum import StrEnum

# Anything shaped like a credential in a query string or header dump. Messages end up in the
# attempts table and in bot notifications, so they must never carry one.
_SECRET_RE = re.compile(
    r"(?i)\b(access_token|refresh_token|token|secret|appsecret|corpsecret|key|cookie|sub|subp)=[^&\s\"',;]+"
)
# Long enough for errmsg + rid, short enough that a whole response body never leaks through.
_MAX_MESSAGE = 300


class ErrorKind(StrEnum):
    """Why a collection attempt failed; stored with every attempt."""

    AUTH = "auth"
    QUOTA = "quota"
    GONE = "gone"
    NETWORK = "network"
    PARSE = "parse"
    UNAUTHORIZED = "unauthorized"


def mask(text: str) -> str:
    """Return text with credential-looking `name=value` pairs masked."""
    return _SECRET_RE.sub(lambda m: f"{m.group(1)}=***", text)


def redact(text: str) -> str:
    """Return text with credential-looking `name=value` pairs masked and its length capped."""
    masked = mask(text)
    if len(masked) > _MAX_MESSAGE:
        masked = masked[: _MAX_MESSAGE - 1] + "…"
    return masked


class PlatformError(Exception):
    """A classified platform failure; `message` is always redacted."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        code: str | None = None,
        retryable: bool | None = None,
        token_stale: bool = False,
        cooldown_s: int | None = None,
    ) -> None:
        self.kind = kind
        self.message = redact(message)
        self.code = code
        # Only transient transport/server trouble is worth retrying in the same pass.
        self.retryable = kind is ErrorKind.NETWORK if retryable is None else retryable
        # The fetcher refreshes its access token (a capped number of times) and repeats the call.
        self.token_stale = token_stale
        # Suggested minimum rest for the whole source before its next request, in seconds.
        self.cooldown_s = cooldown_s
        super().__init__(str(self))

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code is not None else ""
        return f"{self.kind}{code}: {self.message}"

    def __repr__(self) -> str:
        return f"PlatformError({self.kind.value!r}, {self.message!r}, code={self.code!r})"


def parse_error(message: str) -> PlatformError:
    """Build the error for a payload that breaks the documented contract."""
    return PlatformError(ErrorKind.PARSE, message)

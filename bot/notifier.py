"""The channel seam: every notifier sends one rendered message and says what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.model import Message


@dataclass(frozen=True)
class SendResult:
    """Outcome of one send. `error` never holds a secret, token or webhook key."""

    ok: bool
    retryable: bool = False
    error: str = ""
    # WeCom userids the platform did not know (lower-cased): a registry problem to report.
    invalid_users: tuple[str, ...] = ()
    platform_msgid: str = ""
    # Seconds after which a retry can succeed (rate-limit holds); None when unknown.
    retry_after: float | None = None


class Notifier(Protocol):
    """A channel: WeCom app, WeCom group robot, official-account template, console."""

    async def send(self, message: Message) -> SendResult:
        """Deliver one message; never raises for platform or network failures."""
        ...

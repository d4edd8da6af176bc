"""The console channel: prints each message (for `govmedia notify --dry-run` and when nothing is configured)."""

from __future__ import annotations

from collections.abc import Callable

from bot.model import Message
from bot.notifier import SendResult


def format_message(message: Message) -> str:
    """A message as printed: a rule naming channel, recipient, kind and part, then its text."""
    r = message.recipient
    who = r.name or r.wecom_userid
    if r.kind == "robot":
        who = f"robot {r.robot_key_name}"
    elif r.wecom_userid:
        who = f"{who} <{r.wecom_userid}>"
    part = f" {message.part}/{message.parts}" if message.parts > 1 else ""
    head = f"── {message.channel} → {who} · {message.kind}{part} · {message.msgtype} ──"
    title = f"{message.title}\n" if message.msgtype == "textcard" else ""
    return f"{head}\n{title}{message.body}\n"


class ConsoleNotifier:
    """Writes messages instead of sending them; always succeeds."""

    channel = "console"

    def __init__(self, write: Callable[[str], object] = print) -> None:
        self._write = write
        self.sent = 0

    async def send(self, message: Message) -> SendResult:
        """Print one message."""
        self.sent += 1
        self._write(format_message(message))
        return SendResult(True, platform_msgid=f"console-{self.sent}")

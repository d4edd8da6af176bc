"""The in-memory log of every message the bot sent to the sandbox (WeCom app, group robot, OA template)."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

Channel = Literal["wecom_app", "wecom_robot", "wechat_template"]
# delivered: reached the recipient; dropped: over a per-member limit, silently lost although the API said ok;
# invalid: unknown recipient; rejected: the API refused the whole message (errcode in `reason`).
Status = Literal["delivered", "dropped", "invalid", "rejected"]


@dataclass(frozen=True)
class Message:
    """One message for one recipient, with what became of it."""

    seq: int
    channel: Channel
    received_at: str
    to: str
    msgtype: str
    payload: dict[str, Any]
    status: Status
    reason: str = ""
    msgid: str = ""


class Recorder:
    """Thread-safe list of recorded messages (the server runs in its own thread)."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    def add(
        self,
        channel: Channel,
        at: datetime,
        to: str,
        msgtype: str,
        payload: dict[str, Any],
        status: Status,
        reason: str = "",
        msgid: str = "",
    ) -> Message:
        """Record one message and return it."""
        with self._lock:
            message = Message(len(self._messages) + 1, channel, at.isoformat(), to, msgtype, payload, status, reason, msgid)
            self._messages.append(message)
            return message

    def messages(self, channel: str | None = None, status: str | None = None) -> list[Message]:
        """Recorded messages in arrival order, optionally filtered."""
        with self._lock:
            return [
                m for m in self._messages
                if (channel is None or m.channel == channel) and (status is None or m.status == status)
            ]

    def as_json(self, channel: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        """Recorded messages as JSON-ready dicts."""
        return [asdict(m) for m in self.messages(channel, status)]

    def clear(self) -> None:
        """Forget every recorded message."""
        with self._lock:
            self._messages.clear()

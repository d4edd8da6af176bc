"""WeCom group robot (群机器人) webhooks: text and markdown, at most 20 messages a minute per key.

Keys are secrets: each lives in a secrets-file credential's `webhook_key` field, and recipients
name the credential (`Recipient.robot_key_name`), never the key. When a key's window is full the
send does not wait (that would stall the whole notification cycle for up to a minute): it returns
a retryable failure with `retry_after`, and the outbox sends it on a later attempt. The window is
per notifier instance: keep one instance per process for a key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx

from bot.model import Message
from bot.notifier import SendResult
from bot.ratelimit import SlidingWindow
from bot.wecom_api import RETRYABLE_ERRCODES, call_json, describe, errcode
from registry.config.credentials import Secrets

PER_MINUTE = 20
BAD_KEY = 93000
OVER_LIMIT = 45009


def robot_keys(secrets: Secrets) -> dict[str, str]:
    """Credential name -> webhook key, for every credential of the secrets file that has one."""
    return {name: c.get("webhook_key") for name, c in secrets.credentials.items() if c.get("webhook_key")}


class WeComRobotNotifier:
    """Sends messages to group robots; the recipient's robot_key_name picks the credential."""

    channel = "wecom_robot"

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_base: str,
        keys: Mapping[str, str],
        *,
        per_minute: int = PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._base = api_base.rstrip("/")
        self._keys = dict(keys)
        self.window = SlidingWindow(per_minute, 60, clock)

    async def send(self, message: Message) -> SendResult:
        """Post one message to the recipient's robot, within the per-key minute limit."""
        name = message.recipient.robot_key_name
        key = self._keys.get(name, "")
        if not key:
            return SendResult(False, False, f"no webhook_key for robot credential {name!r}")
        if message.msgtype not in ("text", "markdown"):
            return SendResult(False, False, f"group robots take text or markdown, not {message.msgtype}")
        wait = self.window.wait_time(key)
        if wait > 0:
            return SendResult(False, True, f"held: {self.window.limit} messages a minute for robot {name}",
                              retry_after=wait)
        self.window.acquire(key)
        data = await call_json(
            self._client, "POST", f"{self._base}/cgi-bin/webhook/send", (key,), f"wecom robot {name}",
            params={"key": key}, json={"msgtype": message.msgtype, message.msgtype: {"content": message.body}},
        )
        if isinstance(data, SendResult):
            return data
        code = errcode(data)
        if code == 0:
            return SendResult(True)
        error = describe(f"wecom robot {name}", data, (key,))
        if code == OVER_LIMIT:
            # Someone else posts with this key too: trust the platform and wait out a full window.
            self.window.saturate(key)
            return SendResult(False, True, error, retry_after=self.window.wait_time(key))
        if code == BAD_KEY:
            return SendResult(False, False, error)
        return SendResult(False, code in RETRYABLE_ERRCODES, error)

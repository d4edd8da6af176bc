"""Per-channel size limits (UTF-8 bytes) and byte-safe clipping.

From platform-apis.md §2: WeCom app text and markdown ≤ 2048 bytes, textcard title ≤ 128 and
description ≤ 512; group robot text ≤ 2048, markdown ≤ 4096. The console previews the WeCom app.
"""

from __future__ import annotations

TEXTCARD_TITLE_BYTES = 128
#: WeCom textcard button text: at most 4 characters.
TEXTCARD_BUTTON = "详情"
#: A passive reply to a callback message is a text message.
REPLY_BYTES = 2048

BODY_BYTES: dict[str, dict[str, int]] = {
    "wecom_app": {"text": 2048, "markdown": 2048, "textcard": 512},
    "wecom_robot": {"text": 2048, "markdown": 4096},
    "mp_template": {"text": 2048},
    "console": {"text": 2048, "markdown": 2048, "textcard": 512},
}
_DEFAULT = 2048


def body_limit(channel: str, msgtype: str) -> int:
    """The byte limit of a message body (textcard: its description) on a channel."""
    limits = BODY_BYTES.get(channel, {})
    if limits and msgtype not in limits:
        raise ValueError(f"channel {channel} cannot send {msgtype} messages")
    return limits.get(msgtype, _DEFAULT)


def utf8_len(text: str) -> int:
    """Length of text in UTF-8 bytes (what WeCom counts)."""
    return len(text.encode("utf-8"))


def clip_bytes(text: str, limit: int, ellipsis: str = "…") -> str:
    """Text cut to at most `limit` UTF-8 bytes, never inside a character, marked with `ellipsis` if cut."""
    if utf8_len(text) <= limit:
        return text
    room = max(limit - utf8_len(ellipsis), 0)
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + ellipsis if utf8_len(cut + ellipsis) <= limit else cut


def clip_chars(text: str, limit: int, ellipsis: str = "…") -> str:
    """Text cut to at most `limit` characters (for readability, not for platform limits)."""
    return text if len(text) <= limit else text[: max(limit - len(ellipsis), 0)] + ellipsis

"""Composition: the registry's notify modules as the storage the bot declares (``bot.storage``)."""

from __future__ import annotations

from bot.storage import Storage


def notify_storage() -> Storage:
    """The bot's storage, implemented by ``registry.notify``."""
    from registry.notify import alerts, log, outbox, replies, silences

    return Storage(alerts=alerts, silences=silences, log=log, outbox=outbox, replies=replies)

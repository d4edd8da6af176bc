"""Storage for the warning pipeline, one module per concern: alert rows, silences, the notification
log, the outbox and replies. Plain values out (no ORM instance reaches the bot); the bot declares what
it needs as Protocols in ``bot.storage`` and these modules implement them structurally."""

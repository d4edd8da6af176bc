"""Named crash points: a process dies (SIGKILL) at a named step when the environment asks it to.

The crash tests (tests/reliability/test_rel_crash.py) set ``GOVMEDIA_KILL_AT=STEP:N`` on the
`govmedia` process they start: the N-th time (from 1) that process reaches STEP, it kills itself
with SIGKILL, as the kernel's OOM killer or a power cut would, so nothing (no ``finally``, no atexit)
runs. Unset, as in production, a point costs one dictionary lookup. The steps:

- ``collect.attempt``: an account's lease is held and its attempt row written, nothing fetched yet.
- ``collect.stored``: an account's observations are committed, with its lease given back.
- ``notify.sending``: an outbox message is marked "sending", not yet handed to the channel.
- ``notify.sent``: the channel has taken the message; its "sent" state is not yet written.
"""

from __future__ import annotations

import os
import signal

ENV = "GOVMEDIA_KILL_AT"
STEPS = ("collect.attempt", "collect.stored", "notify.sending", "notify.sent")
_reached: dict[str, int] = {}


def killpoint(step: str) -> None:
    """Die here with SIGKILL if ``GOVMEDIA_KILL_AT`` names ``step`` and this is its N-th visit."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != step:
        return
    _reached[step] = _reached.get(step, 0) + 1
    if _reached[step] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)

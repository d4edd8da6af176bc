"""Collector fixtures: the sample county in a fresh database and the sandbox behind an ASGI transport."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from lanekit import VirtualTime

from collectors.http import RetryPolicy
from collectors.model import BEIJING
from collectors.run import PassSummary
from collectors.service import collect
from registry.config.credentials import Credential, Secrets
from registry.config.settings import Settings, load
from registry.ledger.files import import_ledger
from sandbox.app import create_app
from sandbox.county import demo_secrets
from sandbox.faults import Fault

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
BASE = "http://sandbox.test"


@dataclass
class County:
    """A sample county wired to a sandbox app, ready to collect."""

    settings: Settings
    secrets: Secrets
    app: Any
    clock: Callable[[], dt.datetime]

    async def collect(self, **kwargs: Any) -> PassSummary:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE) as client:
            kwargs.setdefault("lanes", VirtualTime().book())
            kwargs.setdefault("clock", self.clock)
            return await collect(self.settings, self.secrets, client,
                                 retry=RetryPolicy(attempts=3, base_delay=0.0), **kwargs)

    def faults(self, *faults: Fault) -> None:
        self.app.state.sandbox.faults.replace(list(faults))


def sandbox_settings(tmp: Path, base: str) -> Settings:
    cfg = tmp / "govmedia.toml"
    cfg.write_text(
        f'[platforms.wechat]\napi_base = "{base}"\n[platforms.weibo]\napi_base = "{base}"\nmobile_base = "{base}"\n'
        f'[platforms.feed]\nbase_url = "{base}"\n[collect]\nbackfill_days = 20\n',
        encoding="utf-8")
    return load(cfg, environ={})


def sandbox_secrets(app: Any) -> Secrets:
    creds = {name: Credential(name, values) for name, values in demo_secrets(app.state.sandbox.county).items()}
    return Secrets(path=None, credentials=creds)


@pytest.fixture
async def county(db: str, sample_ledger: Path, tmp_path: Path) -> AsyncIterator[County]:
    await import_ledger(sample_ledger, actor="test", today=NOW.date())
    clock = {"now": NOW}
    app = create_app(seed=7, now=lambda: clock["now"])
    yield County(sandbox_settings(tmp_path, BASE), sandbox_secrets(app), app, lambda: clock["now"])

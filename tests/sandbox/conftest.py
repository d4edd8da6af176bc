"""Fixtures for the sandbox tests: a fixed clock, an in-process app and an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.app import create_app
from sandbox.county import TZ, County, demo_secrets
from sandbox.runtime import Sandbox

# A Wednesday morning after 08:00, so yesterday's statistics are ready.
NOW = datetime(2025, 6, 18, 10, 30, tzinfo=TZ)


class Clock:
    """A settable clock to pass as `now`."""

    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Starlette:
    return create_app(now=clock)


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    state: Sandbox = app.state.sandbox
    return state


@pytest.fixture
def county(sandbox: Sandbox) -> County:
    return sandbox.county


@pytest.fixture
def secrets(county: County) -> dict[str, dict[str, str]]:
    return demo_secrets(county)


def client_for(app: Starlette) -> httpx.AsyncClient:
    """An httpx client talking to `app` in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


@pytest.fixture
def make_client(clock: Clock) -> Callable[..., httpx.AsyncClient]:
    """Build a client on a fresh app with custom create_app options (same clock)."""

    def make(**options: object) -> httpx.AsyncClient:
        return client_for(create_app(now=clock, **options))  # type: ignore[arg-type]

    return make


@pytest.fixture
def wechat_token(secrets: dict[str, dict[str, str]]) -> Callable[[httpx.AsyncClient, str], Awaitable[str]]:
    """Fetch a /cgi-bin/token access token for a ledger credential."""

    async def fetch(client: httpx.AsyncClient, credential: str = "county_wx") -> str:
        cred = secrets[credential]
        response = await client.get(
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]},
        )
        token: str = response.json()["access_token"]
        return token

    return fetch


@pytest.fixture
def credential_of(county: County) -> Callable[[str], str]:
    """The ledger credential name of the first WeChat account with a persona."""

    def find(persona: str) -> str:
        return next(a.credential for a in county.accounts if a.persona == persona and a.platform == "wechat")

    return find

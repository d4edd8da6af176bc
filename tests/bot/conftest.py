"""Fixtures of the channel tests: the sandbox app on a settable clock and an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from botkit import Clock, client_for
from starlette.applications import Starlette

from sandbox.app import create_app
from sandbox.county import County


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(clock: Clock) -> Callable[..., Starlette]:
    def make(**options: Any) -> Starlette:
        return create_app(seed=7, now=clock, **options)

    return make


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    return make_app()


@pytest.fixture
def county(app: Starlette) -> County:
    county: County = app.state.sandbox.county
    return county


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c

"""Fixtures of the web console tests: the demo county with web users made by `govmedia web user add`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette

from registry.config.settings import load
from registry.db.lifecycle import database
from tests.commands.conftest import demo_run  # noqa: F401 - the shared demo run, as a fixture here too
from tests.commands.demokit import DemoRun, copy_demo
from tests.web.webkit import PASSWORDS, County, busiest_unit, console_app, gm
from web.services import Throttle


@pytest.fixture(scope="module")
def county(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:  # noqa: F811
    """The demo county copy with an admin, a unit user and a viewer added through the CLI."""
    path = copy_demo(demo_run, tmp_path_factory.mktemp("web"))
    unit = busiest_unit(path)
    gm(path, "web", "user", "add", "chief", "--role", "admin", "--password-stdin", stdin=PASSWORDS["chief"] + "\n")
    gm(path, "web", "user", "add", "unituser", "--role", "unit", "--unit", unit, "--password-stdin",
       stdin=PASSWORDS["unituser"] + "\n")
    gm(path, "web", "user", "add", "reader", "--role", "viewer", "--password-stdin", stdin=PASSWORDS["reader"] + "\n")
    yield County(path, unit)


@pytest.fixture
async def app(county: County) -> AsyncIterator[Starlette]:
    """The console with the county's database open (no login delay, so tests stay fast)."""
    settings = load(county.config)
    async with database(settings.database_url):
        yield console_app(county.path, Throttle(delay_s=0.0))



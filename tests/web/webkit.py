"""Helpers of the web console tests: the demo county's web users, the app, an in-process client, login."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
from click.testing import CliRunner
from starlette.applications import Starlette

from cli import main
from cli_commands.app import App
from cli_commands.runtime import Runtime
from cli_commands.web import build_services
from registry.config.settings import load
from web.app import create_app
from web.services import Throttle

PASSWORDS = {"chief": "Admin-pass-2026", "unituser": "Unit-pass-2026", "reader": "Viewer-pass-2026"}


@dataclass(frozen=True)
class County:
    """A private copy of the demo county with three web users; ``unit`` is the unit user's unit."""

    path: Path
    unit: str

    @property
    def config(self) -> Path:
        """The county's config file."""
        return self.path / "govmedia.toml"


def gm(county_dir: Path, *args: str, stdin: str | None = None) -> str:
    """Run a govmedia command on the county; it must succeed."""
    result = CliRunner().invoke(main, ["--config", str(county_dir / "govmedia.toml"), *args], input=stdin,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def busiest_unit(county_dir: Path) -> str:
    """The unit with the most accounts among those with no sub-unit (its user sees exactly its accounts)."""
    import asyncio

    from registry.db.lifecycle import database
    from registry.ledger.accounts import list_units

    async def units() -> list[tuple[str, int]]:
        async with database(load(county_dir / "govmedia.toml").database_url):
            found = await list_units()
            parents = {u.parent.name for u, _ in found if u.parent is not None}
            return [(u.name, n) for u, n in found if u.name not in parents]

    return max(asyncio.run(units()), key=lambda un: un[1])[0]


def console_app(county_dir: Path, throttle: Throttle | None = None) -> Starlette:
    """The console over a county, wired as `govmedia web serve` wires it."""
    settings = load(county_dir / "govmedia.toml")
    rt = Runtime(App(settings=settings, db_url=settings.database_url, actor="test"))
    services = build_services(rt)
    if throttle is not None:
        from dataclasses import replace

        services = replace(services, throttle=throttle)
    return create_app(services)


def client(app: Starlette, addr: str = "127.0.0.1") -> httpx.AsyncClient:
    """An HTTP client talking to the app in-process, from ``addr`` (the address the throttle sees)."""
    transport = httpx.ASGITransport(app=app, client=(addr, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://console.test", headers={"accept": "text/html"})


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def login(c: httpx.AsyncClient, name: str, password: str | None = None) -> httpx.Response:
    """Log in through the form as a browser does; the response to the POST."""
    page = await c.get("/login")
    return await c.post("/login", data={"username": name, "password": password or PASSWORDS[name],
                                        "csrf_token": csrf_of(page.text), "next": "/"})

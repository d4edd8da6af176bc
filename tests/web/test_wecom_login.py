"""企业微信登录: a WeCom member signs in as the web user linked to its userid (the sandbox plays WeCom)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from bot.wecom_app import TokenCache
from bot.wecom_oauth import WeComSignIn
from cli_commands.app import App
from cli_commands.runtime import Runtime
from cli_commands.web import build_services
from registry.config.settings import load
from registry.db.lifecycle import database
from sandbox.app import create_app as sandbox_app
from tests.web.webkit import PASSWORDS, County, client, gm
from web.app import create_app
from web.services import Throttle


@pytest.fixture(scope="module")
def wecom() -> Starlette:
    """The sandbox standing for WeCom (its corp's members are the demo county's)."""
    return sandbox_app()


@pytest.fixture(scope="module")
def members(county: County, wecom: Starlette) -> list[str]:
    """Two members: the first linked to the admin, the second to a user then disabled; a third unlinked."""
    users = list(wecom.state.sandbox.county.wecom.users)
    gm(county.path, "web", "user", "link", "chief", users[0].upper())  # userids match without case
    gm(county.path, "web", "user", "add", "gone", "--role", "viewer", "--wecom", users[1], "--password-stdin",
       stdin=PASSWORDS["reader"] + "\n")
    gm(county.path, "web", "user", "disable", "gone")
    return users


def _services(county_dir: Path, wecom: Starlette | None) -> Starlette:
    settings = load(county_dir / "govmedia.toml")
    services = replace(build_services(Runtime(App(settings=settings, db_url=settings.database_url, actor="test"))),
                       throttle=Throttle(delay_s=0.0))
    if wecom is None:
        return create_app(services)

    @asynccontextmanager
    async def to_wecom() -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wecom), base_url="http://wecom.test") as c:
            yield c

    corp = wecom.state.sandbox.county.wecom
    sign_in = WeComSignIn(to_wecom, "http://wecom.test/wecom", corp.corp_id, corp.corp_secret, corp.agent_id,
                          login_base="http://wecom.test/wecom-login", oauth_base="http://wecom.test/wecom-login",
                          tokens=TokenCache())
    return create_app(replace(services, wecom=sign_in, public_url="https://console.test/"))


@pytest.fixture
async def console(county: County, wecom: Starlette, members: list[str]) -> AsyncIterator[Starlette]:
    async with database(load(county.config).database_url):
        yield _services(county.path, wecom)


def _link(page: str, userid: str | None) -> str:
    """The address of the WeCom page's choice for ``userid`` (None: 取消), as a browser follows it."""
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    if userid is None:
        return next(h for h in links if "userid=" not in h)
    return next(h for h in links if parse_qs(urlsplit(h).query).get("userid") == [userid])


async def _scan(c: httpx.AsyncClient, wecom: Starlette, userid: str | None, *, agent: str = "Mozilla/5.0") -> httpx.Response:
    """Press 企业微信登录, let the member confirm on WeCom's page (None: cancel), follow WeCom back."""
    start = await c.get("/login/wecom", headers={"user-agent": agent})
    assert start.status_code == 303
    to = urlsplit(start.headers["location"])
    q = {k: v[0] for k, v in parse_qs(to.query).items()}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wecom), base_url="http://wecom.test") as w:
        page = await w.get(to.path, params=q)
        assert page.status_code == 200, page.text
        back = await w.get(_link(page.text, userid))
    target = urlsplit(back.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://console.test/login/wecom/callback"
    return await c.get(f"{target.path}?{target.query}")


async def test_a_linked_member_signs_in_as_its_user(console: Starlette, wecom: Starlette, members: list[str]) -> None:
    async with client(console) as c:
        assert "企业微信登录" in (await c.get("/login")).text
        done = await _scan(c, wecom, members[0])
        assert done.status_code == 303 and done.headers["location"] == "/"
        home = await c.get("/")
        assert home.status_code == 200 and "chief" in home.text


async def test_unlinked_disabled_outsider_and_cancel_are_refused(console: Starlette, wecom: Starlette,
                                                                 members: list[str]) -> None:
    cases = [(members[2], 403, "没有关联可用的网页账号"), (members[1], 403, "没有关联可用的网页账号"),
             ("~outsider", 401, "不是本单位企业微信成员"), (None, 200, "已取消企业微信登录")]
    for userid, status, text in cases:
        async with client(console) as c:
            answer = await _scan(c, wecom, userid)
            assert (answer.status_code, text in answer.text) == (status, True), (userid, answer.text[:300])
            assert (await c.get("/", follow_redirects=False)).status_code == 303  # still anonymous


async def test_a_forged_or_replayed_callback_is_refused(console: Starlette, wecom: Starlette, members: list[str]) -> None:
    async with client(console) as c:
        done = await _scan(c, wecom, members[0])
        assert done.status_code == 303
    async with client(console) as other:
        # Another browser (no state of its own) brings a code and state: refused before any exchange.
        forged = await other.get("/login/wecom/callback", params={"code": "abc", "state": "guess"})
        assert forged.status_code == 400 and "登录请求已失效" in forged.text
        await other.get("/login/wecom")
        replay = await other.get("/login/wecom/callback", params={"code": "abc", "state": "guess"})
        assert replay.status_code == 400


async def test_inside_wecom_the_page_authorisation_is_used(console: Starlette, wecom: Starlette,
                                                           members: list[str]) -> None:
    async with client(console) as c:
        start = await c.get("/login/wecom", headers={"user-agent": "Mozilla/5.0 wxwork/4.1.22 MicroMessenger/7.0.1"})
        assert "/connect/oauth2/authorize" in start.headers["location"]
        assert start.headers["location"].endswith("#wechat_redirect")
        done = await _scan(c, wecom, members[0], agent="Mozilla/5.0 wxwork/4.1.22")
        assert done.status_code == 303


async def test_without_wecom_login_there_is_no_button_and_no_route(county: County) -> None:
    async with database(load(county.config).database_url):
        app = _services(county.path, None)
        async with client(app) as c:
            assert "企业微信登录" not in (await c.get("/login")).text
            assert (await c.get("/login/wecom")).status_code == 404
            assert (await c.get("/login/wecom/callback", params={"code": "x", "state": "y"})).status_code == 404


def test_link_unlink_list_and_one_user_per_member(county: County, members: list[str]) -> None:
    listed = gm(county.path, "web", "user", "list", "--format", "json")
    assert members[0] in listed and members[1] in listed
    from click.testing import CliRunner

    from cli import main

    taken = CliRunner().invoke(main, ["--config", str(county.config), "web", "user", "link", "reader", members[0]])
    assert taken.exit_code != 0 and "已关联网页用户 chief" in taken.output
    gm(county.path, "web", "user", "link", "reader", members[2])
    gm(county.path, "web", "user", "unlink", "reader")
    assert members[2] not in gm(county.path, "web", "user", "list", "--format", "json")

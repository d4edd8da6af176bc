"""Group robot, official-account template and console channels (robot and template against the sandbox)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from botkit import BASE, Clock, client_for, recorded
from starlette.applications import Starlette

from bot.console import ConsoleNotifier
from bot.model import Message, Recipient
from bot.mp_template import MpTemplateNotifier
from bot.wecom_app import TokenCache, WeComAppNotifier
from bot.wecom_robot import WeComRobotNotifier, robot_keys
from registry.config.credentials import load_secrets
from sandbox.county import County
from sandbox.faults import Fault
from sandbox.server import fetch_messages, running_sandbox


def robot_message(name: str = "office", msgtype: str = "markdown", body: str = "**预警**") -> Message:
    recipient = Recipient("robot", None, "县政务公开办", "", None, name)
    return Message("wecom_robot", recipient, "alert", "县政务新媒体监测预警", body, msgtype,  # type: ignore[arg-type]
                   (1,), "fp")


def robot(client: httpx.AsyncClient, county: County, clock: Clock) -> WeComRobotNotifier:
    return WeComRobotNotifier(client, f"{BASE}/wecom", county.wecom.robot_keys, clock=clock.seconds)


# --- group robot --------------------------------------------------------------------------------


async def test_robot_delivers_text_and_markdown(client: httpx.AsyncClient, app: Starlette, county: County,
                                                clock: Clock) -> None:
    n = robot(client, county, clock)
    assert (await n.send(robot_message())).ok
    assert (await n.send(robot_message(msgtype="text", body="纯文本"))).ok
    delivered = recorded(app, "wecom_robot", "delivered")
    assert [(m["to"], m["msgtype"]) for m in delivered] == [("office", "markdown"), ("office", "text")]
    assert delivered[1]["payload"] == {"msgtype": "text", "text": {"content": "纯文本"}}


async def test_robot_never_sends_more_than_20_a_minute(client: httpx.AsyncClient, app: Starlette, county: County,
                                                       clock: Clock) -> None:
    n = robot(client, county, clock)
    results = []
    for i in range(25):
        clock.advance(seconds=1)
        results.append(await n.send(robot_message(body=f"第{i}条")))
    assert [r.ok for r in results] == [True] * 20 + [False] * 5
    assert all(r.retryable and r.retry_after and r.retry_after <= 60 for r in results[20:])
    assert recorded(app, "wecom_robot", "rejected") == []  # the platform never saw the 21st
    assert (await n.send(robot_message("matrix"))).ok  # a different key has its own window
    clock.advance(seconds=41)  # the first message leaves the window
    assert (await n.send(robot_message())).ok
    assert len(recorded(app, "wecom_robot", "delivered")) == 22


async def test_robot_platform_limit_is_retryable_and_fills_the_window(
        make_app: Callable[..., Starlette], county: County, clock: Clock) -> None:
    app = make_app(faults=[Fault("errcode", platform="wecom", path="webhook", code=45009, count=1)])
    async with client_for(app) as c:
        n = robot(c, county, clock)
        first = await n.send(robot_message())
        assert not first.ok and first.retryable and "45009" in first.error
        assert first.retry_after and first.retry_after > 59
        held = await n.send(robot_message())
        assert not held.ok and held.retryable and "held" in held.error
        clock.advance(seconds=61)
        assert (await n.send(robot_message())).ok


async def test_robot_bad_key_is_final_and_secret(client: httpx.AsyncClient, county: County, clock: Clock) -> None:
    bad_key = "00000000-dead-beef-0000-000000000000"
    n = WeComRobotNotifier(client, f"{BASE}/wecom", {"office": bad_key}, clock=clock.seconds)
    result = await n.send(robot_message())
    assert not result.ok and not result.retryable and "93000" in result.error
    assert bad_key not in result.error and "dead-beef" not in result.error


async def test_robot_refuses_what_it_cannot_send(client: httpx.AsyncClient, county: County, clock: Clock) -> None:
    n = robot(client, county, clock)
    unknown = await n.send(robot_message("nobody"))
    card = await n.send(robot_message(msgtype="textcard"))
    assert not unknown.ok and not unknown.retryable and "nobody" in unknown.error
    assert not card.ok and not card.retryable


async def test_robot_network_error_hides_the_key(county: County, clock: Clock) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out on {request.url}", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as c:
        result = await robot(c, county, clock).send(robot_message())
    assert not result.ok and result.retryable and "ReadTimeout" in result.error
    assert county.wecom.robot_keys["office"] not in result.error


def test_robot_keys_come_from_the_secrets_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[credentials.robot_office]\nwebhook_key = "k-1"\n[credentials.county_wx]\nappid = "wx1"\n'
                    'secret = "s"\n', encoding="utf-8")
    path.chmod(0o600)
    assert robot_keys(load_secrets(path)) == {"robot_office": "k-1"}


# --- official-account template -------------------------------------------------------------------


def person_message(userid: str) -> Message:
    recipient = Recipient("person", 1, "张运维", userid, 10)
    body = "【县政务新媒体监测预警】\n张运维：您负责的账号有1个问题待处理\n\n1. 【单项否决】西河乡讯（微信公众号）\n编号：1"
    return Message("mp_template", recipient, "alert", "县政务新媒体监测预警", body, "text", (1,), "fp")


async def test_template_message_is_delivered(client: httpx.AsyncClient, app: Starlette, county: County) -> None:
    flagship = county.flagship_wechat

    async def token() -> str:
        answer = await client.get("/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": flagship.appid, "secret": flagship.secret})
        value: str = answer.json()["access_token"]
        return value

    n = MpTemplateNotifier(client, BASE, token, county.template_ids["account_warning"], county.openids,
                           url="https://gk.example/")
    user = next(iter(county.openids))
    result = await n.send(person_message(user.upper()))
    assert result.ok and result.platform_msgid
    sent = recorded(app, "wechat_template")
    assert sent[0]["to"] == county.openids[user]
    assert sent[0]["payload"]["data"] == {"thing1": {"value": "县政务新媒体监测预警"},
                                          "thing2": {"value": "1. 【单项否决】西河乡讯（微信公众号）"}}
    assert sent[0]["payload"]["url"] == "https://gk.example/"

    missing = await n.send(person_message("nobody"))
    assert not missing.ok and not missing.retryable

    stranger = MpTemplateNotifier(client, BASE, token, county.template_ids["account_warning"],
                                  {"zhang": "o" + "x" * 27})
    unfollowed = await stranger.send(person_message("zhang"))
    assert not unfollowed.ok and not unfollowed.retryable and unfollowed.invalid_users == ("zhang",)


async def test_template_token_failures_are_retryable(client: httpx.AsyncClient, county: County) -> None:
    async def broken() -> str:
        raise RuntimeError("token store unavailable")

    async def stale() -> str:
        return "stale-token-" + "x" * 40

    openids = {"zhang": next(iter(county.openids.values()))}
    for provider in (broken, stale):
        n = MpTemplateNotifier(client, BASE, provider, county.template_ids["account_warning"], openids)
        result = await n.send(person_message("zhang"))
        assert not result.ok and result.retryable
        assert "stale-token" not in result.error


# --- console ----------------------------------------------------------------------------------


async def test_console_prints_and_succeeds() -> None:
    lines: list[str] = []
    n = ConsoleNotifier(lines.append)
    result = await n.send(person_message("zhang"))
    assert result.ok and result.platform_msgid == "console-1"
    assert lines[0].splitlines()[0] == "── mp_template → 张运维 <zhang> · alert · text ──"
    assert "西河乡讯" in lines[0]
    await n.send(robot_message())
    assert lines[1].startswith("── wecom_robot → robot office · alert · markdown ──")


@pytest.mark.parametrize("part", [(1, 1), (2, 3)])
async def test_console_shows_parts(part: tuple[int, int]) -> None:
    lines: list[str] = []
    m = person_message("zhang")
    await ConsoleNotifier(lines.append).send(Message(**{**m.__dict__, "part": part[0], "parts": part[1]}))
    assert (f" {part[0]}/{part[1]} " in lines[0]) is (part[1] > 1)


# --- over a real socket --------------------------------------------------------------------------


def test_app_and_robot_over_http_with_the_documented_api_base() -> None:
    with running_sandbox(seed=7) as sb:
        w = sb.county.wecom
        api_base = f"{sb.base_url}/wecom"

        async def go() -> tuple[bool, bool]:
            async with httpx.AsyncClient(timeout=10) as c:
                app_n = WeComAppNotifier(c, api_base, w.corp_id, w.corp_secret, w.agent_id, tokens=TokenCache())
                robot_n = WeComRobotNotifier(c, api_base, w.robot_keys)
                user = w.users[0]
                a = await app_n.send(Message("wecom_app", Recipient("person", 1, "张", user, 1), "alert", "t", "正文",
                                             "text", (1,), "fp"))
                r = await robot_n.send(robot_message())
                return a.ok, r.ok

        assert asyncio.run(go()) == (True, True)
        channels = sorted(m["channel"] for m in fetch_messages(sb.base_url, status="delivered"))
    assert channels == ["wecom_app", "wecom_robot"]

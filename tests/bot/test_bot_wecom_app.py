"""The WeCom app channel against the sandbox: delivery, invalid users, 81013, tokens, limits, no secrets."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from botkit import BASE, Clock, client_for, recorded
from starlette.applications import Starlette

from bot.model import Message, Recipient
from bot.ratelimit import SlidingWindow
from bot.wecom_app import TokenCache, WeComAppNotifier, member_limiters
from sandbox.county import County
from sandbox.faults import Fault

USER = "hutuo_ca78f0"


def message(userid: str = USER, msgtype: str = "text", body: str = "【县政务新媒体监测预警】测试", url: str = "") -> Message:
    recipient = Recipient("person", 1, "张运维", userid, 10)
    return Message("wecom_app", recipient, "alert", "县政务新媒体监测预警", body, msgtype,  # type: ignore[arg-type]
                   (1,), "fp", url=url)


def notifier(client: httpx.AsyncClient, county: County, *, secret: str | None = None,
             tokens: TokenCache | None = None, limiters: tuple[SlidingWindow, ...] | None = None) -> WeComAppNotifier:
    w = county.wecom
    return WeComAppNotifier(client, f"{BASE}/wecom", w.corp_id, secret or w.corp_secret, w.agent_id,
                            tokens=tokens or TokenCache(), limiters=limiters)


def gettoken_calls(log: list[httpx.Request]) -> int:
    return sum(1 for r in log if r.url.path.endswith("/gettoken"))


def logging_client(app: Starlette, log: list[httpx.Request]) -> httpx.AsyncClient:
    async def hook(request: httpx.Request) -> None:
        log.append(request)

    c = client_for(app)
    c.event_hooks["request"] = [hook]
    return c


async def test_text_markdown_and_textcard_are_delivered(client: httpx.AsyncClient, app: Starlette,
                                                       county: County) -> None:
    n = notifier(client, county)
    results = [
        await n.send(message()),
        await n.send(message(msgtype="markdown", body="**预警**")),
        await n.send(message(msgtype="textcard", body='<div class="gray">x</div>', url="https://gk.example/1")),
    ]
    assert all(r.ok and r.platform_msgid and not r.invalid_users for r in results)
    delivered = recorded(app, "wecom_app", "delivered")
    assert [(m["to"], m["msgtype"]) for m in delivered] == [(USER, "text"), (USER, "markdown"), (USER, "textcard")]
    assert delivered[0]["payload"] == {"content": "【县政务新媒体监测预警】测试"}
    assert delivered[2]["payload"]["btntxt"] == "详情"


async def test_unknown_user_is_81013_not_retryable(client: httpx.AsyncClient, county: County) -> None:
    result = await notifier(client, county).send(message("Ghost_User"))
    assert not result.ok and not result.retryable and result.invalid_users == ("ghost_user",)
    assert "81013" in result.error


async def test_invaliduser_is_reported_when_others_get_it(client: httpx.AsyncClient, app: Starlette,
                                                         county: County) -> None:
    result = await notifier(client, county).send(message(f"{USER.upper()}|Ghost_User"))
    assert result.ok and result.invalid_users == ("ghost_user",)
    assert [m["to"] for m in recorded(app, "wecom_app", "delivered")] == [USER]


async def test_token_is_cached_and_refreshed_once_when_refused(app: Starlette, county: County,
                                                              clock: Clock) -> None:
    log: list[httpx.Request] = []
    tokens = TokenCache()
    async with logging_client(app, log) as c:
        n = notifier(c, county, tokens=tokens)
        assert (await n.send(message())).ok and (await n.send(message())).ok
        assert gettoken_calls(log) == 1
        clock.advance(seconds=7201)  # the platform expires it; our monotonic cache does not know
        assert (await n.send(message())).ok
        assert gettoken_calls(log) == 2
        # A token from another process or sandbox (40014): dropped, refetched, resent.
        key = next(iter(tokens._tokens))
        tokens.put(key, "stale-token-" + "x" * 20, 7200)
        assert (await n.send(message())).ok
        assert gettoken_calls(log) == 3


async def test_token_refresh_is_capped(make_app: Callable[..., Starlette], county: County) -> None:
    log: list[httpx.Request] = []
    always = make_app(faults=[Fault("errcode", platform="wecom", path="message/send", code=40014)])
    async with logging_client(always, log) as c:
        result = await notifier(c, county).send(message())
    assert not result.ok and result.retryable and "40014" in result.error
    assert gettoken_calls(log) == 2 and len(log) == 4


async def test_busy_and_quota_are_retryable(make_app: Callable[..., Starlette], county: County) -> None:
    for code in (45009, -1):
        app = make_app(faults=[Fault("errcode", platform="wecom", path="message/send", code=code, count=1)])
        async with client_for(app) as c:
            n = notifier(c, county)
            first, second = await n.send(message()), await n.send(message())
        assert not first.ok and first.retryable and str(code) in first.error
        assert second.ok


async def test_bad_secret_is_final_and_never_quoted(client: httpx.AsyncClient, county: County) -> None:
    secret = "TopSecretValue_" + "s" * 28
    result = await notifier(client, county, secret=secret).send(message())
    assert not result.ok and not result.retryable and "40001" in result.error
    assert secret not in result.error and "TopSecret" not in result.error


async def test_network_errors_are_retryable_and_redacted(county: County) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as c:
        result = await notifier(c, county).send(message())
    assert not result.ok and result.retryable and "ConnectError" in result.error
    assert county.wecom.corp_secret not in result.error and "corpsecret" not in result.error


async def test_gateway_errors(county: County) -> None:
    for status, retryable in ((502, True), (404, False)):
        transport = httpx.MockTransport(lambda r, s=status: httpx.Response(s, text="<html>stgw</html>"))
        async with httpx.AsyncClient(transport=transport) as c:
            result = await notifier(c, county).send(message())
        assert not result.ok and result.retryable is retryable and f"HTTP {status}" in result.error


async def test_per_member_limit_holds_instead_of_losing(client: httpx.AsyncClient, app: Starlette,
                                                       county: County, clock: Clock) -> None:
    n = notifier(client, county, limiters=member_limiters(clock.seconds))
    assert all([(await n.send(message())).ok for _ in range(30)])
    held = await n.send(message())
    assert not held.ok and held.retryable and held.retry_after and 0 < held.retry_after <= 60
    assert "held" in held.error
    assert (await n.send(message("hutuo_41e78c"))).ok  # other members are unaffected
    clock.advance(seconds=61)
    assert (await n.send(message())).ok
    assert recorded(app, "wecom_app", "dropped") == []  # nothing lost silently on the platform


async def test_recipient_without_userid(client: httpx.AsyncClient, county: County) -> None:
    result = await notifier(client, county).send(message(""))
    assert not result.ok and not result.retryable


async def test_textcard_without_url_is_refused_locally(client: httpx.AsyncClient, county: County) -> None:
    result = await notifier(client, county).send(message(msgtype="textcard"))
    assert not result.ok and not result.retryable and "url" in result.error

"""The WeCom callback: official vectors, a fresh encrypted round trip, and every refusal."""

from __future__ import annotations

import asyncio
import base64
import logging
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.callback import BUSY_REPLY, CALLBACK_PATH, create_callback_app
from bot.commands import ClaimFixed, Command, Unknown

# Official WeCom vector (platform-apis.md §3).
V_TOKEN, V_KEY, V_CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
V_ECHO = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
V_MSG = {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": "1409659813", "nonce": "1372623149"}
V_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs"
    "3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5"
    "gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJW"
    "rQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH"
    "2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
V_BODY = (f"<xml><ToUserName><![CDATA[{V_CORP}]]></ToUserName><Encrypt><![CDATA[{V_ENCRYPT}]]></Encrypt>"
          "<AgentID><![CDATA[218]]></AgentID></xml>")

# Our own corp for fresh messages.
TOKEN, CORP = "govmediaToken", "ww1676818480f66a4f"
KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
NOW = datetime(2025, 6, 18, 2, 30, tzinfo=UTC)


class FakeHandler:
    """Records commands and answers with a fixed text (or raises, or dawdles)."""

    def __init__(self, answer: str = "已记录", *, fail: bool = False, delay: float = 0) -> None:
        self.calls: list[tuple[str, Command]] = []
        self.answer, self.fail, self.delay = answer, fail, delay

    async def handle(self, userid: str, command: Command) -> str:
        self.calls.append((userid, command))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("database is down")
        return self.answer


def client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")  # type: ignore[arg-type]


def inner_xml(content: str, user: str = "Zhang.San", msgtype: str = "text") -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(NOW.timestamp())}</CreateTime><MsgType><![CDATA[{msgtype}]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>1234567890</MsgId><AgentID>1000002</AgentID></xml>")


def encrypted(content: str, *, at: datetime = NOW, nonce: str = "n0nce1", corp: str = CORP,
              msgtype: str = "text") -> tuple[dict[str, str], str]:
    """Query parameters and body of a message WeCom would POST, timestamped `at`."""
    out = ET.fromstring(WeChatCrypto(TOKEN, KEY, corp).encrypt_message(
        inner_xml(content, msgtype=msgtype), nonce, str(int(at.timestamp()))))
    params = {"msg_signature": out.findtext("MsgSignature") or "", "timestamp": out.findtext("TimeStamp") or "",
              "nonce": nonce}
    body = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{out.findtext('Encrypt')}]]>"
            "</Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>")
    return params, body


def decrypt_reply(text: str, token: str = TOKEN, key: str = KEY, corp: str = CORP) -> ET.Element:
    out = ET.fromstring(text)
    plain = WeChatCrypto(token, key, corp).decrypt_message(
        text, out.findtext("MsgSignature"), out.findtext("TimeStamp"), out.findtext("Nonce"))
    return ET.fromstring(plain)


@pytest.fixture
def handler() -> FakeHandler:
    return FakeHandler()


@pytest.fixture
async def bot(handler: FakeHandler) -> AsyncIterator[httpx.AsyncClient]:
    async with client(create_callback_app(TOKEN, KEY, CORP, handler, now=lambda: NOW)) as c:
        yield c


# --- official vectors ---------------------------------------------------------------------------


async def test_official_url_verification_vector() -> None:
    at = datetime.fromtimestamp(1409659589, UTC)
    async with client(create_callback_app(V_TOKEN, V_KEY, V_CORP, FakeHandler(), now=lambda: at)) as c:
        response = await c.get(CALLBACK_PATH, params=V_ECHO)
    assert response.status_code == 200 and response.text == "1616140317555161061"


async def test_official_vector_with_an_unencoded_plus() -> None:
    at = datetime.fromtimestamp(1409659589, UTC)
    query = "&".join(f"{k}={v}" for k, v in V_ECHO.items())  # '+' left raw, decoded to ' ' by the server
    async with client(create_callback_app(V_TOKEN, V_KEY, V_CORP, FakeHandler(), now=lambda: at)) as c:
        response = await c.get(f"{CALLBACK_PATH}?{query}")
    assert response.text == "1616140317555161061"


async def test_official_message_vector() -> None:
    handler = FakeHandler("收到")
    async with client(create_callback_app(V_TOKEN, V_KEY, V_CORP, handler, window_s=None)) as c:
        response = await c.post(CALLBACK_PATH, params=V_MSG, content=V_BODY)
    assert response.status_code == 200
    assert handler.calls == [("mycreate", Unknown("hello"))]
    reply = decrypt_reply(response.text, V_TOKEN, V_KEY, V_CORP)
    assert reply.findtext("ToUserName") == "mycreate" and reply.findtext("FromUserName") == V_CORP
    assert reply.findtext("Content") == "收到" and reply.findtext("MsgType") == "text"
    assert reply.findtext("AgentID") == "218"


async def test_official_message_vector_is_stale_with_the_window_on() -> None:
    async with client(create_callback_app(V_TOKEN, V_KEY, V_CORP, FakeHandler())) as c:
        assert (await c.post(CALLBACK_PATH, params=V_MSG, content=V_BODY)).status_code == 403


# --- fresh messages ----------------------------------------------------------------------------


async def test_fresh_message_round_trip(bot: httpx.AsyncClient, handler: FakeHandler) -> None:
    params, body = encrypted("已整改 123")
    response = await bot.post(CALLBACK_PATH, params=params, content=body)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    assert handler.calls == [("Zhang.San", ClaimFixed(123))]
    reply = decrypt_reply(response.text)
    assert reply.findtext("Content") == "已记录" and reply.findtext("ToUserName") == "Zhang.San"
    assert reply.findtext("CreateTime") == str(int(NOW.timestamp()))


async def test_timestamp_inside_the_window_is_accepted(bot: httpx.AsyncClient) -> None:
    for i, skew in enumerate((-299, 299)):
        params, body = encrypted("帮助", at=NOW + timedelta(seconds=skew), nonce=f"skew{i}")
        assert (await bot.post(CALLBACK_PATH, params=params, content=body)).status_code == 200


async def test_events_get_an_empty_200(bot: httpx.AsyncClient, handler: FakeHandler) -> None:
    params, body = encrypted("", msgtype="event")
    response = await bot.post(CALLBACK_PATH, params=params, content=body)
    assert response.status_code == 200 and response.text == "" and handler.calls == []


async def test_handler_failure_gets_a_polite_reply() -> None:
    async with client(create_callback_app(TOKEN, KEY, CORP, FakeHandler(fail=True), now=lambda: NOW)) as c:
        params, body = encrypted("状态")
        response = await c.post(CALLBACK_PATH, params=params, content=body)
    assert response.status_code == 200 and decrypt_reply(response.text).findtext("Content") == BUSY_REPLY


async def test_slow_handler_answers_later() -> None:
    late: list[tuple[str, str]] = []
    done = asyncio.Event()

    async def send_later(userid: str, text: str) -> None:
        late.append((userid, text))
        done.set()

    app = create_callback_app(TOKEN, KEY, CORP, FakeHandler("稍后答复", delay=0.2), now=lambda: NOW,
                              reply_timeout=0.05, late_reply=send_later)
    async with client(app) as c:
        params, body = encrypted("状态")
        response = await c.post(CALLBACK_PATH, params=params, content=body)
        assert response.status_code == 200 and response.text == ""
        await asyncio.wait_for(done.wait(), 2)
    assert late == [("Zhang.San", "稍后答复")]


# --- refusals ----------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xml><Encrypt>&d;</Encrypt></xml>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>"""


def tamper(signature: str) -> str:
    return ("0" if signature[0] != "0" else "1") + signature[1:]


async def refused(bot: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, method: str, params: dict[str, str],
                  content: str | bytes = "") -> int:
    """POST/GET, and check the refusal left exactly one warning line and no traceback."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="govmedia.bot.callback"):
        if method == "GET":
            response = await bot.get(CALLBACK_PATH, params=params)
        else:
            response = await bot.post(CALLBACK_PATH, params=params, content=content)
    records = [r for r in caplog.records if r.name == "govmedia.bot.callback"]
    assert len(records) == 1 and records[0].exc_info is None and "refused" in records[0].getMessage()
    return response.status_code


async def test_bad_signature(bot: httpx.AsyncClient, handler: FakeHandler, caplog: pytest.LogCaptureFixture) -> None:
    params, body = encrypted("帮助")
    assert await refused(bot, caplog, "POST", {**params, "msg_signature": tamper(params["msg_signature"])}, body) == 403
    echo = {**V_ECHO, "timestamp": str(int(NOW.timestamp()))}
    assert await refused(bot, caplog, "GET", echo) == 403
    assert handler.calls == []


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce"])
async def test_missing_parameters(bot: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, missing: str) -> None:
    params, body = encrypted("帮助")
    del params[missing]
    assert await refused(bot, caplog, "POST", params, body) == 403
    assert await refused(bot, caplog, "GET", {k: v for k, v in V_ECHO.items() if k != missing}) == 403


@pytest.mark.parametrize("skew", [-301, 301, -86400])
async def test_stale_or_future_timestamp(bot: httpx.AsyncClient, handler: FakeHandler,
                                         caplog: pytest.LogCaptureFixture, skew: int) -> None:
    params, body = encrypted("帮助", at=NOW + timedelta(seconds=skew))
    assert await refused(bot, caplog, "POST", params, body) == 403
    assert handler.calls == []


async def test_malformed_timestamp(bot: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    params, body = encrypted("帮助")
    assert await refused(bot, caplog, "POST", {**params, "timestamp": "1e9"}, body) == 403


async def test_replayed_nonce(bot: httpx.AsyncClient, handler: FakeHandler, caplog: pytest.LogCaptureFixture) -> None:
    params, body = encrypted("已整改 123")
    assert (await bot.post(CALLBACK_PATH, params=params, content=body)).status_code == 200
    assert await refused(bot, caplog, "POST", params, body) == 403
    assert len(handler.calls) == 1


async def test_oversized_body(bot: httpx.AsyncClient, handler: FakeHandler, caplog: pytest.LogCaptureFixture) -> None:
    params, body = encrypted("帮助")
    padded = body.replace("</xml>", " " * 70_000 + "</xml>")
    assert await refused(bot, caplog, "POST", params, padded) == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(20):
            yield b" " * 4096

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="govmedia.bot.callback"):
        response = await bot.post(CALLBACK_PATH, params=params, content=chunks())
    assert response.status_code == 413 and handler.calls == []


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY, "not xml at all", '{"Encrypt": "x"}',
                                     "<html><Encrypt>x</Encrypt></html>", "<xml><ToUserName>x</ToUserName></xml>",
                                     b"\xff\xfe<xml/>", ""])
async def test_hostile_or_malformed_xml(bot: httpx.AsyncClient, handler: FakeHandler,
                                        caplog: pytest.LogCaptureFixture, content: str | bytes) -> None:
    params, _ = encrypted("帮助")
    assert await refused(bot, caplog, "POST", params, content) == 400
    assert handler.calls == []


async def test_message_for_another_corp(bot: httpx.AsyncClient, handler: FakeHandler,
                                       caplog: pytest.LogCaptureFixture) -> None:
    params, body = encrypted("帮助", corp="wwsomeoneelse0000")
    assert await refused(bot, caplog, "POST", params, body) == 403
    assert handler.calls == []


async def test_wrong_method(bot: httpx.AsyncClient) -> None:
    assert (await bot.put(CALLBACK_PATH)).status_code == 405

"""Issue 17, items 7, 8, 12: the callback remembers handled messages across restarts, refuses every
malformed query parameter with a 4xx, and bounds how long a client may take to send its request."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from test_rel_callback import CORP, KEY, NOW, TOKEN, _setup, inner, reply_text, signed

from bot.callback import CALLBACK_PATH, create_callback_app, server_config
from bot.service import ReplyHandler
from cli_commands.storage import notify_storage
from registry.db.models import InboundMessage, Silence


def _app() -> object:
    """A fresh callback app, as after a restart: empty in-process replay memory, the same database."""
    handler = ReplyHandler((), notify_storage())
    return create_callback_app(TOKEN, KEY, CORP, handler, now=lambda: NOW, claim=handler.claim)


async def test_a_replayed_exemption_after_a_restart_runs_once(db: str) -> None:
    ids = await _setup()
    params, body = signed(inner(f"豁免 {ids['xihe_op']} 30 改版", "xihe_op"))
    statuses = []
    for _ in range(2):  # the second app is the restarted server; the captured request is resent within 300 s
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://bot") as client:
            response = await client.post(CALLBACK_PATH, params=params, content=body)
            statuses.append(response.status_code)
            if response.status_code == 200:
                assert "已提交豁免申请" in reply_text(response)
    assert statuses == [200, 403]
    assert await Silence.all().count() == 1
    rows = await InboundMessage.all()
    assert len(rows) == 1 and rows[0].msg_id.startswith("wecom:") and "Exempt" in rows[0].content


@pytest.mark.parametrize("field,value", [("timestamp", "²"), ("timestamp", "١٢٣"), ("timestamp", "-1"),
                                         ("nonce", "n\x00"), ("nonce", "x" * 200), ("msg_signature", "zz"),
                                         ("msg_signature", "é" * 40)])
async def test_malformed_query_parameters_are_4xx(field: str, value: str) -> None:
    app = create_callback_app(TOKEN, KEY, CORP, ReplyHandler((), notify_storage()), now=lambda: NOW)
    params, body = signed(inner("帮助", "xihe_op"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        for method in ("GET", "POST"):
            query = {**params, field: value, "echostr": "abc"}
            response = await client.request(method, CALLBACK_PATH, params=query, content=body if method == "POST" else None)
            assert 400 <= response.status_code < 500, (method, response.status_code)


async def test_slow_clients_are_cut_off() -> None:
    import uvicorn

    app = create_callback_app(TOKEN, KEY, CORP, ReplyHandler((), notify_storage()), now=lambda: NOW)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = server_config(app, "127.0.0.1", port, header_timeout=0.5)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /wecom/callback HTTP/1.1\r\nHost: x\r\n")  # and never the rest of the head
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), timeout=5) == b""  # closed by the server
        writer.close()
    finally:
        server.should_exit = True
        await task


async def test_a_body_sent_too_slowly_is_408() -> None:
    from starlette.requests import Request

    from bot.callback import Rejected, _read_body

    async def trickle() -> dict[str, object]:
        await asyncio.sleep(5)
        return {"type": "http.request", "body": b"x", "more_body": False}

    request = Request({"type": "http", "method": "POST", "path": CALLBACK_PATH, "headers": [], "query_string": b""},
                      trickle)
    with pytest.raises(Rejected) as refused:
        await _read_body(request, 1000, timeout=0.2)
    assert refused.value.status == 408

"""Issue 25, item 10: idle sockets cannot deny the WeCom callback. 70 connections that never finish a
request head used to fill the 64-connection cap, and every signed callback got 503 until they timed out;
now idle connections are dropped oldest first once they would take the room kept for requests.

A real uvicorn server on 127.0.0.1 (ephemeral port) with the real reply handler and database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import httpx
import uvicorn
from test_rel_callback import CORP, KEY, NOW, TOKEN, _setup, inner, reply_text, signed

from bot.callback import CALLBACK_PATH, MAX_CONNECTIONS, REQUEST_ROOM, create_callback_app, server_config
from bot.service import ReplyHandler
from cli_commands.storage import notify_storage


@asynccontextmanager
async def _serving(header_timeout: float) -> AsyncIterator[int]:
    handler = ReplyHandler((), notify_storage())
    app = create_callback_app(TOKEN, KEY, CORP, handler, now=lambda: NOW, claim=handler.claim)
    server = uvicorn.Server(server_config(app, "127.0.0.1", 0, header_timeout=header_timeout))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def test_signed_callbacks_succeed_beside_70_idle_sockets(db: str) -> None:
    ids = await _setup()
    # a head deadline far longer than the test: only dropping idle connections can make room
    async with _serving(header_timeout=60.0) as port:
        idle = []
        for i in range(MAX_CONNECTIONS + 6):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if i % 2:  # half send part of a head (slowloris), half nothing at all
                writer.write(b"POST /wecom/callback HTTP/1.1\r\nHost: x\r\n")
                await writer.drain()
            idle.append((reader, writer))
        await asyncio.sleep(0.3)  # every idle connection accepted
        calls = [signed(inner(text, "xihe_op")) for text in ["帮助"] * 30 + [f"已整改 {ids['xihe_op']}"]]
        limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30) as client:
            answers = await asyncio.gather(*(client.post(CALLBACK_PATH, params=p, content=b) for p, b in calls))
        statuses = [a.status_code for a in answers]
        assert statuses == [200] * len(calls), statuses
        assert "已记录" in reply_text(answers[-1])
        # idle connections past the idle share of the cap were closed by the server
        closed = 0
        for reader, writer in idle:
            with suppress(TimeoutError, ConnectionError):
                closed += await asyncio.wait_for(reader.read(), 0.05) == b""
            writer.close()
        assert closed >= len(idle) - (MAX_CONNECTIONS - REQUEST_ROOM), closed

"""The WeCom callback (`govmedia bot serve`): URL verification and encrypted reply commands.

`GET /wecom/callback?msg_signature&timestamp&nonce&echostr` answers the decrypted echostr.
`POST /wecom/callback?msg_signature&timestamp&nonce` with `<xml><Encrypt>…</Encrypt></xml>`
decrypts the message, runs a text command through the handler and answers with an encrypted
passive reply. Refusals, each with one warning line and no traceback: body over `max_body` → 413;
missing parameters, a timestamp outside ±`window_s`, a bad signature, a foreign corp id or a
(timestamp, nonce) pair already seen → 403; a body that is not plain XML (DTDs and entities are
refused outright: billion laughs, external entities) → 400.

Every text message is also claimed in the database before its command runs (`claim`: WeCom's MsgId,
or the signature when there is none), so a captured message resent after a restart is refused (403)
and never runs twice. The in-process replay memory is an in-memory LRU of `replay_size` pairs; with the timestamp window it
covers any realistic volume for one county (WeCom's own retries of a slow answer are refused
too, which is the safe side: a command never runs twice). The crypto is wechatpy's, called
directly: it is pure CPU work on a few hundred bytes. If the handler does not answer within
`reply_timeout` (WeCom waits 5 s), the request gets an empty 200 and the handler keeps going;
its answer is then passed to `late_reply` (say, an app message) when one is given.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.messages import TextMessage
from wechatpy.enterprise.replies import create_reply
from wechatpy.exceptions import InvalidSignatureException

from bot.commands import CommandHandler, parse_command
from bot.limits import REPLY_BYTES, clip_bytes

log = logging.getLogger("govmedia.bot.callback")

CALLBACK_PATH = "/wecom/callback"
MAX_BODY = 64 * 1024
WINDOW_S = 300
REPLAY_SIZE = 4096
REPLY_TIMEOUT_S = 4.0
HEADER_TIMEOUT_S = 5.0  # a client must send its request head within this, or the connection is closed
BODY_TIMEOUT_S = 10.0  # ... and its body within this (slow clients would otherwise hold file descriptors)
MAX_CONNECTIONS = 64
#: Places of the connection cap that idle connections (no request head yet, or between keep-alive
#: requests) may never take: past ``MAX_CONNECTIONS - REQUEST_ROOM`` a new connection closes the oldest
#: idle one, so 70 sockets that never speak cannot shut out WeCom's signed callbacks.
REQUEST_ROOM = 16
BUSY_REPLY = "系统繁忙，请稍后再试。"
#: The inbound-log key of the message being handled (the handler records its reply under it).
INBOUND_ID: ContextVar[str | None] = ContextVar("govmedia_inbound_id", default=None)
_SIGNATURE = re.compile(r"[0-9a-fA-F]{40}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[0-9A-Za-z_\-]{1,64}")
_MSG_ID = re.compile(r"[0-9A-Za-z_\-]{1,40}")


class Rejected(Exception):
    """A request refused with an HTTP status and a reason for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ReplayGuard:
    """Remembers recently seen (timestamp, nonce) pairs, oldest forgotten first."""

    def __init__(self, size: int = REPLAY_SIZE) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._size = size

    def first_time(self, timestamp: str, nonce: str) -> bool:
        """Record the pair; False when it was already there."""
        key = (timestamp, nonce)
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


def parse_xml(data: bytes | str) -> dict[str, str]:
    """Child elements of a flat `<xml>` document as {tag: text}; ValueError for anything hostile or malformed."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not acceptable XML ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise ValueError(f"unexpected root element <{root.tag[:40]}>")
    return {child.tag: (child.text or "").strip() for child in root}


async def _read_body(request: Request, limit: int, timeout: float = BODY_TIMEOUT_S) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise Rejected(413, f"body of {declared[:20]} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Rejected(413, f"body over {limit} bytes")
                chunks.append(chunk)
    except ClientDisconnect:
        raise Rejected(400, "client went away") from None
    except TimeoutError:
        raise Rejected(408, f"body not received within {timeout:.0f}s") from None
    return b"".join(chunks)


def server_config(app: Any, host: str, port: int, *, header_timeout: float = HEADER_TIMEOUT_S,
                  max_connections: int = MAX_CONNECTIONS, request_room: int = REQUEST_ROOM) -> Any:
    """The uvicorn config for the callback: bounded connections, idle ones dropped first, a deadline for each head."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    idle_cap = max(1, max_connections - request_room)

    class HeadDeadlineProtocol(H11Protocol):
        """uvicorn's h11 protocol, closing a connection whose first request head is not in after the deadline,
        and the oldest idle connection when idle ones would take the room kept for requests."""

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            loop = asyncio.get_running_loop()
            self._opened = loop.time()
            self._head_timer = loop.call_later(header_timeout, self._head_deadline)
            if len(self.connections) > idle_cap:
                self._drop_oldest_idle()

        def _idle(self) -> bool:
            return (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing()

        def _drop_oldest_idle(self) -> None:
            idle = [c for c in self.connections if c is not self and isinstance(c, HeadDeadlineProtocol) and c._idle()]
            if idle:
                oldest = min(idle, key=lambda c: c._opened)
                log.warning("callback: %d connections open; closed the oldest idle one", len(self.connections))
                oldest.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self._head_timer.cancel()
            super().connection_lost(exc)

        def _head_deadline(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                log.warning("callback: closed a connection that sent no request head within %.0fs", header_timeout)
                self.transport.close()

    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, http=HeadDeadlineProtocol,
                          limit_concurrency=max_connections, timeout_keep_alive=5, timeout_graceful_shutdown=5)


def message_key(inner: dict[str, str], signature: str) -> str:
    """The inbound-log key of a decrypted message: WeCom's MsgId, or its signature when it has none."""
    msg_id = inner.get("MsgId", "")
    return f"wecom:{msg_id}" if _MSG_ID.fullmatch(msg_id) else f"sig:{signature.lower()}"


def create_callback_app(
    token: str,
    aes_key: str,
    corp_id: str,
    handler: CommandHandler,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    max_body: int = MAX_BODY,
    window_s: int | None = WINDOW_S,
    replay_size: int = REPLAY_SIZE,
    reply_timeout: float = REPLY_TIMEOUT_S,
    late_reply: Callable[[str, str], Awaitable[None]] | None = None,
    claim: Callable[[str, str], Awaitable[bool]] | None = None,
) -> Starlette:
    """The callback ASGI app; `window_s=None` turns the timestamp check off (fixed test vectors only)."""
    crypto = WeChatCrypto(token, aes_key, corp_id)
    replays = ReplayGuard(replay_size)
    background: set[asyncio.Task[Any]] = set()

    def check_query(request: Request, *extra: str) -> tuple[str, str, str, list[str]]:
        query = request.query_params
        signature, timestamp, nonce = (query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise Rejected(403, "missing msg_signature, timestamp or nonce")
        # str.isdigit() accepts '²' and other digits int() refuses: match ASCII only, before any use
        if not _TIMESTAMP.fullmatch(timestamp):
            raise Rejected(403, "malformed timestamp")
        if not _SIGNATURE.fullmatch(signature):
            raise Rejected(403, "malformed msg_signature")
        if not _NONCE.fullmatch(nonce):
            raise Rejected(403, "malformed nonce")
        if any(len(query.get(k, "")) > 4096 for k in extra):
            raise Rejected(400, "parameter too long")
        if window_s is not None and abs(now().timestamp() - int(timestamp)) > window_s:
            raise Rejected(403, f"timestamp {timestamp} outside ±{window_s}s")
        return signature, timestamp, nonce, [query.get(k, "") for k in extra]

    def remember(timestamp: str, nonce: str) -> None:
        # Only signed requests get here, so a forger cannot fill the memory with junk pairs.
        if not replays.first_time(timestamp, nonce):
            raise Rejected(403, f"replayed nonce {nonce[:32]}")

    async def verify(request: Request) -> Response:
        signature, timestamp, nonce, (echostr,) = check_query(request, "echostr")
        if not echostr:
            raise Rejected(400, "missing echostr")
        # A '+' sent unencoded arrives as a space; base64 never contains spaces.
        echostr = echostr.replace(" ", "+")
        try:
            plain = crypto.check_signature(signature, timestamp, nonce, echostr)
        except InvalidSignatureException:
            raise Rejected(403, "bad signature") from None
        except Exception as exc:  # a signed but undecryptable echostr: wrong key or corp id
            raise Rejected(403, f"echostr not decryptable ({type(exc).__name__})") from None
        remember(timestamp, nonce)
        return PlainTextResponse(str(plain))

    async def receive(request: Request) -> Response:
        body = await _read_body(request, max_body)
        signature, timestamp, nonce, _ = check_query(request)
        try:
            outer = parse_xml(body)
        except ValueError as exc:
            raise Rejected(400, str(exc)) from None
        if not outer.get("Encrypt"):
            raise Rejected(400, "no Encrypt element")
        try:
            plain = crypto.decrypt_message({"Encrypt": outer["Encrypt"]}, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "bad signature") from None
        except Exception as exc:  # signed but not ours: wrong corp id, key or padding
            raise Rejected(403, f"message not decryptable ({type(exc).__name__})") from None
        remember(timestamp, nonce)
        try:
            inner = parse_xml(plain)
        except ValueError as exc:
            raise Rejected(400, f"decrypted {exc}") from None
        userid = inner.get("FromUserName", "")
        if inner.get("MsgType", "").lower() != "text" or not userid:
            return Response(status_code=200)  # events and media: received, nothing to say
        key = message_key(inner, signature)
        if claim is not None and not await claim(key, userid[:64]):
            raise Rejected(403, f"message {key[:48]} already handled")
        marker = INBOUND_ID.set(key)
        try:
            answer = await run_handler(userid, inner.get("Content", ""))
        finally:
            INBOUND_ID.reset(marker)
        if answer is None:
            return Response(status_code=200)
        reply = create_reply(clip_bytes(answer, REPLY_BYTES), TextMessage(inner))
        reply.time = int(now().timestamp())
        out_ts = str(int(now().timestamp()))
        xml = crypto.encrypt_message(reply.render(), secrets.token_hex(8), out_ts)
        return Response(str(xml), media_type="application/xml")

    async def run_handler(userid: str, text: str) -> str | None:
        task = asyncio.ensure_future(handler.handle(userid, parse_command(text)))
        try:
            return await asyncio.wait_for(asyncio.shield(task), reply_timeout)
        except TimeoutError:
            log.warning("callback: handler slower than %.1fs for %s; reply goes asynchronously", reply_timeout, userid)
            background.add(task)
            task.add_done_callback(lambda t: deliver_late(t, userid))
            return None
        except Exception as exc:
            log.warning("callback: handler failed for %s: %s: %s", userid, type(exc).__name__, exc)
            return BUSY_REPLY

    def deliver_late(task: asyncio.Task[Any], userid: str) -> None:
        background.discard(task)
        if task.cancelled() or task.exception() is not None:
            log.warning("callback: late handler for %s did not finish", userid)
            return
        if late_reply is not None:
            follow = asyncio.ensure_future(late_reply(userid, str(task.result())))
            background.add(follow)
            follow.add_done_callback(background.discard)

    async def endpoint(request: Request) -> Response:
        try:
            return await (verify(request) if request.method == "GET" else receive(request))
        except Rejected as exc:
            client = request.client.host if request.client else "?"
            log.warning("callback: %s %s from %s refused with %d: %s",
                        request.method, CALLBACK_PATH, client, exc.status, exc.reason)
            return PlainTextResponse("", status_code=exc.status)
        except Exception as exc:  # the database went away, say: one line, no traceback, WeCom retries
            log.warning("callback: %s %s failed: %s: %s", request.method, CALLBACK_PATH, type(exc).__name__,
                        str(exc).splitlines()[0][:200] if str(exc) else "")
            return PlainTextResponse("", status_code=503)

    return Starlette(routes=[Route(CALLBACK_PATH, endpoint, methods=["GET", "POST"])])

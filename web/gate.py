"""The gate every request passes: session cookie, login required, security headers.

``/healthz``, ``/login`` (with WeCom sign-in's two steps) and the bundled ``/static`` assets are open; every other path needs a logged-in,
enabled user (pages are redirected to /login, anything else gets 401). The user is reloaded on every
request, so a disabled user or a reset password ends its sessions at once (the epoch changes).
"""

from __future__ import annotations

import time
from urllib.parse import quote

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from registry.ops.webusers import web_user_by_name
from registry.views.console import unit_scope
from web.auth import User
from web.session import COOKIE, SessionCodec

OPEN_PATHS = ("/healthz", "/login", "/login/wecom", "/login/wecom/callback")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class Gate(BaseHTTPMiddleware):
    """Loads the session and the user, refuses anonymous requests, refreshes the cookie, adds headers."""

    def __init__(self, app: ASGIApp, codec: SessionCodec) -> None:
        super().__init__(app)
        self.codec = codec

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Gate one request."""
        session = self.codec.load(request.cookies.get(COOKIE))
        request.state.session = session
        request.state.user = None
        path = request.url.path
        if session.user:
            facts = await web_user_by_name(session.user)
            if facts is None or facts.disabled or facts.session_epoch != session.epoch:
                session.user = ""
            else:
                scope = None if facts.role != "unit" else await unit_scope(facts.unit_id)
                request.state.user = User(facts.name, facts.role, facts.unit_id, facts.unit_name, scope)
        is_open = path in OPEN_PATHS or path.startswith("/static/")
        if request.state.user is None and not is_open:
            response = self._refuse(request)
        else:
            response = await call_next(request)
        if not path.startswith("/static/") and path != "/healthz":
            session.seen = time.time()
            response.headers.append("Set-Cookie", self.codec.cookie_header(session))
        for key, value in HEADERS.items():
            if key == "Cache-Control" and path.startswith("/static/"):
                continue
            response.headers.setdefault(key, value)
        return response

    @staticmethod
    def _refuse(request: Request) -> Response:
        wants_page = request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", "")
        if wants_page:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
        return PlainTextResponse("需要登录 (login required)", status_code=401)

"""The console's starlette application: routes, the gate, templates and bundled assets."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web import accounts, findings, ledger, login, overview, proofread, reports, reviews, users, wecom_login
from web.gate import Gate
from web.render import build_env, page
from web.services import Services
from web.session import SessionCodec

MESSAGES = {401: "需要登录", 403: "没有权限执行此操作", 404: "找不到该页面或记录", 405: "不支持该请求方式",
            413: "上传的文件过大", 429: "请求过于频繁"}


async def healthz(request: Request) -> Response:
    """Liveness, without login."""
    return PlainTextResponse("ok")


async def http_error(request: Request, exc: Exception) -> Response:
    """A Chinese error page (plain text for anonymous requests)."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    text = MESSAGES.get(code, "出错了")
    if getattr(request.state, "user", None) is None or not hasattr(request.state, "session"):
        return PlainTextResponse(text, status_code=code)
    return page(request, "error.html", status_code=code, code=code, message=text)


def create_app(services: Services) -> Starlette:
    """The console app; the registry database must be open while it serves."""
    routes = [
        Route("/healthz", healthz),
        Route("/login", login.login_form, methods=["GET"]),
        Route("/login", login.login_submit, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        *wecom_login.ROUTES,
        Route("/", overview.overview_page),
        *accounts.ROUTES, *findings.ROUTES, *reviews.ROUTES, *reports.ROUTES, *ledger.ROUTES,
        *proofread.ROUTES, *users.ROUTES,
        Mount("/static", StaticFiles(packages=[("web", "static")]), name="static"),
    ]
    codec = SessionCodec(services.secret_key, idle_s=services.idle_timeout_s, secure=services.secure_cookies)
    app = Starlette(routes=routes, middleware=[Middleware(Gate, codec=codec)],
                    exception_handlers={HTTPException: http_error})
    app.state.services = services
    app.state.env = build_env(services)
    app.state.trend_cache = {}
    return app

"""/login/wecom and its callback: sign in as the web user linked to a WeCom member (企业微信登录).

The first step remembers a random ``state`` in the session cookie and sends the browser to WeCom (its QR
page, or the silent page authorisation inside the WeCom app); WeCom sends it back with a code and that
state. A state that is not the remembered one is refused (a forged or replayed callback), the code is
exchanged once for the member's userid, and the member signs in as the enabled web user linked to that
userid (`govmedia web user link`). Failures count toward the address's login lockout, as passwords do.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry.ops import webusers
from web.auth import session_of
from web.login import address_key, locked_text, start_session
from web.render import page
from web.services import Services, WeComLogin

log = logging.getLogger("govmedia.web")
CALLBACK = "/login/wecom/callback"
STATE_MAX = 128  # WeCom returns at most 128 bytes of state


def _wecom(request: Request) -> tuple[Services, WeComLogin]:
    services: Services = request.app.state.services
    if services.wecom is None:
        raise HTTPException(404)
    return services, services.wecom


async def wecom_start(request: Request) -> Response:
    """Send the browser to WeCom with a fresh state."""
    services, wecom = _wecom(request)
    session = session_of(request)
    session.oauth = secrets.token_urlsafe(24)
    in_wecom = "wxwork" in request.headers.get("user-agent", "").lower()  # WeCom's own browser says so
    target = services.public_url.rstrip("/") + CALLBACK
    return RedirectResponse(wecom.authorize_url(target, session.oauth, in_wecom=in_wecom), status_code=303)


def _refused(request: Request, status: int, error: str) -> Response:
    return page(request, "login.html", status_code=status, next="/", error=error)


async def wecom_callback(request: Request) -> Response:
    """Check the state, exchange the code, sign the linked web user in."""
    services, wecom = _wecom(request)
    session = session_of(request)
    expected, session.oauth = session.oauth, ""
    state = request.query_params.get("state", "")[:STATE_MAX]
    if not expected or not secrets.compare_digest(state.encode(), expected.encode()):
        return _refused(request, 400, "登录请求已失效，请重新点击“企业微信登录”。")
    code = request.query_params.get("code", "")
    if not code:
        return _refused(request, 200, "已取消企业微信登录。")
    addr_key = address_key(request)
    t = services.throttle
    now = dt.datetime.now(dt.UTC)
    fails, _ = await webusers.recent_failures(addr_key, now - dt.timedelta(seconds=t.window_s))
    if fails >= t.lock_addr:
        log.warning("WeCom login locked for %s", addr_key)
        return _refused(request, 429, locked_text(t))
    member = await wecom.member(code)
    if member.userid is None:
        await webusers.record_login_attempt([addr_key], False, now)
        log.warning("WeCom login failed from %s: %s", addr_key, member.problem_zh)
        return _refused(request, 401, member.problem_zh + "。")
    facts = await webusers.web_user_by_wecom(member.userid)
    keys = [f"wecom:{member.userid[:64]}", addr_key]
    await webusers.record_login_attempt(keys, facts is not None, now)
    if facts is None:
        log.warning("WeCom member %s has no enabled web user", member.userid)
        return _refused(request, 403, f"企业微信成员 {member.userid} 没有关联可用的网页账号，请联系县政务公开办管理员"
                                      "（govmedia web user link 用户名 企业微信账号）。")
    start_session(request, facts)
    log.info("web login via WeCom: %s (%s)", facts.name, member.userid)
    return RedirectResponse("/", status_code=303)


ROUTES = [Route("/login/wecom", wecom_start, methods=["GET"]), Route(CALLBACK, wecom_callback, methods=["GET"])]

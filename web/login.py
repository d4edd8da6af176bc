"""/login and /logout: the password form, throttled and locked per user name and per address."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from registry.ops import webusers
from web.auth import checked_form, session_of
from web.passwords import hash_password, needs_rehash, verify_password
from web.render import page
from web.services import Services, Throttle

log = logging.getLogger("govmedia.web")


def _safe_next(target: str) -> str:
    """Only a local path (never //host or a scheme) is followed after login."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def address_key(request: Request) -> str:
    """The throttling key of the request's address (both ways of logging in count toward it)."""
    return f"addr:{request.client.host if request.client else 'unknown'}"


def locked_text(t: Throttle) -> str:
    """What a locked-out login is told."""
    return f"登录失败次数过多，已暂时锁定，请 {t.window_s // 60} 分钟后再试或联系管理员。"


def start_session(request: Request, facts: webusers.WebUserFacts) -> None:
    """Make the request's session that of ``facts``'s user, with a new CSRF token for the new session."""
    session = session_of(request)
    session.user, session.epoch = facts.name, facts.session_epoch
    session.csrf = secrets.token_urlsafe(24)


async def login_form(request: Request) -> Response:
    """The login page."""
    if getattr(request.state, "user", None) is not None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", next=_safe_next(request.query_params.get("next", "/")), error="")


async def login_submit(request: Request) -> Response:
    """Check a name and password; slow down and lock after repeated failures."""
    services: Services = request.app.state.services
    form = await checked_form(request, max_files=0, max_fields=10, max_part_size=4096)
    name = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or "/"))
    user_key, addr_key = f"user:{name[:64]}", address_key(request)
    t = services.throttle
    now = dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(seconds=t.window_s)
    user_fails, _ = await webusers.recent_failures(user_key, since)
    addr_fails, _ = await webusers.recent_failures(addr_key, since)
    if user_fails >= t.lock_user or addr_fails >= t.lock_addr:
        log.warning("login locked for %s from %s", user_key, addr_key)
        return page(request, "login.html", status_code=429, next=target, error=locked_text(t))
    worst = max(user_fails, addr_fails)
    if worst >= t.slow_after and t.delay_s > 0:
        await t.sleep(min(t.delay_s * 2 ** (worst - t.slow_after), 8.0))
    stored = await webusers.password_hash_of(name)
    ok = verify_password(stored, password)
    await webusers.record_login_attempt([user_key, addr_key], ok, now)
    if not ok or stored is None:
        return page(request, "login.html", status_code=401, next=target, error="用户名或密码错误。")
    if needs_rehash(stored):
        await webusers.rehash_password(name, hash_password(password))
    facts = await webusers.web_user_by_name(name)
    assert facts is not None
    start_session(request, facts)
    log.info("web login: %s", facts.name)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """End the session."""
    await checked_form(request, max_files=0, max_fields=2)
    session = session_of(request)
    session.user, session.epoch = "", 0
    return RedirectResponse("/login", status_code=303)

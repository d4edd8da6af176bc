"""Sessions in signed cookies: who is logged in, the CSRF token, the last activity (idle timeout).

Nothing is stored server-side except the user's ``session_epoch``, which the cookie carries: a
password reset or a disable raises it and so ends every session of that user.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "gm_session"


@dataclass
class Session:
    """The decoded cookie: user name and epoch (empty when anonymous), CSRF token, last activity."""

    user: str = ""
    epoch: int = 0
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    seen: float = field(default_factory=time.time)
    #: The ``state`` of a WeCom sign-in under way ("" = none): the callback must bring this one back.
    oauth: str = ""

    def csrf_ok(self, token: str | None) -> bool:
        """Whether a submitted token is this session's (constant-time)."""
        return bool(token) and hmac.compare_digest(self.csrf, str(token))


@dataclass(frozen=True)
class SessionCodec:
    """Signs and reads the session cookie; ``idle_s`` ends a session not used for that long."""

    secret: bytes
    idle_s: int = 1800
    secure: bool = False

    def _ser(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt="govmedia-web-session")

    def load(self, raw: str | None, now: float | None = None) -> Session:
        """The session in a cookie; a fresh anonymous one when absent, forged or idle too long."""
        if not raw:
            return Session()
        try:
            data: Any = self._ser().loads(raw)
        except BadSignature:
            return Session()
        if not isinstance(data, dict):
            return Session()
        now = time.time() if now is None else now
        seen = float(data.get("t", 0))
        csrf = str(data.get("c") or "") or secrets.token_urlsafe(24)
        if now - seen > self.idle_s:
            return Session(csrf=csrf)
        return Session(user=str(data.get("u", "")), epoch=int(data.get("e", 0)), csrf=csrf, seen=now,
                       oauth=str(data.get("o", "")))

    def dump(self, session: Session) -> str:
        """The signed cookie value."""
        data = {"u": session.user, "e": session.epoch, "c": session.csrf, "t": session.seen}
        if session.oauth:
            data["o"] = session.oauth
        return str(self._ser().dumps(data))

    def cookie_header(self, session: Session) -> str:
        """A Set-Cookie value: HttpOnly, SameSite=Lax, Secure when configured, path /."""
        parts = [f"{COOKIE}={self.dump(session)}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

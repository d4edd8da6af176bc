"""Who is asking: the logged-in user, its role and unit scope; role checks and the CSRF check of forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from registry.views.console import Scope
from web.session import Session

ROLE_LABELS = {"admin": "管理员", "unit": "单位用户", "viewer": "只读用户"}


@dataclass(frozen=True)
class User:
    """A logged-in web user; ``scope`` is None for every unit, else the unit ids it may see and act on."""

    name: str
    role: str
    unit_id: int | None
    unit_name: str
    scope: Scope

    @property
    def actor(self) -> str:
        """The name written to the audit trail."""
        return f"web:{self.name}"

    @property
    def can_change(self) -> bool:
        """Whether the user may change anything at all (viewers may not)."""
        return self.role in ("admin", "unit")


def current_user(request: Request) -> User:
    """The logged-in user (the gate has already refused anonymous requests)."""
    user: User | None = getattr(request.state, "user", None)
    if user is None:  # not reached through the gate
        raise HTTPException(401)
    return user


def session_of(request: Request) -> Session:
    """The request's session (anonymous ones too)."""
    session: Session = request.state.session
    return session


Handler = Callable[[Request], Awaitable[Response]]


def roles(*allowed: str) -> Callable[[Handler], Handler]:
    """Refuse (403) a user whose role is not among ``allowed``."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def inner(request: Request) -> Response:
            if current_user(request).role not in allowed:
                raise HTTPException(403)
            return await handler(request)

        inner.allowed_roles = allowed  # type: ignore[attr-defined]
        return inner

    return wrap


async def checked_form(request: Request, **limits: Any) -> Any:
    """The posted form after its CSRF token matched the session's (403 otherwise)."""
    form = await request.form(**limits)
    token = form.get("csrf_token")
    if not session_of(request).csrf_ok(token if isinstance(token, str) else None):
        raise HTTPException(403, "CSRF")
    return form


def int_param(value: Any, default: int | None = None) -> int | None:
    """A small positive integer from a query or path parameter, else ``default``."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 9 else default

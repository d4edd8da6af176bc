"""用户 /users (admin): web users and roles (add, disable, reset password) and the `doctor` summary."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry.ledger.accounts import NotFound
from registry.ops import webusers
from registry.views.console import units_in
from web.auth import checked_form, current_user, roles
from web.passwords import hash_password, password_problem
from web.render import page
from web.services import Services


async def _page(request: Request, status_code: int = 200, error: str = "", done: str = "") -> Response:
    services: Services = request.app.state.services
    return page(request, "users.html", status_code=status_code, users=await webusers.list_web_users(),
                units=await units_in(None), doctor=await services.doctor(), error=error,
                done=done or request.query_params.get("done", ""))


async def _new_password(request: Request, form: FormData) -> tuple[str, Response | None]:
    """The form's new password, or the page that refuses it (too short, too common …)."""
    password = str(form.get("password") or "")
    problem = password_problem(password)
    return password, (await _page(request, 400, problem[0]) if problem else None)


@roles("admin")
async def user_list(request: Request) -> Response:
    """Users, the add form and the doctor summary."""
    return await _page(request)


@roles("admin")
async def user_add(request: Request) -> Response:
    """Add a user (the same use case as `govmedia web user add`)."""
    form = await checked_form(request, max_files=0, max_fields=8, max_part_size=4096)
    password, refused = await _new_password(request, form)
    if refused is not None:
        return refused
    try:
        await webusers.add_web_user(str(form.get("name") or ""), str(form.get("role") or ""),
                                    str(form.get("unit") or "") or None, hash_password(password),
                                    actor=current_user(request).actor)
    except (ValueError, NotFound) as exc:
        return await _page(request, 400, str(exc))
    return RedirectResponse("/users?done=added", status_code=303)


@roles("admin")
async def user_disable(request: Request) -> Response:
    """Disable a user (its sessions end)."""
    form = await checked_form(request, max_files=0, max_fields=4)
    user = current_user(request)
    name = str(form.get("name") or "")
    if name == user.name:
        return await _page(request, 400, "不能停用自己")
    try:
        await webusers.disable_web_user(name, actor=user.actor)
    except NotFound as exc:
        return await _page(request, 404, str(exc))
    return RedirectResponse("/users?done=disabled", status_code=303)


@roles("admin")
async def user_reset(request: Request) -> Response:
    """Set a new password for a user (its sessions end; a disabled user is enabled again)."""
    form = await checked_form(request, max_files=0, max_fields=6, max_part_size=4096)
    password, refused = await _new_password(request, form)
    if refused is not None:
        return refused
    try:
        await webusers.reset_web_password(str(form.get("name") or ""), hash_password(password),
                                          actor=current_user(request).actor)
    except NotFound as exc:
        return await _page(request, 404, str(exc))
    return RedirectResponse("/users?done=reset", status_code=303)


ROUTES = [
    Route("/users", user_list),
    Route("/users/add", user_add, methods=["POST"]),
    Route("/users/disable", user_disable, methods=["POST"]),
    Route("/users/reset", user_reset, methods=["POST"]),
]

"""问题 /findings: open findings with evidence, age and owner; 已整改 and 豁免 (unit), approval (admin)."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry.notify.replies import claim_fixed
from registry.notify.silences import add_silence, set_silence_state
from registry.views.console import finding_in_scope, finding_page, page_count, pending_silences
from web.auth import checked_form, current_user, int_param, roles
from web.render import page
from web.services import Services

PER_PAGE = 30
MAX_EXEMPT_DAYS = 90  # as the bot allows


async def finding_list(request: Request) -> Response:
    """Findings of the user's scope, vetoes first."""
    user = current_user(request)
    p = request.query_params
    state = p.get("state") if p.get("state") in ("open", "resolved", "all") else "open"
    severity = p.get("severity") or None
    services: Services = request.app.state.services
    if severity not in services.severity_labels:
        severity = None
    number = int_param(p.get("page"), 1) or 1
    total, rows = await finding_page(user.scope, state=str(state), page=number, per_page=PER_PAGE, severity=severity)
    return page(request, "findings.html", rows=rows, total=total, state=state, severity=severity or "",
                page_no=number, pages=page_count(total, PER_PAGE), silences=await pending_silences(user.scope),
                max_days=MAX_EXEMPT_DAYS, flash=_flash(p.get("done", "")))


def _flash(done: str) -> str:
    """The confirmation shown after an action (the redirect carries only the action and a number)."""
    action, _, number = done.partition("-")
    if not number.isdigit():
        return ""
    return {"fixed": f"已记录：编号{number}已整改，下次检查将核实。",
            "exempt": f"已记录：编号{number}的豁免已提交（单位用户提交的申请待县政务公开办审批后生效）。",
            "approved": f"已记录：豁免 #{number} 已批准生效。"}.get(action, "")


async def _open_finding(request: Request) -> dict[str, object]:
    user = current_user(request)
    finding_id = int_param(request.path_params["finding_id"])
    found = await finding_in_scope(finding_id, user.scope) if finding_id else None
    if found is None:
        raise HTTPException(404)
    if found["state"] != "open":
        raise HTTPException(409)
    return found


@roles("admin", "unit")
async def mark_fixed(request: Request) -> Response:
    """已整改: the unit says a finding is fixed; the next check confirms or reopens it."""
    await checked_form(request, max_files=0, max_fields=4)
    found = await _open_finding(request)
    user = current_user(request)
    services: Services = request.app.state.services
    await claim_fixed(int(str(found["id"])), user.actor, services.moment(), actor=user.actor)
    return RedirectResponse(f"/findings?done=fixed-{found['id']}", status_code=303)


@roles("admin", "unit")
async def request_exemption(request: Request) -> Response:
    """豁免: a unit asks (pending until approved); an admin's exemption is active at once."""
    form = await checked_form(request, max_files=0, max_fields=6, max_part_size=4096)
    found = await _open_finding(request)
    user = current_user(request)
    services: Services = request.app.state.services
    days = int_param(form.get("days"))
    reason = str(form.get("reason") or "").strip()[:500]
    if not days or not 1 <= days <= MAX_EXEMPT_DAYS or not reason:
        raise HTTPException(400, f"豁免需要 1–{MAX_EXEMPT_DAYS} 天和理由")
    now = services.moment()
    state = "active" if user.role == "admin" else "pending"
    account_id = found["account_id"]
    await add_silence(account_id=int(str(account_id)) if account_id else None,
                      unit_id=None if account_id else int(str(found["unit_id"])), rule=str(found["rule"]),
                      starts=now, ends=now + dt.timedelta(days=days), author=user.actor, reason=reason, state=state)
    return RedirectResponse(f"/findings?done=exempt-{found['id']}", status_code=303)


@roles("admin")
async def approve_exemption(request: Request) -> Response:
    """Approve a pending exemption (admin)."""
    user = current_user(request)
    await checked_form(request, max_files=0, max_fields=4)
    silence_id = int_param(request.path_params["silence_id"])
    if silence_id not in {s["id"] for s in await pending_silences(user.scope)}:
        raise HTTPException(404)
    await set_silence_state(int(silence_id or 0), "active", user.actor)
    return RedirectResponse(f"/findings?done=approved-{silence_id}", status_code=303)


ROUTES = [
    Route("/findings", finding_list),
    Route("/findings/{finding_id}/fixed", mark_fixed, methods=["POST"]),
    Route("/findings/{finding_id}/exempt", request_exemption, methods=["POST"]),
    Route("/silences/{silence_id}/approve", approve_exemption, methods=["POST"]),
]

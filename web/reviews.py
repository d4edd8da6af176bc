"""关停整合 /reviews: each case with its dossier; decide (admin) with reason, merge target, deadline."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from registry.ledger.accounts import Ambiguous, Invalid, NotFound
from registry.ledger.reviews import decide
from registry.views.console import page_count, review_in_scope, review_page
from web.auth import checked_form, current_user, int_param, roles
from web.render import DECISIONS, page
from web.services import Services

PER_PAGE = 50
#: The printable dossier is a document of its own, styled inline and without any script.
DOSSIER_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"


async def review_list(request: Request) -> Response:
    """Review cases of the user's scope."""
    user = current_user(request)
    state = request.query_params.get("state")
    state = state if state in ("open", "decided", "all") else "open"
    number = int_param(request.query_params.get("page"), 1) or 1
    total, rows = await review_page(user.scope, state, page=number, per_page=PER_PAGE)
    return page(request, "reviews.html", rows=rows, total=total, state=state, page_no=number,
                pages=page_count(total, PER_PAGE))


async def _review(request: Request) -> dict[str, object]:
    review_id = int_param(request.path_params["review_id"])
    found = await review_in_scope(review_id, current_user(request).scope) if review_id else None
    if found is None:
        raise HTTPException(404)
    return found


async def review_detail(request: Request) -> Response:
    """One case and the decision form."""
    found = await _review(request)
    return page(request, "review.html", r=found, error="", form={})


async def review_dossier(request: Request) -> Response:
    """The printable dossier of a case (the same document as `govmedia review dossier`)."""
    found = await _review(request)
    services: Services = request.app.state.services
    html = await services.dossier_html(int(str(found["id"])))
    return HTMLResponse(html, headers={"Content-Security-Policy": DOSSIER_CSP})


@roles("admin")
async def review_decide(request: Request) -> Response:
    """Decide a case through the same use case as `govmedia review decide` (audited with the web user)."""
    form = await checked_form(request, max_files=0, max_fields=8, max_part_size=4096)
    found = await _review(request)
    user = current_user(request)
    services: Services = request.app.state.services
    decision = str(form.get("decision") or "")
    reason = str(form.get("reason") or "").strip()[:1000]
    merge_into = str(form.get("merge_into") or "").strip()[:200] or None
    deadline_text = str(form.get("deadline") or "").strip()
    error = ""
    deadline = None
    if decision not in DECISIONS:
        error = f"请选择决定：{'/'.join(DECISIONS)}"
    elif deadline_text:
        try:
            deadline = dt.date.fromisoformat(deadline_text)
        except ValueError:
            error = "整改期限格式应为 2026-12-31"
    if not error:
        try:
            await decide(str(found["id"]), decision, reason, actor=user.actor, today=services.moment().date(),
                         merge_into=merge_into, deadline=deadline)
        except (ValueError, NotFound, Ambiguous) as exc:
            error = str(exc)
        except Invalid as exc:
            error = "；".join(str(e) for e in exc.errors)
    if error:
        return page(request, "review.html", status_code=400, r=found, error=error, form=dict(form))
    return RedirectResponse(f"/reviews/{found['id']}", status_code=303)


ROUTES = [
    Route("/reviews", review_list),
    Route("/reviews/{review_id}", review_detail),
    Route("/reviews/{review_id}/dossier", review_dossier),
    Route("/reviews/{review_id}/decide", review_decide, methods=["POST"]),
]

"""报告 /reports: the monthly reviews written so far, generate one (admin), download (HTML, xlsx, docx)."""

from __future__ import annotations

import datetime as dt
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from web.auth import checked_form, current_user, roles
from web.render import page
from web.services import Services

SUFFIXES = {".html": "text/html; charset=utf-8",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
MONTH = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
FORMATS = ("html", "xlsx", "docx")


def report_files(services: Services) -> list[tuple[str, int, float]]:
    """The review files in the reports directory: (name, bytes, modified), newest first."""
    folder = services.reports_dir
    if not folder.is_dir():
        return []
    found = [(p.name, p.stat().st_size, p.stat().st_mtime) for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() in SUFFIXES]
    return sorted(found, key=lambda f: (-f[2], f[0]))


async def report_list(request: Request) -> Response:
    """The list and, for admins, the generate form."""
    services: Services = request.app.state.services
    last = services.moment().replace(day=1).toordinal() - 1

    month = dt.date.fromordinal(last).strftime("%Y-%m")
    return page(request, "reports.html", files=report_files(services), month=month, formats=FORMATS,
                error=request.query_params.get("error", ""), done=request.query_params.get("done", ""))


@roles("admin")
async def report_generate(request: Request) -> Response:
    """Write a month's review through the same use case as `govmedia report monthly`."""
    form = await checked_form(request, max_files=0, max_fields=8)
    services: Services = request.app.state.services
    month = str(form.get("month") or "")
    formats = [f for f in form.getlist("format") if f in FORMATS] or list(FORMATS)
    if not MONTH.match(month):
        return page(request, "reports.html", status_code=400, files=report_files(services), month=month,
                    formats=FORMATS, error="月份格式应为 2026-11", done="")
    try:
        written = await services.monthly(month, formats)
    except ValueError as exc:
        return page(request, "reports.html", status_code=400, files=report_files(services), month=month,
                    formats=FORMATS, error=str(exc), done="")
    current_user(request)
    return RedirectResponse(f"/reports?done={len(written)}", status_code=303)


async def report_download(request: Request) -> Response:
    """One review file, by a name from the listing only (no path from the request reaches the disk)."""
    services: Services = request.app.state.services
    name = request.path_params["name"]
    if name not in {f[0] for f in report_files(services)}:
        raise HTTPException(404)
    path = services.reports_dir / name
    return FileResponse(path, media_type=SUFFIXES[path.suffix.lower()], filename=name,
                        content_disposition_type="attachment")


ROUTES = [
    Route("/reports", report_list),
    Route("/reports/generate", report_generate, methods=["POST"]),
    Route("/reports/files/{name}", report_download),
]

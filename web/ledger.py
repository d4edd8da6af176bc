"""台账 /ledger (admin): import through the browser with the CLI's engine — upload, confirm the column
mapping with sample values, dry-run table, apply — and export in the same format."""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from registry.ledger.files import export_ledger, import_ledger, preview_ledger
from web.auth import User, checked_form, current_user, roles
from web.render import page
from web.services import Services

SUFFIXES = (".xlsx", ".xls", ".csv", ".txt", ".tsv")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
CHUNK = 1 << 16


def _folder(services: Services, user: User) -> Path:
    """Each user's uploads in a folder of their own: a token alone never reaches another user's file."""
    folder = services.upload_dir / hashlib.sha256(user.name.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _stored(services: Services, user: User, token: str) -> Path:
    """The uploaded file of a token, or 404."""
    if not TOKEN.match(token):
        raise HTTPException(404)
    found = [p for p in _folder(services, user).glob(token + ".*") if p.suffix in SUFFIXES]
    if not found:
        raise HTTPException(404)
    return found[0]


@roles("admin")
async def ledger_page(request: Request) -> Response:
    """The upload form and the export link."""
    return page(request, "ledger.html", step="upload", error="")


@roles("admin")
async def ledger_upload(request: Request) -> Response:
    """Keep the uploaded file (bounded in size while it is read) and show how its columns map."""
    services: Services = request.app.state.services
    user = current_user(request)
    limit = services.max_upload_bytes
    if int(request.headers.get("content-length") or 0) > limit + 64 * 1024:
        raise HTTPException(413)
    form = await checked_form(request, max_files=1, max_fields=4, max_part_size=4096)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return page(request, "ledger.html", status_code=400, step="upload", error="请选择台账文件")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in SUFFIXES:
        return page(request, "ledger.html", status_code=400, step="upload",
                    error=f"不支持的文件类型（{suffix or '无扩展名'}），请上传 .xlsx、.xls、.csv 或 .txt")
    token = secrets.token_urlsafe(18)
    path = _folder(services, user) / f"{token}{suffix}"
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise HTTPException(413)
            out.write(chunk)
    await upload.close()
    preview = preview_ledger(path)
    if preview.error:
        path.unlink(missing_ok=True)
        return page(request, "ledger.html", status_code=400, step="upload", error=preview.error)
    return page(request, "ledger.html", step="mapping", preview=preview, token=token, filename=upload.filename)


async def _run(request: Request, dry_run: bool) -> Response:
    services: Services = request.app.state.services
    user = current_user(request)
    form = await checked_form(request, max_files=0, max_fields=6, max_part_size=4096)
    token = str(form.get("token") or "")
    path = _stored(services, user, token)
    filename = str(form.get("filename") or path.name)[:200]
    result = await import_ledger(path, actor=user.actor, today=services.moment().date(), dry_run=dry_run)
    if not dry_run and (result.applied or not result.errors):
        path.unlink(missing_ok=True)
    return page(request, "ledger.html", step="dryrun" if dry_run else "applied", result=result, token=token,
                filename=filename, status_code=400 if result.errors else 200)


@roles("admin")
async def ledger_dry_run(request: Request) -> Response:
    """The dry-run table: what would be added, changed, left (nothing written)."""
    return await _run(request, dry_run=True)


@roles("admin")
async def ledger_apply(request: Request) -> Response:
    """Apply the import, all rows or none, audited with the web user."""
    return await _run(request, dry_run=False)


@roles("admin", "viewer")
async def ledger_export(request: Request) -> Response:
    """The whole ledger as .xlsx, in the import format."""
    services: Services = request.app.state.services
    folder = Path(tempfile.mkdtemp(dir=services.upload_dir))
    path = folder / "台账-导出.xlsx"
    await export_ledger(path)

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, filename=f"{services.county}台账.xlsx", content_disposition_type="attachment",
                        background=BackgroundTask(cleanup))


ROUTES = [
    Route("/ledger", ledger_page),
    Route("/ledger/upload", ledger_upload, methods=["POST"]),
    Route("/ledger/dry-run", ledger_dry_run, methods=["POST"]),
    Route("/ledger/apply", ledger_apply, methods=["POST"]),
    Route("/ledger/export", ledger_export),
]

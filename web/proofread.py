"""校对 /content: paste or upload a draft; the hits are highlighted in the text with their suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.auth import checked_form
from web.render import page
from web.services import DraftCheck, DraftError, DraftHit, Services

MAX_DRAFT_BYTES = 2 * 1024 * 1024
FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx"}


@dataclass(frozen=True)
class Segment:
    """A piece of the draft: plain text, or a hit's text with the hit (escaped by the template)."""

    text: str
    hit: DraftHit | None = None


def segments(check: DraftCheck) -> list[Segment]:
    """The text cut at the hits (overlapping hits: the first one wins)."""
    out: list[Segment] = []
    pos = 0
    for h in sorted(check.hits, key=lambda h: (h.start, -h.end)):
        if h.start < pos:
            continue
        if h.start > pos:
            out.append(Segment(check.text[pos:h.start]))
        out.append(Segment(check.text[h.start:h.end], h))
        pos = h.end
    if pos < len(check.text):
        out.append(Segment(check.text[pos:]))
    return out


async def content_page(request: Request) -> Response:
    """The paste/upload form."""
    return page(request, "content.html", result=None, draft="", error="")


async def content_check(request: Request) -> Response:
    """Check a pasted or uploaded draft (read only: nothing is stored)."""
    services: Services = request.app.state.services
    if int(request.headers.get("content-length") or 0) > MAX_DRAFT_BYTES + 64 * 1024:
        raise HTTPException(413)
    form = await checked_form(request, max_files=1, max_fields=4, max_part_size=MAX_DRAFT_BYTES)
    draft = str(form.get("draft") or "")
    upload = form.get("file")
    data, fmt = draft.encode("utf-8"), "txt"
    if upload is not None and not isinstance(upload, str) and upload.filename:
        fmt = FORMATS.get(Path(upload.filename).suffix.lower(), "")
        if not fmt:
            return page(request, "content.html", status_code=400, result=None, draft=draft,
                        error="支持 .txt、.md、.html、.docx 文件")
        data = await upload.read(MAX_DRAFT_BYTES + 1)
        if len(data) > MAX_DRAFT_BYTES:
            raise HTTPException(413)
    if not data.strip():
        return page(request, "content.html", status_code=400, result=None, draft=draft, error="请粘贴文字或上传文件")
    try:
        check = services.check_draft(data, fmt)
    except DraftError as exc:
        return page(request, "content.html", status_code=400, result=None, draft=draft, error=str(exc))
    return page(request, "content.html", result=check, parts=segments(check), draft=draft, error="")


ROUTES = [
    Route("/content", content_page, methods=["GET"]),
    Route("/content", content_check, methods=["POST"]),
]

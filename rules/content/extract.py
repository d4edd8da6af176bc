"""Text of a draft to check: plain text, Markdown, HTML (stdlib parser) or docx (python-docx), from bytes.

Lines of the result are what ``content check`` numbers: a source line for txt/md, a paragraph (or
table cell) for docx, a block element for HTML.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser

from registry.config.i18n import tr
from registry.ledger import limits

FORMATS = ("txt", "md", "html", "docx")
#: The largest draft read (bytes on disk or stdin): room for a docx with photos; /dev/zero stops here.
MAX_DRAFT_BYTES = 32 * 1024 * 1024
#: A docx's parts inflated, in all and its XML alone (python-docx holds every part; lxml parses the XML).
MAX_DOCX_INFLATED = 128 * 1024 * 1024
MAX_DOCX_XML = 32 * 1024 * 1024
_BLOCKS = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
           "blockquote", "pre", "table", "ul", "ol", "hr", "title"}
_SKIP = {"script", "style", "head"}


class ExtractError(Exception):
    """The file could not be read as the format it claims."""


def format_of(name: str) -> str:
    """The format of a file name by its suffix (txt for anything unknown, e.g. stdin)."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"htm": "html", "html": "html", "docx": "docx", "md": "md", "markdown": "md"}.get(suffix, "txt")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Windows editors save)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise ExtractError(tr("不是 UTF-8 或 GB18030 编码的文字", "not UTF-8 or GB18030 text")) from None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data.replace("\r", "").replace("\n", " "))


def html_text(markup: str) -> str:
    """The visible text of an HTML page, one block element a line."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def docx_text(data: bytes) -> str:
    """The paragraphs (body, then table cells) of a docx, one a line."""
    import docx

    try:  # the zip-bomb bounds of the ledger's workbooks, before python-docx inflates anything
        limits.check_zip(io.BytesIO(data), MAX_DOCX_INFLATED, MAX_DOCX_XML)
    except limits.LimitError as exc:
        raise ExtractError(str(exc)) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, a zip without a document part, broken XML: all mean the same here
        raise ExtractError(tr(f"不是可读取的 docx 文件（{type(exc).__name__}）",
                              f"not a readable docx ({type(exc).__name__})")) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def extract_text(data: bytes, fmt: str) -> str:
    """The text of a file's bytes in the given format (raises ExtractError)."""
    if fmt == "docx":
        return docx_text(data)
    text = decode(data)
    return html_text(text) if fmt == "html" else text.replace("\r\n", "\n")

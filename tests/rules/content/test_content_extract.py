"""Text extraction for `content check`: txt (UTF-8 / GB18030), md, html, docx."""

from __future__ import annotations

import io

import docx
import pytest

from rules.content.extract import ExtractError, extract_text, format_of


@pytest.mark.parametrize(("name", "fmt"), [("a.TXT", "txt"), ("a.md", "md"), ("a.htm", "html"), ("a.html", "html"),
                                           ("a.docx", "docx"), ("-", "txt"), ("noext", "txt")])
def test_format_of(name: str, fmt: str) -> None:
    assert format_of(name) == fmt


def test_text_encodings() -> None:
    assert extract_text("甲\r\n乙".encode(), "txt") == "甲\n乙"
    assert extract_text("\ufeff甲".encode(), "txt") == "甲"
    assert extract_text("国土资源局".encode("gb18030"), "txt") == "国土资源局"
    with pytest.raises(ExtractError):
        extract_text(b"\xff\xfe\xfa\xfb" * 3, "txt")


def test_html_visible_text_one_block_a_line() -> None:
    page = "<html><head><title>t</title><style>p{}</style></head><body><p>第一段&amp;</p><div>第二<b>段</b></div>" \
           "<script>var x='国土资源局';</script></body></html>"
    assert extract_text(page.encode(), "html") == "第一段&\n第二段"


def test_docx_paragraphs_then_tables() -> None:
    document = docx.Document()
    document.add_paragraph("第一段")
    document.add_paragraph("第二段")
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "表格里"
    buf = io.BytesIO()
    document.save(buf)
    assert extract_text(buf.getvalue(), "docx") == "第一段\n第二段\n\n表格里"


def test_not_a_docx() -> None:
    with pytest.raises(ExtractError, match="docx"):
        extract_text(b"plain text, not a zip", "docx")

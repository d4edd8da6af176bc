"""The docx 通报 draft reads back with python-docx: title, headings, named lists, annex tables."""

from __future__ import annotations

from pathlib import Path

import docx

from reports.monthly_model import MonthlyReport
from reports.render_docx import DOCX_HEADINGS, render_docx


def _texts(path: Path) -> tuple[list[str], list[tuple[str, str]], list[list[list[str]]]]:
    d = docx.Document(str(path))
    paras = [p.text for p in d.paragraphs]
    headings = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith("Heading")]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return paras, headings, tables


def test_docx_reads_back(report: MonthlyReport, tmp_path: Path) -> None:
    paras, headings, tables = _texts(render_docx(report, tmp_path / "通报.docx"))
    assert paras[0] == "关于2025年3月全县政务新媒体检查情况的通报"
    assert [t for s, t in headings if s == "Heading 1"] == list(DOCX_HEADINGS)
    assert [t for s, t in headings if s == "Heading 2"] == ["（一）单项否决情形", "（二）其他问题"]
    body = "\n".join(paras)
    assert "全县在运营政务新媒体账号40个" in body and "合格率87.5%" in body and "上升4.6个百分点" in body
    assert "1. 内容不更新（3个，占问题账号的50.0%）：城关<发布>（微信公众号）" in body
    assert "已整改3个，仍未整改1个，已关停1个" in body
    assert "关停账号1个：东关镇抖音（抖音）" in body
    assert "予以通报表扬：滹沱发布（微信公众号）、滹沱公安（新浪微博）" in body
    assert body.count("【请编辑") >= 5
    assert "截至" not in body

    annex, trend = tables
    assert annex[0] == ["序号", "账号名称", "平台", "主办单位", "存在问题"]
    failing = [row[1] for row in annex[1:]]
    assert failing == [a.name for a in report.details if a.verdict == "不合格"]
    assert "城关<发布>" in failing
    assert trend[0][0] == "月份" and len(trend) == 13 and trend[-1][2] == "87.5%"


def test_placeholders_are_highlighted(report: MonthlyReport, tmp_path: Path) -> None:
    d = docx.Document(str(render_docx(report, tmp_path / "t.docx")))
    marked = [r for p in d.paragraphs for r in p.runs if r.text.startswith("【请编辑")]
    assert marked and all(r.font.highlight_color is not None for r in marked)


def test_partial_and_empty_months(partial_report: MonthlyReport, empty_report: MonthlyReport, tmp_path: Path) -> None:
    paras, _, _ = _texts(render_docx(partial_report, tmp_path / "p.docx"))
    assert paras[1] == "（截至2025年3月18日）"
    paras, headings, tables = _texts(render_docx(empty_report, tmp_path / "e.docx"))
    assert "本月未发现单项否决情形。" in paras and len(tables) == 2
    assert [t for s, t in headings if s == "Heading 1"] == list(DOCX_HEADINGS)


def test_control_characters_in_names_do_not_break_the_file(report: MonthlyReport, tmp_path: Path) -> None:
    import dataclasses

    odd = dataclasses.replace(report.details[1], name="城关\x0b发布\x00")
    _, _, tables = _texts(render_docx(dataclasses.replace(report, details=[odd]), tmp_path / "c.docx"))
    assert tables[0][1][1] == "城关发布"

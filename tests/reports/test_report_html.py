"""The HTML review: parses, is self-contained, escapes user data, has every section and prints on A4."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reports.monthly_model import MonthlyReport
from reports.render_html import SECTION_TITLES, render_html

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "source", "wbr",
        # SVG leaves we write self-closed.
        "line", "polyline", "circle", "rect", "path"}


class Collector(HTMLParser):
    """Collect headings, text and structure problems (unbalanced tags) while parsing."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.h2: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h2:
            self.h2[-1] += data


def parse(html: str) -> Collector:
    c = Collector()
    c.feed(html)
    c.close()
    return c


def test_html_parses_with_every_section(report: MonthlyReport) -> None:
    html = render_html(report)
    c = parse(html)
    assert c.errors == [] and c.stack == []
    assert c.h2 == list(SECTION_TITLES)
    for title in ("一、总体情况", "二、主要问题", "三、复核", "四、关停整合", "五、排行", "六、明细", "七、趋势"):
        assert title in c.h2
    text = "".join(c.text)
    assert "单项否决情形" in text and "其他问题" in text
    assert "87.5%" in text and "82.9%" in text  # 合格率 this month and last
    assert "内容不更新" in text and "50.0%" in text  # count share of the veto group
    assert "612.34" in text and "903.20" in text  # WCI / BCI
    assert "截至" not in text


def test_html_is_self_contained(report: MonthlyReport) -> None:
    html = render_html(report)
    c = parse(html)
    assert 'src="http' not in html and "<link" not in html and "<script" not in html
    assert not [t for t, a in c.tags if t in ("img", "iframe", "object", "embed", "link", "script")]
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html
    assert html.count("<svg") == 4 and html.count("<title id=") == 4


def test_html_escapes_account_names(report: MonthlyReport) -> None:
    html = render_html(report)
    assert "城关<发布>" not in html and "文旅&乡情" not in html
    assert "城关&lt;发布&gt;" in html and "文旅&amp;乡情" in html
    text = "".join(parse(html).text)
    assert "城关<发布>（微信公众号）" in text and "文旅&乡情" in text


def test_html_prints_on_a4(report: MonthlyReport) -> None:
    html = render_html(report)
    assert re.search(r"@page\s*\{\s*size:\s*A4", html)
    assert "break-before: page" in html and "break-inside: avoid" in html
    assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html


def test_partial_month_says_as_of(partial_report: MonthlyReport) -> None:
    c = parse(render_html(partial_report))
    text = "".join(c.text)
    assert "截至2025年3月18日" in text
    assert any(t == "p" and a.get("class") == "banner" for t, a in c.tags)


def test_empty_month_still_renders(empty_report: MonthlyReport) -> None:
    c = parse(render_html(empty_report))
    assert c.errors == [] and c.h2 == list(SECTION_TITLES)
    text = "".join(c.text)
    assert "本月未发现单项否决情形" in text and "暂无历史数据" in text

"""Inline SVG charts: well-formed, accessible, in the reader's fonts, gaps for missing months."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports.charts_svg import bar_chart, line_chart, nice_ticks

NS = "{http://www.w3.org/2000/svg}"
LABELS = ["1月\n2025", "2月", "3月", "4月"]


def test_line_chart_is_accessible_svg_with_cjk_fonts() -> None:
    svg = line_chart("c1", "合格率 <&>", LABELS, [0.8, None, 0.9, 0.95], fmt=lambda v: f"{v:.0%}", y_max=1.0,
                     zero_based=False)
    root = ET.fromstring(svg)  # our own output: must be well-formed XML
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    fonts = root.get("font-family") or ""
    for family in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"):
        assert family in fonts
    assert root.findtext(f"{NS}title") == "合格率 <&>"
    desc = root.findtext(f"{NS}desc") or ""
    assert "2月：无数据" in desc and "3月：90%" in desc
    # The missing February splits the line: one lone point, then a two-point segment.
    assert len(root.findall(f"{NS}polyline")) == 1
    assert len(root.findall(f"{NS}circle")) == 3
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_bar_chart_draws_one_bar_per_known_value() -> None:
    svg = bar_chart("c2", "发文量", LABELS, [10, 20, None, 40])
    root = ET.fromstring(svg)
    assert len(root.findall(f"{NS}rect")) == 3
    texts = "".join(root.itertext())
    assert "发文量" in texts and "2025" in texts


def test_all_zero_series_still_has_an_axis() -> None:
    root = ET.fromstring(bar_chart("c3", "阅读量", ["1月"], [0]))
    assert root.findall(f"{NS}rect")


def test_nice_ticks() -> None:
    assert nice_ticks(0, 7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 123456) == [0, 50000, 100000, 150000]
    assert nice_ticks(0.79, 1.0) == [0.7, 0.8, 0.9, 1.0]

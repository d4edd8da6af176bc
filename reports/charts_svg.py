"""Small inline-SVG line and bar charts for the HTML review: no JavaScript, text in the reader's fonts.

Text is real SVG <text>, not paths, so Chinese renders with whatever CJK font the reader's system
has (the font stack lists the usual ones on Linux, Windows and macOS) and stays selectable. Callers
pass titles and labels in the report's language; the accessible description follows ``tr``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from registry.config.i18n import tr

FONT_STACK = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', "
              "'Hiragino Sans GB', 'WenQuanYi Micro Hei', sans-serif")

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 40, 44
AXIS_COLOR, GRID_COLOR, TEXT_COLOR = "#8a8f98", "#e3e6ea", "#333a44"

Formatter = Callable[[float], str]


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values covering lo..hi (about ``count`` steps of 1, 2, 2.5 or 5 × 10^k)."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = round(math.floor(lo / step + 1e-9) * step, 10)
    ticks = [start]
    while ticks[-1] < hi - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _frame(chart_id: str, title: str, desc: str, body: list[str]) -> str:
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{escape(tid)} {escape(did)}" font-family="{FONT_STACK}" font-size="11" '
        f'fill="{TEXT_COLOR}">',
        f'<title id="{escape(tid)}">{escape(title)}</title>',
        f'<desc id="{escape(did)}">{escape(desc)}</desc>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold" aria-hidden="true">{escape(title)}</text>',
        *body,
        "</svg>",
    ])


def _describe(title: str, labels: Sequence[str], values: Sequence[float | None], fmt: Formatter) -> str:
    # The text screen readers get instead of the picture, so it follows the report's language.
    colon, no_data = tr("：", ": "), tr("无数据", "no data")
    parts = [f"{lab.replace(chr(10), ' ')}{colon}{no_data if v is None else fmt(v)}"
             for lab, v in zip(labels, values, strict=True)]
    return f"{title}{tr('。', '. ')}" + tr("；", "; ").join(parts)


def _axes(labels: Sequence[str], ticks: list[float], fmt: Formatter, slot: float) -> tuple[list[str], Callable[[float], float]]:
    plot_h = HEIGHT - TOP - BOTTOM
    lo, hi = ticks[0], ticks[-1]

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    out = ['<g aria-hidden="true">']
    for t in ticks:
        y = y_of(t)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID_COLOR}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6370">{escape(fmt(t))}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="{AXIS_COLOR}"/>')
    for i, lab in enumerate(labels):
        x = LEFT + slot * (i + 0.5)
        lines = lab.split("\n")
        spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if k == 0 else 13}">{escape(s)}</tspan>' for k, s in enumerate(lines))
        out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="#5b6370">{spans}</text>')
    out.append("</g>")
    return out, y_of


def _range(values: Sequence[float | None], y_min: float | None, y_max: float | None,
           zero_based: bool = True) -> list[float]:
    known = [v for v in values if v is not None]
    # Rates near 100% would be a flat line on a 0-based axis: start near the lowest value instead.
    if zero_based or not known:
        auto_lo = min([0.0, *known])
    else:
        auto_lo = min(known) - 0.1 * ((max(known) - min(known)) or abs(min(known)) or 1.0)
        auto_lo = max(auto_lo, 0.0) if min(known) >= 0 else auto_lo
    lo = y_min if y_min is not None else auto_lo
    hi = y_max if y_max is not None else max(known, default=lo)
    if hi <= lo:
        hi = lo + 1.0  # an all-zero (or single-value) series still gets a sensible axis
    ticks = nice_ticks(lo, hi)
    if y_max is not None and ticks[-1] > y_max and len(ticks) > 2:
        ticks[-1] = y_max  # e.g. 合格率 never shows an axis above 100%
    return ticks


def line_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None], *,
               fmt: Formatter = _plain, tick_fmt: Formatter | None = None, y_min: float | None = None,
               y_max: float | None = None, zero_based: bool = True, color: str = "#1f5fa8",
               desc: str | None = None) -> str:
    """An SVG line chart; None values leave a gap. ``chart_id`` must be unique within the page."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    ticks = _range(values, y_min, y_max, zero_based)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body, y_of = _axes(labels, ticks, tick_fmt or fmt, slot)
    segments: list[list[tuple[float, float]]] = [[]]
    points: list[tuple[float, float, float]] = []
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
            continue
        x, y = LEFT + slot * (i + 0.5), y_of(v)
        segments[-1].append((x, y))
        points.append((x, y, v))
    for seg in segments:
        if len(seg) > 1:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.2" '
                        'stroke-linejoin="round" aria-hidden="true"/>')
    for x, y, v in points:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="#fff" stroke="{color}" stroke-width="1.8" '
                    'aria-hidden="true"/>')
        body.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="10" fill="{color}" '
                    f'aria-hidden="true">{escape(fmt(v))}</text>')
    return _frame(chart_id, title, desc or _describe(title, labels, values, fmt), body)


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None], *,
              fmt: Formatter = _plain, tick_fmt: Formatter | None = None, y_max: float | None = None,
              color: str = "#2e7d5b", desc: str | None = None) -> str:
    """An SVG bar chart from zero; a None value draws no bar. ``chart_id`` must be unique within the page."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    ticks = _range(values, 0.0, y_max)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body, y_of = _axes(labels, ticks, tick_fmt or fmt, slot)
    base = y_of(ticks[0])
    bar_w = slot * 0.62
    for i, v in enumerate(values):
        if v is None:
            continue
        x, y = LEFT + slot * i + (slot - bar_w) / 2, y_of(max(v, ticks[0]))
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(0.0, base - y):.1f}" '
                    f'fill="{color}" rx="1.5" aria-hidden="true"/>')
        body.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="10" '
                    f'aria-hidden="true">{escape(fmt(v))}</text>')
    return _frame(chart_id, title, desc or _describe(title, labels, values, fmt), body)

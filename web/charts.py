"""Small SVG charts drawn from numbers only (no text from outside goes in): the 合格率 trend."""

from __future__ import annotations

from markupsafe import Markup, escape


def rate_bars(points: list[tuple[str, float | None]], width: int = 520, height: int = 170) -> Markup:
    """Bars of a rate (0..1) per label; an unknown rate is drawn as an empty slot marked "—"."""
    n = max(len(points), 1)
    slot = width / n
    base = height - 28
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="合格率趋势">',
             f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#888" stroke-width="1"/>']
    for i, (label, rate) in enumerate(points):
        x = i * slot + slot * 0.2
        w = slot * 0.6
        if rate is None:
            text = "—"
        else:
            h = (base - 20) * rate
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#2b6cb0"/>')
            text = f"{rate * 100:.0f}%"
        mid = x + w / 2
        y = base - (base - 20) * (rate or 0) - 4
        parts.append(f'<text x="{mid:.1f}" y="{y:.1f}" text-anchor="middle" font-size="12">{escape(text)}</text>')
        parts.append(f'<text x="{mid:.1f}" y="{height - 8}" text-anchor="middle" font-size="12">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def day_bars(counts: list[int], width: int = 600, height: int = 80) -> Markup:
    """A posting timeline: one bar per day (oldest first), its height the number of posts that day."""
    top = max(counts) if counts and max(counts) > 0 else 1
    slot = width / max(len(counts), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="发文时间线">',
             f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" stroke="#888" stroke-width="1"/>']
    for i, c in enumerate(counts):
        if c:
            h = (height - 6) * c / top
            parts.append(f'<rect x="{i * slot:.1f}" y="{height - 1 - h:.1f}" width="{max(slot - 1, 1):.1f}" '
                         f'height="{h:.1f}" fill="#2f855a"/>')
    parts.append("</svg>")
    return Markup("".join(parts))

"""Plain-text tables that align Chinese (wide) characters and fit a terminal width."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def cell_width(text: str) -> int:
    """Display width of text in a terminal: wide and full-width characters take two columns."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def clip(text: str, width: int) -> str:
    """Cut text to a display width, ending with … when cut."""
    if cell_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out += ch
        used += w
    return out + "…"


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad text with spaces to a display width."""
    gap = " " * max(0, width - cell_width(text))
    return gap + text if right else text + gap


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int = 0, numeric: Sequence[int] = ()) -> str:
    """Render rows as an aligned table; shrink the widest columns to fit ``max_width`` when given."""
    # None is unknown: shown as "—", never as blank or 0.
    cells = [[("—" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    widths = [cell_width(h) for h in headers]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], cell_width(v))
    if max_width:
        budget = max_width - 2 * (len(widths) - 1)
        while sum(widths) > budget and max(widths) > 6:
            i = widths.index(max(widths))
            widths[i] -= 1
    numeric_set = set(numeric)
    lines = ["  ".join(pad(clip(h, widths[i]), widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(pad(clip(v, widths[i]), widths[i], i in numeric_set) for i, v in enumerate(row)).rstrip())
    return "\n".join(lines)

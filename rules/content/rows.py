"""A published list with a personal number on every row is one problem with a count, not one per row."""

from __future__ import annotations

import dataclasses

from rules.content.hits import ContentHit

#: From this many hits of one privacy check in a text, they are reported as one hit with the count.
ROWS = 5


def collapse_rows(hits: list[ContentHit]) -> list[ContentHit]:
    """The hits with every privacy check of ``ROWS`` or more hits folded into its first hit (count = n)."""
    by_check: dict[str, list[ContentHit]] = {}
    for h in hits:
        by_check.setdefault(h.entry_id, []).append(h)
    out: list[ContentHit] = []
    for group in by_check.values():
        if len(group) < ROWS:
            out += group
            continue
        first = group[0]
        out.append(dataclasses.replace(
            first, count=len(group), matched=f"{first.matched} 等{len(group)}处",
            suggestion=f"名单/表格中共 {len(group)} 处{first.category}：{first.suggestion}"))
    return out

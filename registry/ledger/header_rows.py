"""The rows around a list's header that are not accounts but still say something: a second header row under
headings that span several columns (排名 over 全国 | 全省, 管理员 over 姓名 | 电话), and title rows that name
the one platform of the whole list (湖北政务微博11月榜, 政务快手号影响力榜单)."""

from __future__ import annotations

import re
import unicodedata

from registry.ledger import vocab

_SUB_NAME = frozenset({"姓名", "名字"})
_SUB_PHONE = frozenset({"电话", "联系电话", "手机", "手机号", "手机号码", "联系方式"})
#: A sub-heading is a short label, never a number, a date or a sentence (a data row is none of those).
_LABEL = re.compile(r"^[^\d\s,，。；;:：]{1,8}$")


def _spanned(headers: list[str], j: int) -> bool:
    """Whether column j is under a heading that spans several columns: a blank heading right of a named one
    (how a CSV saves a merged heading), the same heading repeated beside it (how merged cells read), or the
    first column of such a span."""
    def same(a: int, b: int) -> bool:
        return 0 <= a < len(headers) and 0 <= b < len(headers) and bool(headers[a]) and headers[a] == headers[b]

    def continues(k: int) -> bool:
        return 0 < k < len(headers) and (not headers[k] or same(k - 1, k)) and any(headers[:k])

    return continues(j) or (continues(j + 1) and bool(headers[j])) or j >= len(headers)


def two_row_header(grid: list[list[str]], index: int) -> list[str] | None:
    """Headings of a two-row header, or None when the header is one row.

    管理员 merged over 姓名 | 联系电话 gives the contact columns; any other heading spanning columns over short
    labels (影响力排名 over 全国 | 全省) gives each column its heading and label joined. The row below must carry
    labels only under spanning headings (elsewhere blank, or the heading itself where merged down), so an
    account row, which has a name, is never taken for one.
    """
    headers = [c.strip() for c in grid[index]]
    below = [c.strip() for c in grid[index + 1]] if index + 1 < len(grid) else []
    subs = {j: c for j, c in enumerate(below) if c and c != (headers[j] if j < len(headers) else "")}
    if not subs:
        return None
    out = [*headers, *[""] * (len(below) - len(headers))]

    def parent(j: int) -> str:
        return next((headers[k] for k in range(min(j, len(headers) - 1), -1, -1) if headers[k]), "")

    if all(c in _SUB_NAME | _SUB_PHONE for c in subs.values()):
        for j, sub in subs.items():
            out[j] = parent(j) if sub in _SUB_NAME else parent(j) + "电话"
        return out
    if not all(_LABEL.match(unicodedata.normalize("NFKC", c)) and _spanned(headers, j) for j, c in subs.items()):
        return None
    for j, sub in subs.items():
        out[j] = parent(j) + sub
    return out


def title_platform(titles: list[str]) -> vocab.Platform | None:
    """The one platform the title rows above the header name (湖北政务微博2022年11月榜 -> Weibo), or None when
    they name none or several (政务微博、微信排行榜)."""
    found: set[vocab.Platform] = set()
    for text in titles:
        found |= vocab.platforms_mentioned(text)
    return found.pop() if len(found) == 1 else None

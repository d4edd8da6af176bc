"""The monthly review's 内容安全 section: problems in the month's posts per unit, as 通报 list them, with the
text coverage beside them, so "checked" is never claimed for text govmedia did not have.

Counted from the posts published in the month and their last content scan: 严重表述错误 (severe wording
problems: outdated official names, county lexicon entries marked 严重), other 错敏 (一般/提示), and personal
numbers. A unit whose posts are known by title only shows that: its zero means "nothing in the titles".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from registry.config.i18n import tr
from registry.views.content_posts import UnitContent, unit_content


@dataclass(frozen=True)
class ContentRow:
    """One unit's line of the section."""

    unit: str
    posts: int
    full: int
    digest: int
    title_only: int
    unscanned: int
    severe: int
    other: int
    privacy: int

    @property
    def problems(self) -> int:
        """Every problem found in the unit's posts."""
        return self.severe + self.other + self.privacy


@dataclass(frozen=True)
class ContentSafety:
    """The section: one row per unit with posts in the month, most problems first."""

    rows: list[ContentRow]

    @property
    def totals(self) -> ContentRow:
        """The county's line."""
        fields = ("posts", "full", "digest", "title_only", "unscanned", "severe", "other", "privacy")
        return ContentRow(tr("合计", "Total"), *(sum(getattr(r, f) for r in self.rows) for f in fields))


def _row(u: UnitContent) -> ContentRow:
    privacy = sum(1 for h in u.hits if h["kind"] == "privacy")
    severe = sum(1 for h in u.hits if h["kind"] != "privacy" and h["severity"] == "severe")
    return ContentRow(u.unit, u.posts, u.full, u.digest, u.title_only, u.posts - u.scanned, severe,
                      len(u.hits) - privacy - severe, privacy)


async def build_content_safety(since: dt.datetime, until: dt.datetime) -> ContentSafety:
    """The section for the posts published in [since, until)."""
    rows = [_row(u) for u in await unit_content(since, until)]
    rows.sort(key=lambda r: (-r.severe, -r.problems, r.unit))
    return ContentSafety(rows)


def content_section_html(section: ContentSafety | None) -> str:
    """The section as an HTML ``<section>`` (empty when the review carries none)."""
    if section is None:
        return ""
    heads = tr("单位|发文|全文|摘要|仅标题|未检查|严重表述错误|其他错敏|个人隐私",
               "Unit|Posts|Full text|Digest|Title only|Not checked|Severe wording|Other wording|Personal data")
    t = section.totals
    rows = [*section.rows, t] if section.rows else []
    body = "".join("<tr>" + f"<td>{escape(r.unit)}</td>" + "".join(
        f'<td class="num">{v}</td>' for v in (r.posts, r.full, r.digest, r.title_only, r.unscanned, r.severe,
                                              r.other, r.privacy)) + "</tr>" for r in rows)
    head = "".join(f"<th>{escape(h)}</th>" for h in heads.split("|"))
    note = tr(f"本月发文 {t.posts} 篇，其中全文可查 {t.full} 篇、仅摘要或部分正文 {t.digest} 篇、仅标题 {t.title_only} 篇；"
              "只检查了已取得的文字，仅有标题的文章未检查正文。个人隐私问题中的号码已打码。",
              f"{t.posts} posts this month: {t.full} with full text, {t.digest} with a digest or part of the text, "
              f"{t.title_only} by title only; only the text we had was checked. Personal numbers are masked.")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if rows else \
        f"<p>{escape(tr('本月无发文。', 'No posts this month.'))}</p>"
    title = tr("专题：内容安全（错敏与个人隐私）", "Content safety (wording and personal data)")
    return f'<section id="content-safety"><h2>{escape(title)}</h2><p>{escape(note)}</p>{table}</section>'

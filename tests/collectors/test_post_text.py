"""The checkable text each parser keeps, and how much of the post it is (title / digest / full)."""

from __future__ import annotations

import datetime as dt

from collectors.model import BEIJING
from collectors.parse_common import TEXT_MAX, post_text
from collectors.parse_feed import parse_feed
from collectors.parse_wechat import parse_freepublish

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)


def test_post_text_keeps_lines_drops_tags_and_caps() -> None:
    assert post_text("标题", "<p>第一段&amp;</p><p>第二段</p>", partial=False) == ("标题\n第一段&\n第二段", "full")
    assert post_text("标题", "", partial=False) == (None, None)  # title only: nothing more known
    assert post_text("标题", "摘要", partial=True) == ("标题\n摘要", "digest")
    assert post_text("", "标题开头的微博正文", partial=False) == ("标题开头的微博正文", "full")
    text, coverage = post_text("长文", "字" * (TEXT_MAX + 10), partial=False)
    assert text is not None and len(text) == TEXT_MAX and coverage == "digest"  # cut: only a part was kept


def _freepublish(item: dict[str, object]) -> dict[str, object]:
    entry = {"title": "县国土资源局召开会议", "url": "https://mp.weixin.qq.com/s/x", **item}
    return {"total_count": 1, "item_count": 1, "item": [
        {"article_id": "A1", "update_time": 1764000000, "content": {"news_item": [entry]}}]}


def test_freepublish_body_digest_or_title() -> None:
    [full], _ = parse_freepublish(_freepublish({"digest": "摘要", "content": "<section><p>正文全文</p></section>"}))
    assert (full.text, full.text_coverage) == ("县国土资源局召开会议\n正文全文", "full")
    [digest], _ = parse_freepublish(_freepublish({"digest": "摘要", "content": ""}))
    assert (digest.text, digest.text_coverage) == ("县国土资源局召开会议\n摘要", "digest")
    [title], _ = parse_freepublish(_freepublish({}))
    assert (title.text, title.text_coverage) == (None, None)


def test_feed_content_encoded_is_full_and_description_a_digest() -> None:
    rss = ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
           '<item><guid>1</guid><title>甲</title><pubDate>Mon, 23 Nov 2026 10:00:00 +0800</pubDate>'
           '<description>摘要</description><content:encoded><![CDATA[<p>全文</p>]]></content:encoded></item>'
           '<item><guid>2</guid><title>乙</title><pubDate>Mon, 23 Nov 2026 11:00:00 +0800</pubDate>'
           '<description>&lt;p&gt;只有摘要&lt;/p&gt;</description></item></channel></rss>').encode()
    _, (a, b) = parse_feed(rss, NOW)
    assert (a.text, a.text_coverage) == ("甲\n全文", "full")
    assert (b.text, b.text_coverage) == ("乙\n只有摘要", "digest")

"""Account names as lists write them, and the platform words written in or beside a name (微博, （公众号、视频号）)."""

from __future__ import annotations

import re

from registry.ledger import vocab

_NAME_QUOTES = "@＠\"'“”‘’「」『』《》〈〉【】 \u3000\t"
#: Platform words inside a name, longest first (微信视频号 before 微信).
NAME_PLATFORM_WORDS: tuple[tuple[str, vocab.Platform], ...] = (
    ("视频号", vocab.Platform.CHANNELS), ("公众号", vocab.Platform.WECHAT), ("微博", vocab.Platform.WEIBO),
    ("抖音", vocab.Platform.DOUYIN), ("头条", vocab.Platform.TOUTIAO), ("快手", vocab.Platform.KUAISHOU),
    ("小红书", vocab.Platform.XIAOHONGSHU), ("百家号", vocab.Platform.BAIJIAHAO),
)
#: Words in a name that say its platform beyond doubt (头条 does not: 湘西头条 is a WeChat account).
STRONG_NAME_WORDS: tuple[tuple[str, vocab.Platform], ...] = (
    ("视频号", vocab.Platform.CHANNELS), ("微博", vocab.Platform.WEIBO), ("抖音", vocab.Platform.DOUYIN),
    ("快手", vocab.Platform.KUAISHOU), ("小红书", vocab.Platform.XIAOHONGSHU),
)
#: A name with a bracketed suffix: 某某警方（新浪微博）, 某某发布（已注销）.
BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*([^（）()]+?)\s*[）)]\s*$")
_PLATFORM_LIST = re.compile(r"[、,，/／;；+＋&]|\s+|和|及")


def clean_name(raw: str) -> str:
    """A name as written on the platform: no leading @, surrounding quotes or 《》, no full-width spaces."""
    name = raw.replace("\u3000", " ").strip()
    previous = None
    while name != previous:
        previous = name
        name = name.strip(_NAME_QUOTES).strip()
    return re.sub(r"\s{2,}", " ", name)


def split_platforms(text: str) -> list[str]:
    """Platform words of a cell naming several ("微信公众号、视频号"), or [] when it does not name several."""
    words = [w for w in _PLATFORM_LIST.split(text.strip()) if w]
    return words if len(words) >= 2 and all(vocab.parse_platform(w) for w in words) else []


def expand_platforms(cells: dict[str, str]) -> list[dict[str, str]]:
    """One row naming an account on several platforms (平台 "公众号、视频号", or 石狮融媒（公众号、视频号）) as
    one row per platform; any other row as itself."""
    raw = cells.get("platform", "").strip()
    name = cells.get("name", "")
    words = split_platforms(raw) if raw else []
    if not raw:
        m = BRACKETED.match(clean_name(name))
        words = split_platforms(m.group(2)) if m and m.group(1) else []
        name = m.group(1) if m and words else name
    return [{**cells, "name": name, "platform": w} for w in words] if words else [cells]


def split_platform_suffix(name: str) -> tuple[str, str, vocab.Platform | None]:
    """"某某警方（新浪微博）" -> ("某某警方", "新浪微博", weibo); a name without such a bracket is unchanged."""
    m = BRACKETED.match(name)
    platform = vocab.parse_platform(m.group(2)) if m and m.group(1) else None
    if m is None or platform is None:
        return name, "", None
    return m.group(1), m.group(2), platform

"""Platform identifiers: the canonical uid, the other identifiers lists carry instead (微信号, __biz), and the
platform an identifier itself shows."""

from __future__ import annotations

import re
import unicodedata

from registry.ledger import vocab

_WECHAT_UID = re.compile(r"^gh_[0-9a-f]{12}$")
_WEIBO_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?weibo\.(?:com|cn)/(?:u/|profile/)?(\d{5,12})(?:[/?#].*)?$", re.IGNORECASE
)
_WEIBO_NAME_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?weibo\.(?:com|cn)/n/([^/?#\s]{1,64})/?$", re.IGNORECASE)
_WECHAT_ALIAS = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{5,19}$")
_BIZ = re.compile(r"^(?:.*[?&]__biz=)?(Mz[A-Za-z0-9+/]{6,40}={0,2})(?:[&#].*)?$")
#: What a platform's uid looks like and where to find it, in Chinese and English (an invalid uid's hint).
UID_HINTS = {
    vocab.Platform.WECHAT: ("微信公众号应填原始ID（gh_加12位十六进制；登录 mp.weixin.qq.com，在「设置与开发 → 公众号设置 → 注册信息」中查看）",
                            "WeChat needs the original id (gh_ + 12 hex; mp.weixin.qq.com → Settings → Account info)"),
    vocab.Platform.WEIBO: ("微博应填数字UID或主页链接（打开该微博主页，地址 weibo.com/u/ 后的数字）",
                           "Weibo needs a numeric uid or profile URL (the digits after weibo.com/u/)"),
}


def canonical_uid(platform: vocab.Platform, raw: str) -> str | None:
    """Canonical platform uid (full-width digits, letters and punctuation folded), or None when not valid."""
    v = unicodedata.normalize("NFKC", raw).strip()
    if platform is vocab.Platform.WECHAT:
        v = v.lower()
        return v if _WECHAT_UID.match(v) else None
    if platform is vocab.Platform.WEIBO:
        if v.isdigit() and 5 <= len(v) <= 12:
            return v
        m = _WEIBO_URL.match(v)
        return m.group(1) if m else None
    return v if v and not any(ch.isspace() for ch in v) and len(v) <= 128 else None


def identity_hint(platform: vocab.Platform, raw: str) -> tuple[str, str] | None:
    """An identifier that is not the uid: ("alias", 微信号 or Weibo name) or ("biz", __biz); None if neither."""
    v = unicodedata.normalize("NFKC", raw).strip()
    if platform is vocab.Platform.WECHAT:
        m = _BIZ.match(v)
        if m:
            return "biz", m.group(1)
        # gh_… is a mistyped 原始ID, not a 微信号: it stays an error with the hint.
        return ("alias", v) if _WECHAT_ALIAS.match(v) and not v.lower().startswith("gh_") else None
    if platform is vocab.Platform.WEIBO:
        m = _WEIBO_NAME_URL.match(v)
        name = m.group(1) if m else (v[1:].strip() if v.startswith("@") else "")
        return ("alias", name) if name and not any(ch.isspace() for ch in name) else None
    return None


def platform_of_id(raw: str) -> vocab.Platform | None:
    """The platform an identifier itself shows: gh_… is WeChat, a weibo.com link Weibo, a douyin.com link Douyin."""
    v = unicodedata.normalize("NFKC", raw).strip().lower()
    if _WECHAT_UID.match(v):
        return vocab.Platform.WECHAT
    if _WEIBO_URL.match(v) or _WEIBO_NAME_URL.match(v):
        return vocab.Platform.WEIBO
    if "douyin.com/" in v:
        return vocab.Platform.DOUYIN
    return None

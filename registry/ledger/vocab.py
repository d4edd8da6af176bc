"""Controlled vocabularies of the registry: codes stored in the database and their Chinese labels.

Codes are stable ASCII identifiers (what the database, JSON output and scripts see); labels are what
county staff read and type in their ledger. Every parser here accepts both.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import TypeVar


class Platform(StrEnum):
    """Platforms an account can live on."""

    WECHAT = "wechat"
    WEIBO = "weibo"
    CHANNELS = "channels"
    DOUYIN = "douyin"
    TOUTIAO = "toutiao"
    KUAISHOU = "kuaishou"
    XIAOHONGSHU = "xiaohongshu"
    BAIJIAHAO = "baijiahao"
    BILIBILI = "bilibili"
    OTHER = "other"


PLATFORM_LABELS: dict[Platform, str] = {
    Platform.WECHAT: "微信公众号",
    Platform.WEIBO: "新浪微博",
    Platform.CHANNELS: "微信视频号",
    Platform.DOUYIN: "抖音",
    Platform.TOUTIAO: "今日头条",
    Platform.KUAISHOU: "快手",
    Platform.XIAOHONGSHU: "小红书",
    Platform.BAIJIAHAO: "百家号",
    Platform.BILIBILI: "哔哩哔哩",
    Platform.OTHER: "其他",
}
PLATFORM_LABELS_EN: dict[Platform, str] = {
    Platform.WECHAT: "WeChat OA",
    Platform.WEIBO: "Weibo",
    Platform.CHANNELS: "WeChat Channels",
    Platform.DOUYIN: "Douyin",
    Platform.TOUTIAO: "Toutiao",
    Platform.KUAISHOU: "Kuaishou",
    Platform.XIAOHONGSHU: "Xiaohongshu",
    Platform.BAIJIAHAO: "Baijiahao",
    Platform.BILIBILI: "Bilibili",
    Platform.OTHER: "Other",
}
_PLATFORM_ALIASES: dict[str, Platform] = {
    # The words published lists (通报, 汇总表, 排查表) really use, compared after `platform_key`.
    **dict.fromkeys(("微信", "公众号", "微信公众平台", "微信公众号", "政务微信", "政务微信公众号", "政务公众号",
                     "订阅号", "服务号", "微信订阅号", "微信服务号", "wechat", "weixin", "微信号", "微信公众平台账号",
                     "公众号平台"), Platform.WECHAT),
    **dict.fromkeys(("微博", "政务微博", "新浪微博", "新浪", "weibo", "微博号", "新浪微博号"), Platform.WEIBO),
    **dict.fromkeys(("视频号", "微信视频号", "政务视频号"), Platform.CHANNELS),
    **dict.fromkeys(("抖音号", "政务抖音", "抖音短视频", "tiktok"), Platform.DOUYIN),
    **dict.fromkeys(("头条", "头条号", "今日头条号", "政务头条", "政务头条号"), Platform.TOUTIAO),
    **dict.fromkeys(("快手号", "政务快手"), Platform.KUAISHOU),
    **dict.fromkeys(("小红书号", "red"), Platform.XIAOHONGSHU),
    **dict.fromkeys(("百度百家号", "百家"), Platform.BAIJIAHAO),
    **dict.fromkeys(("b站", "bilibili", "哔哩哔哩弹幕网", "bili"), Platform.BILIBILI),
    **dict.fromkeys(("其它",), Platform.OTHER),
}
#: Platform words that also say which kind of WeChat account it is (账号类型).
PLATFORM_ACCOUNT_TYPES: dict[str, str] = {
    "订阅号": "订阅号", "微信订阅号": "订阅号", "服务号": "服务号", "微信服务号": "服务号",
}


class UnitKind(StrEnum):
    """Administrative level of a unit (单位类型)."""

    COUNTY_GOV = "county_gov"
    DEPARTMENT = "department"
    TOWNSHIP = "township"
    OTHER = "other"


UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.COUNTY_GOV: "县政府",
    UnitKind.DEPARTMENT: "县直部门",
    UnitKind.TOWNSHIP: "乡镇",
    UnitKind.OTHER: "其他",
}
_UNIT_KIND_ALIASES: dict[str, UnitKind] = {
    "县人民政府": UnitKind.COUNTY_GOV,
    "部门": UnitKind.DEPARTMENT,
    "县直单位": UnitKind.DEPARTMENT,
    "乡镇(街道)": UnitKind.TOWNSHIP,
    "乡镇（街道）": UnitKind.TOWNSHIP,
    "街道": UnitKind.TOWNSHIP,
}


class Status(StrEnum):
    """Lifecycle status of an account."""

    OPERATING = "operating"
    RECTIFYING = "rectifying"
    REVIEWING = "reviewing"
    NOTICE = "notice"
    CLOSED = "closed"
    DEREGISTERED = "deregistered"


STATUS_LABELS: dict[Status, str] = {
    Status.OPERATING: "运营中",
    Status.RECTIFYING: "整改中",
    Status.REVIEWING: "审核中",
    Status.NOTICE: "停更公告中",
    Status.CLOSED: "已关停",
    Status.DEREGISTERED: "已注销",
}
#: Statuses whose accounts are still expected to post and are checked.
ACTIVE_STATUSES = frozenset({Status.OPERATING, Status.RECTIFYING, Status.REVIEWING})


class Role(StrEnum):
    """Role of a contact person."""

    HEAD = "head"
    LEADER = "leader"
    OPERATOR = "operator"


ROLE_LABELS: dict[Role, str] = {Role.HEAD: "负责人", Role.LEADER: "分管领导", Role.OPERATOR: "运维人员"}


class MatrixRole(StrEnum):
    """Place of an account in the county matrix."""

    FLAGSHIP = "flagship"
    MEMBER = "member"


MATRIX_ROLE_LABELS: dict[MatrixRole, str] = {MatrixRole.FLAGSHIP: "主账号", MatrixRole.MEMBER: "成员账号"}


class CollectMethod(StrEnum):
    """How an account's activity is collected."""

    WECHAT_API = "wechat_api"
    WEIBO_API = "weibo_api"
    WEIBO_PUBLIC = "weibo_public"
    FEED = "feed"
    MANUAL = "manual"


DEFAULT_METHOD: dict[Platform, CollectMethod] = {
    Platform.WECHAT: CollectMethod.WECHAT_API,
    Platform.WEIBO: CollectMethod.WEIBO_PUBLIC,
}
#: Which methods make sense on which platform (feed and manual work everywhere).
METHOD_PLATFORMS: dict[CollectMethod, frozenset[Platform]] = {
    CollectMethod.WECHAT_API: frozenset({Platform.WECHAT}),
    CollectMethod.WEIBO_API: frozenset({Platform.WEIBO}),
    CollectMethod.WEIBO_PUBLIC: frozenset({Platform.WEIBO}),
    CollectMethod.FEED: frozenset(Platform),
    CollectMethod.MANUAL: frozenset(Platform),
}


E = TypeVar("E", bound=StrEnum)


def _lookup(value: str, enum: type[E], labels: dict[E, str], aliases: dict[str, E]) -> E | None:
    v = value.strip()
    for member, label in labels.items():
        if v == label:
            return member
    if v in aliases:
        return aliases[v]
    low = v.lower()
    for member in enum:
        if low == member.value:
            return member
    return None


def platform_key(value: str) -> str:
    """A platform word as compared: full-width folded, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


def parse_platform(value: str) -> Platform | None:
    """Return the platform for a code, Chinese label or a word real lists use (政务微博, B站…), or None."""
    return _lookup(platform_key(value), Platform, PLATFORM_LABELS, _PLATFORM_ALIASES)


#: Platform words looked for inside longer text (官方微信月榜): Chinese words of two or more characters.
_MENTIONS = sorted({w for w in (*_PLATFORM_ALIASES, *(platform_key(v) for v in PLATFORM_LABELS.values()))
                    if len(w) >= 2 and not w.isascii() and w != "其它"}, key=len, reverse=True)


def platform_mentioned(text: str) -> Platform | None:
    """The one platform a longer text names (官方微博月榜 -> Weibo; 微信视频号 -> Channels, the longest word wins),
    or None when it names none or several (微信微博)."""
    found = platforms_mentioned(text)
    return found.pop() if len(found) == 1 else None


def platforms_mentioned(text: str) -> set[Platform]:
    """Every platform a longer text names, each word read once (微信视频号 is Channels, not also WeChat)."""
    key = platform_key(text)
    taken = [False] * len(key)
    found: set[Platform] = set()
    for word in _MENTIONS:  # longest first, so 微信视频号 is read before 微信 and 视频号 inside it
        start = key.find(word)
        while start >= 0:
            if not any(taken[start:start + len(word)]):
                taken[start:start + len(word)] = [True] * len(word)
                platform = parse_platform(word)
                if platform is not None:
                    found.add(platform)
            start = key.find(word, start + 1)
    return found


def platform_choices() -> str:
    """The platform labels an office may type, for error messages."""
    return "/".join(PLATFORM_LABELS.values())


def parse_unit_kind(value: str) -> UnitKind | None:
    """Return the unit kind for a code or Chinese label, or None."""
    return _lookup(value, UnitKind, UNIT_KIND_LABELS, _UNIT_KIND_ALIASES)


_STATUS_ALIASES: dict[str, Status] = {
    **dict.fromkeys(("正常", "正常运营", "正常更新", "运营", "在用", "在运营", "运行", "正常运行", "运行中", "合格",
                     "保留", "继续运营", "开通", "已开通", "已整改", "整改完成", "已完成整改", "active"), Status.OPERATING),
    **dict.fromkeys(("整改", "待整改", "整改中", "限期整改", "责令整改", "需整改", "正在整改"), Status.RECTIFYING),
    **dict.fromkeys(("审核", "审核中", "待审核", "备案中"), Status.REVIEWING),
    **dict.fromkeys(("停更", "停止更新", "已停更", "停更公告", "暂停更新", "停更中"), Status.NOTICE),
    **dict.fromkeys(("关停", "已关闭", "关闭", "已关停", "停用", "已停用", "关停整合", "整合关停", "已整合", "合并",
                     "已合并", "下线", "已下线", "关停注销"), Status.CLOSED),
    **dict.fromkeys(("注销", "已注销", "拟注销", "注销中", "申请注销", "待注销", "已申请注销"), Status.DEREGISTERED),
}
#: Words that say the lifecycle inside free text ("正在履行注销（关闭）程序", "已于3月关停"), strongest first:
#: a list that says an account is being closed is never read as 运营中.
_STATUS_WORDS: tuple[tuple[str, Status], ...] = (
    ("注销", Status.DEREGISTERED), ("关停", Status.CLOSED), ("关闭", Status.CLOSED), ("停用", Status.CLOSED),
    ("下线", Status.CLOSED), ("整合", Status.CLOSED), ("停更", Status.NOTICE), ("停止更新", Status.NOTICE),
    ("暂停更新", Status.NOTICE), ("整改", Status.RECTIFYING), ("正常", Status.OPERATING), ("运营", Status.OPERATING),
)


def parse_status(value: str) -> Status | None:
    """Return the status for a code or Chinese label, or None."""
    return _lookup(value, Status, STATUS_LABELS, _STATUS_ALIASES)


def read_status(value: str) -> Status | None:
    """The status a cell means, also in free text (正在履行注销（关闭）程序 -> deregistered); None if no status word."""
    exact = parse_status(re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)))
    if exact is not None:
        return exact
    text = unicodedata.normalize("NFKC", value)
    if len(text) > 40 or re.search(r"未(?:注销|关停|关闭|整改)|不(?:注销|关停)", text):
        return None  # long remarks or a negation (未注销) are notes, not a status
    return next((status for word, status in _STATUS_WORDS if word in text), None)


def parse_matrix_role(value: str) -> MatrixRole | None:
    """Return the matrix role for a code or Chinese label, or None."""
    return _lookup(value, MatrixRole, MATRIX_ROLE_LABELS, {"主": MatrixRole.FLAGSHIP})


def parse_method(value: str) -> CollectMethod | None:
    """Return the collection method for its code, or None."""
    return _lookup(value, CollectMethod, {}, {"手工": CollectMethod.MANUAL, "订阅": CollectMethod.FEED})


def label(labels: dict[E, str], code: str) -> str:
    """The Chinese label of a stored code (the code itself when unknown)."""
    return next((v for k, v in labels.items() if k.value == code), code)

"""The ledger's columns: their keys, Chinese headers and synonyms, and how a list's headings map to them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One ledger column: key, Chinese header, English aliases, whether required."""

    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "账号名称", ("account name", "name",
                                "新媒体名称", "政务新媒体名称", "名称", "账号名", "帐号名称", "账号", "帐号", "新媒体账号名称",
                                "政务新媒体账号名称", "公众号名称", "微信公众号名称", "微博名称", "平台账号名称", "媒体名称",
                                "账号昵称", "昵称", "新媒体账号", "上榜账号", "账号名称（昵称）", "政务新媒体账号",
                                "新媒体账号名称（昵称）", "微信号名称", "抖音号名称", "头条号名称", "视频号名称", "账号名字",
                                "政务账号", "政务账号名称"), True),
    Column("platform", "平台", ("platform",
                            "平台类型", "新媒体类型", "类型", "平台名称", "所属平台", "发布平台", "账号平台", "媒体类型",
                            "新媒体平台", "运营平台", "新媒体形式", "平台类别", "账号所在平台", "开设平台",
                            "渠道", "载体"), True),
    Column("uid", "账号ID", ("account id", "uid",
                            "原始ID", "原始id", "公众号原始ID", "账号id", "帐号ID", "ID", "微博UID", "微博ID", "平台ID",
                            "账号标识", "UID号"), True),
    Column("unit", "主办单位", ("owner unit", "unit",
                                "开办主体", "责任单位", "开办单位", "单位", "单位名称", "主体单位", "所属单位", "管理单位",
                                "运营主体", "主办主管单位", "主办(主管)单位", "主管(主办)单位", "部门", "部门名称", "所属部门",
                                "填报单位", "主管单位", "开设单位", "开设主体", "所属机构", "主办机构", "开办机构", "机构名称",
                                "主办单位名称", "账号主办单位", "运营单位名称", "县（区）", "县(市、区)", "县（市、区）",
                                "县市区", "县区", "区县", "所属县区", "所属地区", "地区", "单位（部门）"), True),
    Column("unit_kind", "单位类型", ("unit kind", "unit type", "单位性质", "单位类别", "单位级别", "单位层级")),
    Column("parent_unit", "上级单位", ("parent unit", "上级主管单位", "主管部门", "上级部门", "主管单位")),
    Column("operator_org", "运维单位", ("operator unit", "operator org", "运营单位", "运维机构", "代运维单位",
                                     "第三方运维单位", "技术支持单位")),
    Column("head", "负责人", ("head", "责任人", "账号负责人", "主要负责人")),
    Column("head_phone", "负责人电话", ("head phone", "负责人联系电话", "负责人手机", "责任人电话",
                                       "责任人联系电话", "负责人联系方式")),
    Column("operator", "运维人员", ("operator", "管理员", "联系人", "运维人", "管理人员", "账号管理员",
                                   "日常运维人员", "运营人员", "信息员", "经办人")),
    Column("operator_phone", "运维人员电话", ("operator phone", "联系电话", "管理员电话", "管理员联系电话",
                                           "联系人电话", "联系方式", "手机", "手机号", "手机号码", "电话",
                                           "运维人员联系电话")),
    Column("wecom", "企业微信账号", ("wecom userid", "wecom", "企业微信", "企业微信ID", "企业微信号")),
    Column("opened_on", "开设日期", ("opened on", "opened", "开设时间", "开通时间", "开通日期", "注册时间",
                                   "注册日期", "创建时间", "上线时间")),
    Column("verified_subject", "认证主体", ("verified subject", "注册主体", "账号主体", "认证单位", "认证信息")),
    Column("filed", "是否备案", ("filed", "备案情况", "备案状态", "是否已备案")),
    Column("filed_on", "备案日期", ("filed on", "备案时间")),
    Column("interaction", "互动渠道", ("interaction channel", "interaction", "互动功能", "互动方式", "留言功能",
                                    "互动栏目")),
    Column("frequency", "更新频率要求", ("update frequency", "frequency", "更新频率", "更新频次", "发布频率")),
    Column("method", "采集方式", ("collect method", "collection method", "method")),
    Column("credential", "凭据", ("credential",)),
    Column("feed_url", "订阅地址", ("feed url", "feed", "RSS地址", "RSS", "订阅链接")),
    Column("status", "状态", ("status", "运营状态", "账号状态", "运行状态", "处置", "处置情况", "处置结果", "处置方式",
                            "处理情况", "处理结果", "处理方式", "拟处置", "拟处置方式", "关停注销情况", "整改情况",
                            "是否注销", "注销情况", "当前状态")),
    Column("notes", "备注", ("notes", "remarks", "说明", "备注说明", "其他说明")),
    # Optional extras the list lacks but a matrix needs; exported after the standard ones.
    Column("account_type", "账号类型", ("account type", "公众号类型", "账号类别")),
    Column("matrix_role", "矩阵角色", ("matrix role",)),
    Column("head_wecom", "负责人企业微信账号", ("head wecom userid", "head wecom")),
    # Identifiers lists carry instead of the uid (kept so `accounts resolve` can find the uid).
    Column("alias", "账号别名", ("alias", "微信号", "wechat alias", "微信号(别名)", "微博昵称")),
    Column("biz", "__biz", ("biz",)),
)
#: Headings that real lists carry and the ledger knows but does not store: 序号 is ignored. (The WeChat
#: 微信号 is not one of them: it is the `alias` column, kept apart from the 原始ID.)
EXTRA_COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", ("编号", "序", "no", "no.")),
)
#: Columns whose blank or 同上 cell means "the unit of the row above" (lists write a unit once per group).
UNIT_KEYS = ("unit", "parent_unit", "operator_org")
#: Columns that belong to one account only: 同上 there is never "the same as above".
ACCOUNT_KEYS = ("name", "uid", "alias", "opened_on", "feed_url", "credential")
BY_KEY = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)
#: Column keys of a wide list (one column per platform holding account names): WIDE_PREFIX + platform code.
WIDE_PREFIX = "name:"


def _norm_header(h: str) -> str:
    h = unicodedata.normalize("NFKC", h)
    return re.sub(r"[\s_*＊()（）:：]+", " ", h).strip().lower()


def _heading_lookup() -> dict[str, list[tuple[int, str]]]:
    """Normalised heading -> candidate keys with a rank (0 = the ledger's own header, better first)."""
    lookup: dict[str, list[tuple[int, str]]] = {}
    for c in (*COLUMNS, *EXTRA_COLUMNS):
        for rank, name in enumerate((c.header, *c.aliases)):
            lookup.setdefault(_norm_header(name), []).append((rank, c.key))
    return lookup


_HEADINGS = _heading_lookup()


def heading_key(heading: str) -> str | None:
    """The best column key for a heading, or None when it is not a known heading."""
    found = _HEADINGS.get(_norm_header(heading))
    return min(found)[1] if found else None


def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Map header positions to column keys; return (mapping, unknown headers, missing required).

    When two headings could fill one column the better-ranked one wins and the other takes its next
    candidate: with both 主办单位 and 主管单位, 主管单位 becomes the 上级单位.
    """
    candidates = {i: _HEADINGS.get(_norm_header(h), []) for i, h in enumerate(headers)}
    mapping: dict[int, str] = {}
    for i in sorted((i for i in candidates if candidates[i]), key=lambda i: (min(candidates[i])[0], i)):
        # Candidates in column order: a 主管单位 is the unit unless a better heading already took it.
        key = next((k for _, k in candidates[i] if k not in mapping.values()), None)
        if key is not None:
            mapping[i] = key
    unknown = [h for i, h in enumerate(headers) if h.strip() and i not in mapping and _norm_header(h) not in _HEADINGS]
    missing = [c.header for c in COLUMNS if c.required and c.key not in mapping.values()]
    return mapping, unknown, missing

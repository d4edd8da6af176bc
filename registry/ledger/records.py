"""The ledger (台账) format: its columns, and row validation into canonical account records.

A record is a dict of column key -> canonical text, the same shape `registry.ledger.sync` computes from the
database; comparing the two is how import finds what changed, and why export -> import is a no-op.
Validation is pure: every problem becomes a `RowError` naming the row, the column and the value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from registry.config.credentials import looks_like_secret
from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.frequency import parse_frequency


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
#: Headings that real lists carry and the ledger knows but does not store: 序号 (ignored) and the
#: (序号 is ignored; the WeChat 微信号 is the `alias` column, kept apart from the 原始ID.)
EXTRA_COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", ("编号", "序", "no", "no.")),
)
#: Columns whose blank or 同上 cell means "the unit of the row above" (lists write a unit once per group).
UNIT_KEYS = ("unit", "parent_unit", "operator_org")
#: Columns that belong to one account only: 同上 there is never "the same as above".
ACCOUNT_KEYS = ("name", "uid", "alias", "opened_on", "feed_url", "credential")
BY_KEY = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)

_WECHAT_UID = re.compile(r"^gh_[0-9a-f]{12}$")
_WEIBO_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?weibo\.(?:com|cn)/(?:u/|profile/)?(\d{5,12})(?:[/?#].*)?$", re.IGNORECASE
)
_WEIBO_NAME_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?weibo\.(?:com|cn)/n/([^/?#\s]{1,64})/?$", re.IGNORECASE)
_WECHAT_ALIAS = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{5,19}$")
_BIZ = re.compile(r"^(?:.*[?&]__biz=)?(Mz[A-Za-z0-9+/]{6,40}={0,2})(?:[&#].*)?$")
#: Unit cells that mean "owner unit not known yet": the account is imported as pending (待补全).
PENDING_UNIT = "待核实"
_UNKNOWN_UNITS = frozenset(("", PENDING_UNIT, "待确认", "待定", "不详", "未知"))


def shown_unit(name: str) -> str | None:
    """A unit name as users see it: None (shown "—") for the placeholder a pending account waits in, which is
    no unit (the schema keeps every account in a unit; the placeholder never shows as one)."""
    return None if name == PENDING_UNIT else name
_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,5})?)$")
_CREDENTIAL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_WECOM_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_TRUE = ("是", "已备案", "y", "yes", "true", "1", "√")
_FALSE = ("否", "未备案", "n", "no", "false", "0", "×", "")
MAX_LEN = 500
#: Columns stored in shorter database columns than MAX_LEN (PostgreSQL refuses longer text; SQLite would
#: silently keep it): the limit of the registry column each one lands in.
FIELD_MAX_LEN = {"name": 128, "unit": 128, "parent_unit": 128, "operator_org": 128, "verified_subject": 128,
                 "interaction": 128, "head": 64, "operator": 64, "account_type": 32}
# Control characters: PostgreSQL cannot store NUL, and xlsx cannot hold the others (export would fail).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(text: str) -> bool:
    """Whether text holds a control character that no registry column may store."""
    return _CONTROL.search(text) is not None


def cut(value: str, limit: int = 80) -> str:
    """A value as quoted in an error line: repr, at most ``limit`` characters (a cell may be megabytes)."""
    if len(value) > limit:
        return repr(value[:limit]) + tr(f"…（共 {len(value)} 字符）", f"… ({len(value)} characters)")
    return repr(value)


@dataclass(frozen=True)
class RowError:
    """One invalid cell: spreadsheet row, column header (as the file spells it), reason, offending value.

    Row 0 is the file as a whole (column is then the file name); `letter` is the spreadsheet column
    (A, B, …) when the column is in the file.
    """

    row: int
    column: str
    reason: str
    value: str
    letter: str = ""

    def __str__(self) -> str:
        # The value once: not again when the reason already quotes it (平台「xx」无法识别…); cut, since a
        # cell may be megabytes.
        shown = self.value and f"「{self.value}」" not in self.reason and repr(self.value) not in self.reason
        value = f"：{cut(self.value)}" if shown else ""
        value_en = f": {cut(self.value)}" if shown else ""
        if self.row == 0:
            return tr(f"{self.column}：{self.reason}", f"{self.column}: {self.reason}")
        return tr(
            f"第{self.row}行 {self.letter + '列' if self.letter else ''}【{self.column}】 {self.reason}{value}",
            f"row {self.row}{', column ' + self.letter if self.letter else ''} [{self.column}] {self.reason}{value_en}",
        )


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class ParsedLedger:
    """Valid records (each with its row number), errors and warnings."""

    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: How rows were read (duplicates merged), for the user's information.
    notes: list[str] = field(default_factory=list)


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


def is_pending(record: dict[str, str]) -> bool:
    """Whether a record lacks the platform uid or the owner unit (pending identity, 待补全)."""
    return not record.get("uid") or record.get("unit") == PENDING_UNIT


#: What a record may lack, in the user's language.
MISSING_LABELS = {"platform": ("平台", "platform"), "uid": ("账号ID", "account id"), "unit": ("主办单位", "owner unit"),
                  "contact": ("联系人", "contact")}


def missing_fields(record: dict[str, str]) -> list[str]:
    """What a record still lacks: "platform", "uid", "unit", "contact" (labels in MISSING_LABELS).

    Only a missing id or unit keeps an account from being collected (`is_pending`); a missing contact is
    reported so that the office completes it, the account is still collected.
    """
    out = []
    if record.get("platform") == vocab.Platform.OTHER.value and not record.get("uid"):
        out.append("platform")
    if not record.get("uid"):
        out.append("uid")
    if record.get("unit") in ("", PENDING_UNIT):
        out.append("unit")
    if not record.get("operator") and not record.get("head"):
        out.append("contact")
    return out


def missing_text(missing: list[str]) -> str:
    """Missing fields as the user reads them: 账号ID、主办单位 / account id, owner unit."""
    return tr("、", ", ").join(tr(*MISSING_LABELS[m]) for m in missing)


def parse_date(raw: str) -> dt.date | None:
    """Parse 2024-05-01, 2024/5/1, 2024.5.1 or 2024年5月1日; raise ValueError when unreadable."""
    v = unicodedata.normalize("NFKC", raw).strip()
    if not v:
        return None
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$", v)
    if not m:
        raise ValueError(v)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


_NAME_QUOTES = "@＠\"'“”‘’「」『』《》〈〉【】 \u3000\t"
#: Platform words inside a name, longest first (微信视频号 before 微信).
_NAME_PLATFORM_WORDS: tuple[tuple[str, vocab.Platform], ...] = (
    ("视频号", vocab.Platform.CHANNELS), ("公众号", vocab.Platform.WECHAT), ("微博", vocab.Platform.WEIBO),
    ("抖音", vocab.Platform.DOUYIN), ("头条", vocab.Platform.TOUTIAO), ("快手", vocab.Platform.KUAISHOU),
    ("小红书", vocab.Platform.XIAOHONGSHU), ("百家号", vocab.Platform.BAIJIAHAO),
)


def _platform_of_id(raw: str) -> vocab.Platform | None:
    """The platform an identifier itself shows: gh_… is WeChat, a weibo.com link Weibo, a douyin.com link Douyin."""
    v = unicodedata.normalize("NFKC", raw).strip().lower()
    if _WECHAT_UID.match(v):
        return vocab.Platform.WECHAT
    if _WEIBO_URL.match(v) or _WEIBO_NAME_URL.match(v):
        return vocab.Platform.WEIBO
    if "douyin.com/" in v:
        return vocab.Platform.DOUYIN
    return None


#: Words in a name that say its platform beyond doubt (头条 does not: 湘西头条 is a WeChat account).
_STRONG_NAME_WORDS: tuple[tuple[str, vocab.Platform], ...] = (
    ("视频号", vocab.Platform.CHANNELS), ("微博", vocab.Platform.WEIBO), ("抖音", vocab.Platform.DOUYIN),
    ("快手", vocab.Platform.KUAISHOU), ("小红书", vocab.Platform.XIAOHONGSHU),
)


def clean_name(raw: str) -> str:
    """A name as written on the platform: no leading @, surrounding quotes or 《》, no full-width spaces."""
    name = raw.replace("\u3000", " ").strip()
    previous = None
    while name != previous:
        previous = name
        name = name.strip(_NAME_QUOTES).strip()
    return re.sub(r"\s{2,}", " ", name)


_BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*([^（）()]+?)\s*[）)]\s*$")
SAME_AS_ABOVE = ("同上", "同上。", "〃", "”", '"')
_UID_HINTS = {
    vocab.Platform.WECHAT: ("微信公众号应填原始ID（gh_加12位十六进制；登录 mp.weixin.qq.com，在「设置与开发 → 公众号设置 → 注册信息」中查看）",
                            "WeChat needs the original id (gh_ + 12 hex; mp.weixin.qq.com → Settings → Account info)"),
    vocab.Platform.WEIBO: ("微博应填数字UID或主页链接（打开该微博主页，地址 weibo.com/u/ 后的数字）",
                           "Weibo needs a numeric uid or profile URL (the digits after weibo.com/u/)"),
}


#: Column keys of a wide list (one column per platform holding account names): WIDE_PREFIX + platform code.
WIDE_PREFIX = "name:"
#: Cells of a wide list that say the unit has no account on that platform.
NO_ACCOUNT = frozenset({"无", "暂无", "未开设", "未开通", "没有", "/", "／", "-", "—", "——", "×", "否", "0"})
_PLATFORM_LIST = re.compile(r"[、,，/／;；+＋&]|\s+|和|及")


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
        m = _BRACKETED.match(clean_name(name))
        words = split_platforms(m.group(2)) if m and m.group(1) else []
        name = m.group(1) if m and words else name
    return [{**cells, "name": name, "platform": w} for w in words] if words else [cells]


def split_platform_suffix(name: str) -> tuple[str, str, vocab.Platform | None]:
    """"某某警方（新浪微博）" -> ("某某警方", "新浪微博", weibo); a name without such a bracket is unchanged."""
    m = _BRACKETED.match(name)
    platform = vocab.parse_platform(m.group(2)) if m and m.group(1) else None
    if m is None or platform is None:
        return name, "", None
    return m.group(1), m.group(2), platform


class Row:
    """Validation of one row, collecting errors instead of stopping at the first (`validation` runs them)."""

    def __init__(self, number: int, cells: dict[str, str], today: dt.date,
                 where: dict[str, tuple[str, str]] | None = None,
                 default_platform: vocab.Platform | None = None) -> None:
        self.number = number
        self.cells = cells
        self.today = today
        self.where = where or {}
        self.default_platform = default_platform
        self.errors: list[RowError] = []
        self.warnings: list[str] = []
        self.no_credential = False
        self.platform_unknown = False
        self.out: dict[str, str] = {}

    def err(self, key: str, reason: str) -> None:
        header, letter = self.where.get(key, (BY_KEY[key].header, ""))
        # a refused credential cell may be a pasted secret: name the row and column, never the value
        value = "***" if key == "credential" else self.cells.get(key, "")
        self.errors.append(RowError(self.number, header, reason, value, letter))

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()

    def place(self, key: str) -> tuple[str, str]:
        """Where a column is, in Chinese and English: 第N行 C列【heading】."""
        header, letter = self.where.get(key, (BY_KEY[key].header, ""))
        return (f"第{self.number}行 {letter + '列' if letter else ''}【{header}】",
                f"row {self.number}{', column ' + letter if letter else ''} [{header}]")

    def validate(self) -> dict[str, str] | None:
        for key in KEYS:
            value = self.cells.get(key, "")
            limit = FIELD_MAX_LEN.get(key, MAX_LEN)
            if len(value) > limit:
                self.err(key, tr(f"内容过长（超过{limit}字）", f"too long (over {limit} characters)"))
                self.cells[key] = value[:40] + "…"
            elif has_control_chars(value):
                self.err(key, tr("含有不可见的控制字符", "holds invisible control characters"))
            elif BY_KEY[key].required and not value.strip() and key not in ("platform", "uid", "unit"):
                self.err(key, tr("必填项为空", "required but empty"))
        for key in KEYS:
            if self.get(key) not in SAME_AS_ABOVE:
                continue
            if key in ACCOUNT_KEYS:
                self.err(key, tr("「同上」只能用于单位等共用信息：请填写本账号自己的内容",
                                 "'同上' (same as above) is only for shared cells such as the unit: give this account's own value"))
            else:  # the reader fills every 同上 that has a row above it
                self.err(key, tr("「同上」上方没有可参照的内容（表头或分类行之后的第一行）：请直接填写",
                                 "'同上' (same as above) with nothing above it: write the value itself"))
                self.cells[key] = ""
        for key in ("name", "unit", "parent_unit", "operator_org", "head", "operator", "verified_subject",
                    "interaction", "notes", "account_type", "alias", "biz"):
            self.out[key] = self.get(key)
        if self.out["unit"] in _UNKNOWN_UNITS:
            self.out["unit"] = PENDING_UNIT
        self.out["name"] = clean_name(self.out["name"])
        status_said = _BRACKETED.match(self.out["name"])
        if status_said and status_said.group(1) and vocab.read_status(status_said.group(2)) is not None:
            # 某某发布（已注销）: the status written after the name, as 注销 notices do
            self.out["name"] = clean_name(status_said.group(1))
            if not self.get("status"):
                self.cells["status"] = status_said.group(2)
        if not self.out["name"]:
            self.err("name", tr("账号名称为空", "the account name is empty"))
        platform = self._platform()
        self._name_platform(platform)
        self._uid(platform)
        self._unit_kind()
        if self.out["unit"] == PENDING_UNIT:  # no level or parent without a unit (the placeholder has none)
            self.out["unit_kind"] = self.out["parent_unit"] = ""
        self._people()
        self._dates()
        self._method(platform)
        self._status_and_role(platform)
        self._frequency()
        return None if self.errors else self.out

    def _platform(self) -> vocab.Platform | None:
        raw = self.get("platform")
        name, word, in_name = split_platform_suffix(self.out["name"])
        if in_name is not None:
            self.out["name"] = name
        p = vocab.parse_platform(raw) if raw else None
        if raw and p is None:
            # Not a refusal (issue 21): an APP, 小程序 or a platform we do not know is registered as 其他,
            # pending, the word kept in the notes.
            zh, en = self.place("platform")
            self.warnings.append(tr(f"{zh}「{raw}」不是可识别的平台（可用 {vocab.platform_choices()}）：按“其他”登记为待补全，"
                                    "原文记入备注",
                                    f"{en} {raw!r} is not a known platform: registered as other (pending), kept in the notes"))
            note = tr(f"平台：{raw}", f"platform: {raw}")
            self.out["notes"] = f"{self.out['notes']}；{note}" if self.out["notes"] else note
            p = vocab.Platform.OTHER
            self.cells["uid"] = ""  # an id means nothing without its platform
        elif p is not None and in_name is not None and p is not in_name:
            self.err("platform", tr(f"与名称括号中的平台「{word}」不一致：删去名称中的括号或改正平台",
                                    f"conflicts with the platform {word!r} in brackets after the name"))
        elif not raw:
            p = in_name or self.default_platform
            strong = next((q for w, q in _STRONG_NAME_WORDS if w in self.out["name"]), None) if in_name is None else None
            if p is not None and strong is not None and strong is not p:
                # The whole list's platform was a guess (--default-platform, 公众号名称); the name says otherwise.
                self.warnings.append(tr(
                    f"第{self.number}行「{self.out['name']}」没有写平台，名称表明是{vocab.PLATFORM_LABELS[strong]}："
                    f"按{vocab.PLATFORM_LABELS[strong]}登记（不是{vocab.PLATFORM_LABELS[p]}），请核对",
                    f"row {self.number} {self.out['name']!r} has no platform and its name says {strong.value}: "
                    f"registered as {strong.value}, not {p.value}; check it"))
                p = strong
            if p is None:
                p = _platform_of_id(self.get("uid"))
            if p is None:
                # Not an error: the account is registered as pending (平台 其他, no id) until the platform is known.
                p = vocab.Platform.OTHER
                self.platform_unknown = True
                if self.get("uid"):  # an id means nothing without its platform: kept in the notes
                    note = tr(f"账号ID：{self.get('uid')}", f"account id: {self.get('uid')}")
                    self.out["notes"] = f"{self.out['notes']}；{note}" if self.out["notes"] else note
                    self.cells["uid"] = ""
        kind = vocab.PLATFORM_ACCOUNT_TYPES.get(vocab.platform_key(raw or word))
        if kind and not self.out["account_type"]:
            self.out["account_type"] = kind
        self.out["platform"] = p.value if p else ""
        return p

    def _uid(self, platform: vocab.Platform | None) -> None:
        # No uid is not an error: the account is pending (待补全) until the id is known.
        raw = self.get("uid")
        if platform is None:
            return
        uid = canonical_uid(platform, raw) if raw else None
        hint = identity_hint(platform, raw) if raw and uid is None else None
        if hint is not None:
            self.out[hint[0]] = hint[1]
        elif platform is vocab.Platform.WECHAT and self.out["alias"]:
            self.out["alias"] = unicodedata.normalize("NFKC", self.out["alias"]).strip()
        if self.out["biz"]:
            found = identity_hint(vocab.Platform.WECHAT, self.out["biz"]) if platform is vocab.Platform.WECHAT else None
            if found is None or found[0] != "biz":
                self.err("biz", tr("__biz 应形如 MzA5NjQ2NjQ0MQ==（公众号文章链接中 __biz= 后面的部分）",
                                   "__biz looks like MzA5NjQ2NjQ0MQ== (the part after __biz= in an article link)"))
            else:
                self.out["biz"] = found[1]
        if raw and uid is None and hint is None:
            zh, en = _UID_HINTS.get(platform, (
                "请填写该平台的账号ID（不能含空白，不超过128字）" if not raw else "账号ID不能含空白且不超过128字",
                "give the platform's account id (no spaces, at most 128 characters)"))
            alias = self.get("alias")
            if alias and platform is vocab.Platform.WECHAT:
                zh += f"；本行的微信号「{alias}」不是原始ID"
                en += f"; the WeChat alias {alias!r} on this row is not the original id"
            zh += "；暂不知道时可留空，账号将登记为待补全"
            en += "; leave it empty while unknown: the account is registered as pending"
            if "uid" not in self.where:
                zh += "；表中没有账号ID列，请在表头加一列「账号ID」"
                en += "; the file has no account id column: add one headed 账号ID"
            self.err("uid", tr(zh, en))
        self.out["uid"] = uid or ""

    def _unit_kind(self) -> None:
        raw = self.get("unit_kind")
        kind = vocab.parse_unit_kind(raw) if raw else None
        if raw and kind is None:
            self.err("unit_kind", tr("应为 县政府/县直部门/乡镇/其他", "must be county_gov/department/township/other"))
        self.out["unit_kind"] = kind.value if kind else ""
        if self.out["parent_unit"] and self.out["parent_unit"] == self.out["unit"]:
            self.err("parent_unit", tr("上级单位不能是本单位", "a unit cannot be its own parent"))

    def _people(self) -> None:
        for key in ("head_phone", "operator_phone"):
            raw = unicodedata.normalize("NFKC", self.get(key)).replace(" ", "")
            if raw and not _PHONE.match(raw):
                self.err(key, tr("不是有效的手机号或固定电话", "not a valid mobile or landline number"))
            self.out[key] = raw
        for key in ("wecom", "head_wecom"):
            raw = self.get(key)
            if raw and not _WECOM_ID.match(raw):
                self.err(key, tr("企业微信账号只能含字母、数字和 _.@-", "WeCom userid may hold only letters, digits and _.@-"))
            self.out[key] = raw.lower()
        if self.out["wecom"] and not self.out["operator"]:
            self.err("wecom", tr("填写了企业微信账号但没有运维人员", "WeCom userid given without an operator"))
        if self.out["head_wecom"] and not self.out["head"]:
            self.err("head_wecom", tr("填写了负责人企业微信账号但没有负责人", "head WeCom userid given without a head"))

    def _dates(self) -> None:
        for key in ("opened_on", "filed_on"):
            try:
                d = parse_date(self.get(key))
            except ValueError:
                self.err(key, tr("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"))
                d = None
            if d and d > self.today:
                self.err(key, tr("日期晚于今天", "date is in the future"))
            self.out[key] = d.isoformat() if d else ""
        raw = self.get("filed").lower()
        if raw in _TRUE:
            self.out["filed"] = "是"
        elif raw in _FALSE:
            self.out["filed"] = "否"
        else:
            self.err("filed", tr("应为 是 或 否", "must be 是 (yes) or 否 (no)"))
            self.out["filed"] = ""
        if self.out["filed_on"] and self.out["filed"] == "否":
            self.err("filed_on", tr("未备案的账号不应有备案日期", "an unfiled account cannot have a filing date"))

    def _method(self, platform: vocab.Platform | None) -> None:
        raw = self.get("method")
        method = vocab.parse_method(raw) if raw else None
        if raw and method is None:
            methods = "/".join(m.value for m in vocab.CollectMethod)  # kept equal to collectors' SOURCES by a test
            self.err("method", tr(f"应为 {methods}", f"must be {methods}"))
        if method is None and platform is not None and not raw:
            method = vocab.DEFAULT_METHOD.get(platform, vocab.CollectMethod.MANUAL)
        if method and platform and platform not in vocab.METHOD_PLATFORMS[method]:
            self.err("method", tr(f"采集方式 {method.value} 不适用于该平台", f"method {method.value} does not fit this platform"))
        self.out["method"] = method.value if method else ""
        cred = self.get("credential")
        if cred and looks_like_secret(cred):
            self.err("credential", tr("像是密钥本身：这里只填密钥文件中的凭据名", "looks like a secret itself: give the name of a secrets-file credential"))
            cred = ""
        elif cred and not _CREDENTIAL.match(cred):
            self.err("credential", tr("凭据名只能含字母、数字和 _.-（最长64）", "credential name may hold only letters, digits and _.- (max 64)"))
            cred = ""
        self.out["credential"] = cred
        if method in (vocab.CollectMethod.WECHAT_API, vocab.CollectMethod.WEIBO_API) and not cred:
            self.no_credential = True  # reported once for the whole file (validate_rows)
        feed = self.get("feed_url")
        if feed and not (feed.startswith("/") or re.match(r"^https?://[^\s/]+", feed)):
            self.err("feed_url", tr("订阅地址应为 http(s) 链接或以 / 开头的路径", "feed must be an http(s) URL or a path starting with /"))
        elif method is vocab.CollectMethod.FEED and not feed:
            self.err("feed_url", tr("采集方式为 feed 时必须填写订阅地址", "method feed needs a feed URL"))
        self.out["feed_url"] = feed

    def _name_platform(self, platform: vocab.Platform | None) -> None:
        """Warn when the name names another platform (微博 in a WeChat row): likely a row on the wrong platform."""
        named = next((p for word, p in _NAME_PLATFORM_WORDS if word in self.out["name"]), None)
        if named is None or platform in (None, vocab.Platform.OTHER) or named is platform:
            return
        if {named, platform} == {vocab.Platform.WECHAT, vocab.Platform.CHANNELS} or (
                named is vocab.Platform.WECHAT and platform is vocab.Platform.CHANNELS):
            return
        self.warnings.append(tr(
            f"第{self.number}行「{self.out['name']}」名称中有「{vocab.PLATFORM_LABELS[named]}」，但平台是"
            f"「{vocab.PLATFORM_LABELS[platform]}」：请核对平台",
            f"row {self.number} {self.out['name']!r} names {named.value} but its platform is {platform.value}: check it"))

    def _status_and_role(self, platform: vocab.Platform | None) -> None:
        raw = self.get("status")
        status = vocab.read_status(raw) if raw else vocab.Status.OPERATING
        if status is None:
            # Not a refusal: the words are kept in the notes, the stored status left as it is.
            note = tr(f"状态：{raw}", f"status: {raw}")
            self.out["notes"] = f"{self.out['notes']}；{note}" if self.out["notes"] else note
            zh, en = self.place("status")
            self.warnings.append(tr(f"{zh}「{raw}」无法识别为运营状态：已记入备注，状态不变",
                                    f"{en} {raw!r} is not a known status: kept in the notes, status unchanged"))
        self.out["status"] = status.value if status else ""
        raw = self.get("matrix_role")
        role = vocab.parse_matrix_role(raw) if raw else None
        if raw and role is None:
            self.err("matrix_role", tr("应为 主账号 或 成员账号", "must be flagship or member"))
        if role is None and not raw:
            # The county government's own WeChat and Weibo lead the matrix (design: 以县政府为主导).
            flagship = self.out.get("unit_kind") == vocab.UnitKind.COUNTY_GOV.value and platform in (
                vocab.Platform.WECHAT, vocab.Platform.WEIBO)
            role = vocab.MatrixRole.FLAGSHIP if flagship else vocab.MatrixRole.MEMBER
        self.out["matrix_role"] = role.value if role else ""

    def _frequency(self) -> None:
        raw = self.get("frequency")
        try:
            f = parse_frequency(raw)
        except ValueError:
            self.err("frequency", tr("无法识别，应如 每工作日、每周3次、每周、每两周、每月", "unreadable; e.g. 每工作日, 每周3次, 每周, 每两周, 每月"))
            f = None
        self.out["frequency"] = f.label() if f else ("不定期" if raw in ("不定期",) else "")


def record_identity(record: dict[str, str]) -> tuple[str, ...]:
    """Who a record is: (platform, uid), or (platform, name, unit) while the uid is unknown."""
    if record.get("uid"):
        return record["platform"], record["uid"]
    return record["platform"], record["name"], record["unit"]

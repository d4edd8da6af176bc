"""The ledger (台账) format: its columns, and row validation into canonical account records.

A record is a dict of column key -> canonical text, the same shape `registry.ledger.sync` computes from the
database; comparing the two is how import finds what changed, and why export -> import is a no-op.
Validation is pure: every problem becomes a `RowError` naming the row, the column and the value.
"""

from __future__ import annotations

import datetime as dt
import re
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
    Column("name", "账号名称", ("account name", "name"), True),
    Column("platform", "平台", ("platform",), True),
    Column("uid", "账号ID", ("account id", "uid"), True),
    Column("unit", "主办单位", ("owner unit", "unit"), True),
    Column("unit_kind", "单位类型", ("unit kind", "unit type")),
    Column("parent_unit", "上级单位", ("parent unit",)),
    Column("operator_org", "运维单位", ("operator unit", "operator org")),
    Column("head", "负责人", ("head",)),
    Column("head_phone", "负责人电话", ("head phone",)),
    Column("operator", "运维人员", ("operator",)),
    Column("operator_phone", "运维人员电话", ("operator phone",)),
    Column("wecom", "企业微信账号", ("wecom userid", "wecom")),
    Column("opened_on", "开设日期", ("opened on", "opened")),
    Column("verified_subject", "认证主体", ("verified subject",)),
    Column("filed", "是否备案", ("filed",)),
    Column("filed_on", "备案日期", ("filed on",)),
    Column("interaction", "互动渠道", ("interaction channel", "interaction")),
    Column("frequency", "更新频率要求", ("update frequency", "frequency")),
    Column("method", "采集方式", ("collect method", "collection method", "method")),
    Column("credential", "凭据", ("credential",)),
    Column("feed_url", "订阅地址", ("feed url", "feed")),
    Column("status", "状态", ("status",)),
    Column("notes", "备注", ("notes", "remarks")),
    # Optional extras the list lacks but a matrix needs; exported after the standard ones.
    Column("account_type", "账号类型", ("account type",)),
    Column("matrix_role", "矩阵角色", ("matrix role",)),
    Column("head_wecom", "负责人企业微信账号", ("head wecom userid", "head wecom")),
)
BY_KEY = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)

_WECHAT_UID = re.compile(r"^gh_[0-9a-f]{12}$")
_WEIBO_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?weibo\.(?:com|cn)/(?:u/|profile/)?(\d{5,12})(?:[/?#].*)?$", re.IGNORECASE
)
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
    """One invalid cell: spreadsheet row, column header, reason, offending value."""

    row: int
    column: str
    reason: str
    value: str

    def __str__(self) -> str:
        shown = cut(self.value)
        return tr(
            f"第{self.row}行 【{self.column}】 {self.reason}：{shown}",
            f"row {self.row} [{self.column}] {self.reason}: {shown}",
        )


@dataclass
class ParsedLedger:
    """Valid records (each with its row number), errors and warnings."""

    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _norm_header(h: str) -> str:
    return re.sub(r"[\s_*＊()（）]+", " ", h).strip().lower()


def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Map header positions to column keys; return (mapping, unknown headers, missing required)."""
    lookup: dict[str, str] = {}
    for c in COLUMNS:
        lookup[_norm_header(c.header)] = c.key
        for a in c.aliases:
            lookup[_norm_header(a)] = c.key
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for i, h in enumerate(headers):
        key = lookup.get(_norm_header(h))
        if key is None:
            if h.strip():
                unknown.append(h)
        elif key not in mapping.values():
            mapping[i] = key
    missing = [c.header for c in COLUMNS if c.required and c.key not in mapping.values()]
    return mapping, unknown, missing


def canonical_uid(platform: vocab.Platform, raw: str) -> str | None:
    """Canonical platform uid, or None when it is not valid for the platform."""
    v = raw.strip()
    if platform is vocab.Platform.WECHAT:
        v = v.lower()
        return v if _WECHAT_UID.match(v) else None
    if platform is vocab.Platform.WEIBO:
        if v.isdigit() and 5 <= len(v) <= 12:
            return v
        m = _WEIBO_URL.match(v)
        return m.group(1) if m else None
    return v if v and not any(ch.isspace() for ch in v) and len(v) <= 128 else None


def parse_date(raw: str) -> dt.date | None:
    """Parse 2024-05-01, 2024/5/1, 2024.5.1 or 2024年5月1日; raise ValueError when unreadable."""
    v = raw.strip()
    if not v:
        return None
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$", v)
    if not m:
        raise ValueError(v)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


class _Row:
    """Validation of one row, collecting errors instead of stopping at the first."""

    def __init__(self, number: int, cells: dict[str, str], today: dt.date) -> None:
        self.number = number
        self.cells = cells
        self.today = today
        self.errors: list[RowError] = []
        self.warnings: list[str] = []
        self.out: dict[str, str] = {}

    def err(self, key: str, reason: str) -> None:
        # a refused credential cell may be a pasted secret: name the row and column, never the value
        value = "***" if key == "credential" else self.cells.get(key, "")
        self.errors.append(RowError(self.number, BY_KEY[key].header, reason, value))

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()

    def validate(self) -> dict[str, str] | None:
        for key in KEYS:
            value = self.cells.get(key, "")
            limit = FIELD_MAX_LEN.get(key, MAX_LEN)
            if len(value) > limit:
                self.err(key, tr(f"内容过长（超过{limit}字）", f"too long (over {limit} characters)"))
                self.cells[key] = value[:40] + "…"
            elif has_control_chars(value):
                self.err(key, tr("含有不可见的控制字符", "holds invisible control characters"))
            elif BY_KEY[key].required and not value.strip():
                self.err(key, tr("必填项为空", "required but empty"))
        for key in ("name", "unit", "parent_unit", "operator_org", "head", "operator", "verified_subject",
                    "interaction", "notes", "account_type"):
            self.out[key] = self.get(key)
        platform = self._platform()
        self._uid(platform)
        self._unit_kind()
        self._people()
        self._dates()
        self._method(platform)
        self._status_and_role(platform)
        self._frequency()
        return None if self.errors else self.out

    def _platform(self) -> vocab.Platform | None:
        raw = self.get("platform")
        p = vocab.parse_platform(raw) if raw else None
        if raw and p is None:
            self.err("platform", tr("不是已知平台（微信公众号/新浪微博/微信视频号/抖音/今日头条/其他）",
                                    "not a known platform (wechat/weibo/channels/douyin/toutiao/other)"))
        self.out["platform"] = p.value if p else ""
        return p

    def _uid(self, platform: vocab.Platform | None) -> None:
        raw = self.get("uid")
        if not raw or platform is None:
            return
        uid = canonical_uid(platform, raw)
        if uid is None:
            reason = {
                vocab.Platform.WECHAT: tr("微信公众号应填原始ID（gh_加12位十六进制）", "WeChat needs the original id (gh_ + 12 hex)"),
                vocab.Platform.WEIBO: tr("微博应填数字UID或主页链接", "Weibo needs a numeric uid or profile URL"),
            }.get(platform, tr("账号ID不能含空白且不超过128字", "must have no spaces and at most 128 characters"))
            self.err("uid", reason)
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
            raw = self.get(key).replace(" ", "")
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
            self.err("method", tr("应为 wechat_api/weibo_api/weibo_public/feed/manual", "must be wechat_api/weibo_api/weibo_public/feed/manual"))
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
            self.warnings.append(tr(f"第{self.number}行：采集方式 {method.value} 未填凭据，采集时将失败",
                                    f"row {self.number}: method {method.value} has no credential; collection will fail"))
        feed = self.get("feed_url")
        if feed and not (feed.startswith("/") or re.match(r"^https?://[^\s/]+", feed)):
            self.err("feed_url", tr("订阅地址应为 http(s) 链接或以 / 开头的路径", "feed must be an http(s) URL or a path starting with /"))
        elif method is vocab.CollectMethod.FEED and not feed:
            self.err("feed_url", tr("采集方式为 feed 时必须填写订阅地址", "method feed needs a feed URL"))
        self.out["feed_url"] = feed

    def _status_and_role(self, platform: vocab.Platform | None) -> None:
        raw = self.get("status")
        status = vocab.parse_status(raw) if raw else vocab.Status.OPERATING
        if status is None:
            self.err("status", tr("应为 运营中/整改中/审核中/停更公告中/已关停/已注销", "must be one of the lifecycle statuses"))
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


def validate_rows(headers: list[str], rows: list[tuple[int, list[str]]], today: dt.date) -> ParsedLedger:
    """Validate every row and the cross-row rules; collect all errors."""
    result = ParsedLedger()
    mapping, unknown, missing = map_headers(headers)
    if unknown:
        result.warnings.append(tr(f"未知列将被忽略：{'、'.join(unknown)}", f"unknown columns ignored: {', '.join(unknown)}"))
    for header in missing:
        result.errors.append(RowError(1, header, tr("缺少必需的列", "required column missing"), ""))
    if missing:
        return result
    seen: dict[tuple[str, str], int] = {}
    units: dict[str, tuple[int, str, str]] = {}
    people: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    for number, cells in rows:
        row = _Row(number, {key: cells[i] if i < len(cells) else "" for i, key in mapping.items()}, today)
        record = row.validate()
        result.errors.extend(row.errors)
        result.warnings.extend(row.warnings)
        if record is None:
            continue
        ident = (record["platform"], record["uid"])
        if ident in seen:
            row.err("uid", tr(f"与第{seen[ident]}行重复（同一平台同一账号ID）", f"duplicates row {seen[ident]} (same platform and id)"))
        seen.setdefault(ident, number)
        prev = units.get(record["unit"])
        if prev and record["unit_kind"] and prev[1] and prev[1] != record["unit_kind"]:
            row.err("unit_kind", tr(f"与第{prev[0]}行同一单位的类型不一致", f"conflicts with row {prev[0]} for the same unit"))
        if prev and record["parent_unit"] and prev[2] and prev[2] != record["parent_unit"]:
            row.err("parent_unit", tr(f"与第{prev[0]}行同一单位的上级单位不一致", f"conflicts with row {prev[0]} for the same unit"))
        if not prev or (record["unit_kind"] and not prev[1]):
            units[record["unit"]] = (number, record["unit_kind"], record["parent_unit"])
        for role, phone_key, wecom_key in (("head", "head_phone", "head_wecom"), ("operator", "operator_phone", "wecom")):
            if not record[role]:
                continue
            pkey = (record["unit"], record[role], role)
            before = people.setdefault(pkey, (number, record[phone_key], record[wecom_key]))
            if before[1] and record[phone_key] and before[1] != record[phone_key]:
                row.err(phone_key, tr(f"同一人员在第{before[0]}行的电话不同", f"same person has another phone on row {before[0]}"))
            if before[2] and record[wecom_key] and before[2] != record[wecom_key]:
                row.err(wecom_key, tr(f"同一人员在第{before[0]}行的企业微信账号不同", f"same person has another WeCom userid on row {before[0]}"))
        # validate() returned a record, so every error on the row now is a cross-row one.
        result.errors.extend(row.errors)
        if not row.errors:
            result.records.append((number, record))
    return result

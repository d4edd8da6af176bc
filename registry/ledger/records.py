"""Ledger records: one row of cells validated into a canonical account record.

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
from registry.ledger.cells import FIELD_MAX_LEN, MAX_LEN, SAME_AS_ABOVE, has_control_chars, parse_date
from registry.ledger.columns import ACCOUNT_KEYS, BY_KEY, KEYS
from registry.ledger.completeness import PENDING_UNIT, UNKNOWN_UNITS
from registry.ledger.frequency import parse_frequency
from registry.ledger.identifiers import UID_HINTS, canonical_uid, identity_hint, platform_of_id
from registry.ledger.names import (
    BRACKETED,
    NAME_PLATFORM_WORDS,
    STRONG_NAME_WORDS,
    clean_name,
    split_platform_suffix,
)
from registry.ledger.row_errors import RowError

# PENDING_UNIT is re-exported for importers outside registry.ledger that still name this module.
__all__ = ["PENDING_UNIT", "ParsedLedger", "Row"]

_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,5})?)$")
_CREDENTIAL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_WECOM_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_TRUE = ("是", "已备案", "y", "yes", "true", "1", "√")
_FALSE = ("否", "未备案", "n", "no", "false", "0", "×", "")


@dataclass
class ParsedLedger:
    """Valid records (each with its row number), errors and warnings."""

    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: How rows were read (duplicates merged), for the user's information.
    notes: list[str] = field(default_factory=list)


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
        if self.out["unit"] in UNKNOWN_UNITS:
            self.out["unit"] = PENDING_UNIT
        self.out["name"] = clean_name(self.out["name"])
        status_said = BRACKETED.match(self.out["name"])
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
            strong = next((q for w, q in STRONG_NAME_WORDS if w in self.out["name"]), None) if in_name is None else None
            if p is not None and strong is not None and strong is not p:
                # The whole list's platform was a guess (--default-platform, 公众号名称); the name says otherwise.
                self.warnings.append(tr(
                    f"第{self.number}行「{self.out['name']}」没有写平台，名称表明是{vocab.PLATFORM_LABELS[strong]}："
                    f"按{vocab.PLATFORM_LABELS[strong]}登记（不是{vocab.PLATFORM_LABELS[p]}），请核对",
                    f"row {self.number} {self.out['name']!r} has no platform and its name says {strong.value}: "
                    f"registered as {strong.value}, not {p.value}; check it"))
                p = strong
            if p is None:
                p = platform_of_id(self.get("uid"))
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
            zh, en = UID_HINTS.get(platform, (
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
        named = next((p for word, p in NAME_PLATFORM_WORDS if word in self.out["name"]), None)
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

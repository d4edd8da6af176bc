"""Column mapping, a step of its own: which ledger column each column of a published list is.

A column is guessed from its heading (the ledger's synonyms) *and* from its values: a column of platform
words is the platform whatever its heading, gh_… ids, numeric UIDs and profile links are identifiers,
注销/关停/停更/整改 are statuses, names ending in 局/委/镇/大队… are units. The user corrects the guess with
``--map 'heading=column'`` (or a saved mapping file); the guess is shown with two sample values per column.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.cells import SAME_AS_ABOVE
from registry.ledger.columns import BY_KEY, EXTRA_COLUMNS, KEYS, WIDE_PREFIX, heading_key, map_headers
from registry.ledger.names import split_platforms
from registry.ledger.row_errors import column_letter

#: Rows under the header whose values are sampled for the guess.
SAMPLE_ROWS = 200
#: Share of a column's values that must be of one kind for the values to decide the column.
_SHARE = 0.6
#: What --map may name to leave a column out.
IGNORE_WORDS = frozenset({"忽略", "不导入", "-", "ignore", "none", ""})
_UID = re.compile(r"^(?:gh_[0-9a-f]{12}|MzA[A-Za-z0-9+/=]{6,}|https?://\S+)$", re.IGNORECASE)
#: Pure digits are an identifier only under a heading that says so (not 粉丝数, 阅读量, 排名).
_DIGITS = re.compile(r"^\d{5,20}$")
_ID_HEADING = re.compile(r"id|号|标识|链接|主页|地址|网址|url", re.IGNORECASE)
_UNIT = re.compile(r"(?:局|委|办|办公室|政府|中心|大队|支队|中队|总队|分局|院|所|站|队|部|会|镇|乡|街道|厅|处|馆|社|团|"
                   r"公司|协会|学校|医院|管委会|集团|科|股|室|署|县|区|市|州|盟|旗)$")
_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
#: Heading-mapped columns whose values may still say they are the platform or the status (账号类型: 微博;
#: 备注: 已注销), and headings with no column at all.
_WEAK = frozenset({"account_type", "notes", "unit_kind", "matrix_role", "interaction", "method", "seq"})


@dataclass
class ColumnGuess:
    """One column of the file: its heading, the ledger column it is read as, why, and sample values."""

    index: int
    heading: str
    key: str | None
    source: str  # "heading", "values", "user" or "" (ignored)
    samples: list[str] = field(default_factory=list)

    @property
    def letter(self) -> str:
        """The spreadsheet column letter."""
        return column_letter(self.index)


_HEADERS = {**{c.key: c.header for c in (*BY_KEY.values(), *EXTRA_COLUMNS)},
            **{WIDE_PREFIX + p.value: f"{BY_KEY['name'].header}（{label}）" for p, label in vocab.PLATFORM_LABELS.items()}}


def header_of(key: str) -> str:
    """The ledger's own header of a column key (序号 for seq)."""
    return _HEADERS[key]


class MappingError(ValueError):
    """A --map or mapping file entry that names no column."""


def _kind(value: str) -> str | None:
    """What one cell looks like: platform, status, uid, phone or unit (None when it says nothing)."""
    v = unicodedata.normalize("NFKC", value).strip()
    if not v or v in SAME_AS_ABOVE:
        return None
    if vocab.parse_platform(v) is not None or split_platforms(v):
        return "platform"
    if vocab.read_status(v) is not None and len(v) <= 20:
        return "status"
    if _PHONE.match(v.replace(" ", "")):
        return "phone"
    if _UID.match(v):
        return "uid"
    if _DIGITS.match(v):
        return "digits"
    if len(v) >= 3 and _UNIT.search(v):
        return "unit"
    return "other"


def _value_kind(values: list[str]) -> str | None:
    """The kind most of a column's values share (at least 60% of its non-blank cells), or None."""
    kinds = [k for k in (_kind(v) for v in values) if k is not None]
    if not kinds:
        return None
    best = max(set(kinds), key=kinds.count)
    return best if best != "other" and kinds.count(best) >= _SHARE * len(kinds) else None


_PLATFORM_HEADING = re.compile(r"^(?:政务)?(微信公众号|公众号|微信|新浪微博|微博|抖音|今日头条|头条|快手|视频号|微信视频号|小红书|"
                               r"百家号|B站|哔哩哔哩)((?:账号|帐号|号)?(?:名称|名字|昵称)?)$", re.IGNORECASE)


#: Headings no synonym list names, read by the words in them (a 县级 list's own wording): checked in order.
_FUZZY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"上级|主管|运维|运营单位|代运营|技术支持|联系|电话|手机|负责|管理员|粉丝|阅读|数量|得分|指数|排名|时间|日期"), ""),
    (re.compile(r"平台|载体|渠道|类型|类别|形式"), "platform"),
    (re.compile(r"(?:账号|帐号|新媒体|公众号|微博|抖音|头条|视频号)?(?:名称|昵称)|(?:账号|帐号|账户)$|账号名"), "name"),
    (re.compile(r"状态|状况|处置|处理|整改|注销|关停"), "status"),
    (re.compile(r"单位|主体|机构|部门|县.{0,3}区|地区|区县|乡镇"), "unit"),
    (re.compile(r"原始|ID|UID|链接|主页|网址|账号号|标识", re.IGNORECASE), "uid"),
)


def fuzzy_key(heading: str) -> str | None:
    """A ledger column for a heading no synonym names, by the words in it (新媒体账号名称（昵称） -> name)."""
    h = re.sub(r"\s+", "", unicodedata.normalize("NFKC", heading))
    if not h or len(h) > 20:
        return None
    for pattern, key in _FUZZY:
        if pattern.search(h):
            return key or None
    return None


def heading_platform(heading: str, *, bare: bool = True) -> vocab.Platform | None:
    """The platform a name heading names: 公众号名称 -> WeChat, 微博名称 -> Weibo, 抖音账号 -> Douyin; with
    ``bare`` also a heading that is only a platform word (微信公众号), as the columns of a wide list are."""
    h = re.sub(r"\s+", "", unicodedata.normalize("NFKC", heading))
    if heading_key(h) not in (None, "name", "platform"):
        return None  # 微信号 heads the WeChat ID column, not a column of names
    m = _PLATFORM_HEADING.match(h)
    if m is not None:
        return vocab.parse_platform(m.group(1)) if bare or m.group(2) else None
    # Any other platform word the lists use (微信订阅号, 政务微博): bare, as a wide list's columns are.
    return vocab.parse_platform(h) if bare else None


def platform_name_headings(cells: list[str], *, single_bare: bool = False) -> set[vocab.Platform]:
    """Platforms of the name headings in a header row: bare platform words count when there are two or more
    of them (a wide list), one alone only with ``single_bare`` (排名 | 公众号 | 指数, where the caller has
    checked that rows follow: a data row "微信, 某局" is no header)."""
    bare = {p for p in (heading_platform(c) for c in cells if c) if p is not None}
    named = {p for p in (heading_platform(c, bare=False) for c in cells if c) if p is not None}
    return bare if len(bare) >= 2 or (single_bare and bare) else named


def resolve_target(target: str) -> str | None:
    """A --map target (ledger header, synonym or key) as a column key; "" to ignore; None when unknown."""
    t = target.strip()
    if t.lower() in IGNORE_WORDS:
        return ""
    if t in KEYS:
        return t
    key = heading_key(t)
    return key if key in _HEADERS else None


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``['开设单位=主办单位', '处置=状态']`` as {heading: key}; raise MappingError naming a bad entry."""
    out: dict[str, str] = {}
    for pair in pairs:
        heading, sep, target = pair.partition("=")
        if not sep or not heading.strip():
            raise MappingError(tr(f"--map「{pair}」应写作 表中列名=台账列名，如 开设单位=主办单位",
                                  f"--map {pair!r} must be FILE_HEADING=LEDGER_COLUMN, e.g. 开设单位=主办单位"))
        key = resolve_target(target)
        if key is None:
            choices = "、".join(c.header for c in BY_KEY.values())
            raise MappingError(tr(f"--map「{pair}」：「{target}」不是台账的列（可用 {choices}，或 忽略）",
                                  f"--map {pair!r}: {target!r} is not a ledger column (use one of {choices}, or ignore)"))
        out[heading.strip()] = key
    return out


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping saved by --save-mapping: {heading: key}; raise MappingError when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(tr(f"无法读取列对应文件 {path}：{exc}", f"cannot read mapping file {path}: {exc}")) from None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        raise MappingError(tr(f"列对应文件 {path} 格式不对：应为 {{\"columns\": {{\"表中列名\": \"台账列名\"}}}}",
                              f"mapping file {path} must be {{\"columns\": {{\"heading\": \"ledger column\"}}}}"))
    return parse_overrides([f"{k}={v}" for k, v in columns.items()])


def save_mapping(path: Path, guesses: list[ColumnGuess]) -> None:
    """Write the mapping as used (every heading with its ledger column, or 忽略) for --mapping next time."""
    columns = {g.heading: _HEADERS[g.key] if g.key else "忽略" for g in guesses if g.heading}
    path.write_text(json.dumps({"columns": columns}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def guess_columns(headers: list[str], rows: list[list[str]], overrides: dict[str, str] | None = None
                  ) -> list[ColumnGuess]:
    """Guess every column from its heading and values; the user's overrides (heading -> key) win."""
    overrides = overrides or {}
    by_heading, _, _ = map_headers(headers)
    sample = rows[:SAMPLE_ROWS]
    columns = [[r[i] for r in sample if i < len(r) and r[i].strip()] for i in range(len(headers))]
    guesses = [ColumnGuess(i, h, None, "", list(dict.fromkeys(v for v in columns[i] if v not in SAME_AS_ABOVE))[:2])
               for i, h in enumerate(headers)]
    taken: set[str] = set()
    for g in guesses:  # the user first
        if g.heading in overrides:
            wanted = overrides[g.heading]
            g.key, g.source = (wanted or None), "user"
            if wanted:
                taken.add(wanted)
    for g in guesses:  # then headings, unless the values say platform or status under a weak heading
        key = by_heading.get(g.index)
        if g.source or key is None or key in taken:
            continue
        kind = _value_kind(columns[g.index]) if key in _WEAK else None
        chosen = kind if kind in ("platform", "status") and kind not in by_heading.values() and kind not in taken else None
        g.key, g.source = (chosen, "values") if chosen else (key, "heading")
        taken.add(chosen or key)
    wide = [g for g in guesses if g.source != "user" and heading_platform(g.heading) is not None]
    if len(platform_name_headings(headers)) >= 2 and "platform" not in taken:
        # One row per unit, one column per platform holding that platform's account name (单位 | 微信公众号 |
        # 新浪微博 | 抖音号): each such column is the name of an account on its platform.
        for g in wide:
            taken.discard(g.key or "")
            platform = heading_platform(g.heading)
            assert platform is not None
            g.key, g.source = WIDE_PREFIX + platform.value, "heading"
    for g in guesses:  # a name column headed by its platform (抖音账号, 公众号): the name, whatever its values
        bare_name = heading_platform(g.heading) is not None and _value_kind(columns[g.index]) != "platform"
        if not g.source and "name" not in taken and (heading_platform(g.heading, bare=False) or bare_name):
            g.key, g.source = "name", "heading"
            taken.add("name")
    for g in guesses:  # headings no synonym names, by their words, where the values do not say otherwise
        key = fuzzy_key(g.heading) if not g.source else None
        kind = _value_kind(columns[g.index]) if key else None
        # A name or unit heading is believed unless its values are platforms or statuses; a platform, status
        # or id heading only when its values agree (问题类型 holds problems, not platforms).
        agrees = kind in (None, "unit", key) if key in ("name", "unit") else kind == key or (key, kind) == ("uid", "digits")
        if key == "status" and not agrees:
            # Under a heading that says status (运行状况) a longer phrase with a date still reads as one
            # (5月16日起停止发布信息，并启动注销关停程序): the 20-character bound is for columns without one.
            said = [v for v in columns[g.index] if v not in SAME_AS_ABOVE]
            agrees = bool(said) and sum(vocab.read_status(v) is not None for v in said) >= _SHARE * len(said)
        if key and key not in taken and agrees:
            g.key, g.source = key, "heading"
            taken.add(key)
    for g in guesses:  # unknown headings by their values alone
        if g.source or (not g.heading and not columns[g.index]):
            continue
        kind = _value_kind(columns[g.index])
        if kind == "digits":
            kind = "uid" if _ID_HEADING.search(g.heading) else None
        found = {"phone": "operator_phone"}.get(kind or "", kind)
        if found is not None and found not in taken and found in BY_KEY:
            g.key, g.source = found, "values"
            taken.add(found)
    return guesses


def as_columns(guesses: list[ColumnGuess]) -> dict[int, str]:
    """The guess as {column index: key}, the form the reader and the validator take."""
    return {g.index: g.key for g in guesses if g.key}


def describe(guesses: list[ColumnGuess]) -> list[str]:
    """One line per column: letter, heading, what it is read as and why, two sample values."""
    why = {"heading": tr("按列名", "by heading"), "values": tr("按内容", "by values"), "user": tr("按指定", "as mapped")}
    lines = []
    for g in guesses:
        if not g.heading and not g.samples:
            continue
        target = _HEADERS[g.key] if g.key else tr("（忽略）", "(ignored)")
        samples = "、".join(f"「{s[:20]}」" for s in g.samples) or tr("（空）", "(empty)")
        reason = tr(f"（{why[g.source]}）", f" ({why[g.source]})") if g.source else ""
        lines.append(f"{g.letter} {g.heading or tr('（无列名）', '(no heading)')} → {target}{reason}  "
                     + tr("例：", "e.g. ") + samples)
    return lines


def unknown_overrides(headers: list[str], overrides: dict[str, str]) -> list[str]:
    """Headings named by --map or the mapping file that the file does not have."""
    present = {h.strip() for h in headers}
    return [h for h in overrides if h not in present]

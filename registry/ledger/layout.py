"""Where the ledger is in a real published list: the sheet, the header row, and which rows are accounts.

Offices publish lists with title rows (and a 监测时间 line) above the header, a 序号 column, units written
once per group (merged cells, 同上 or left blank), section rows (一、县直部门), 合计 rows and notes (注：…)
at the bottom. `locate` finds the header, skips those rows and says so, and fills the shared cells down,
so that `validation.validate_rows` sees one complete row per account under its real spreadsheet row number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from registry.config.i18n import tr
from registry.ledger import vocab
from registry.ledger.cells import SAME_AS_ABOVE
from registry.ledger.columns import ACCOUNT_KEYS, BY_KEY, UNIT_KEYS, WIDE_PREFIX, heading_key
from registry.ledger.header_rows import title_platform, two_row_header
from registry.ledger.mapping import (
    ColumnGuess,
    as_columns,
    fuzzy_key,
    guess_columns,
    heading_platform,
    platform_name_headings,
)
from registry.ledger.tabular import Sheet, TableError

#: Rows searched for the header: title blocks are a few rows, never dozens.
HEADER_SCAN = 30
_NUMERAL = "一二三四五六七八九十百零〇"
_SECTION = re.compile(rf"^\s*(?:[{_NUMERAL}]+\s*[、.．]|[（(]\s*[{_NUMERAL}\d]+\s*[）)]|第[{_NUMERAL}\d]+[部类章节]|[A-Z][、.．])")
_SEQ_SECTION = re.compile(rf"[{_NUMERAL}]+[、.．]?|[（(][{_NUMERAL}]+[）)]")
_TOTAL = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计)\s*[:：]?\s*(?:\d+\s*个?(?:账号|新媒体账号)?)?\s*$")
_NOTE = re.compile(r"^\s*(?:注|备注|说明|附注|填表说明|填报说明|制表人|填表人|填报人|审核人|制表时间|填报日期|填表日期|"
                   r"监测时间|统计时间|截至时间|数据来源|资料来源|来源)\s*\d*\s*[:：]|^\s*注\s*\d*\s*[、.．]")
_COUNT_SUFFIX = re.compile(r"[（(]\s*(?:共\s*)?\d+\s*个?\s*[）)]\s*$")
_SAME = frozenset(SAME_AS_ABOVE)
_NOTE_START = frozenset("注备说附填制审监统截数资来 \u3000")
_TOTAL_START = frozenset("合总小共 \u3000")
_ABOVE_COUNTY = re.compile(r"[省市州盟]直|[省市州盟]级|中央|国家|部委|驻[县区]")
_KINDS = ((re.compile(r"乡|镇|街道"), vocab.UnitKind.TOWNSHIP), (re.compile(r"县直|部门|单位|机关"), vocab.UnitKind.DEPARTMENT),
          (re.compile(r"县政府|人民政府"), vocab.UnitKind.COUNTY_GOV))


@dataclass
class Located:
    """The ledger part of a file: headers, account rows (row number, cells) and what was skipped or filled."""

    sheet: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    notes: list[str] = field(default_factory=list)
    #: Columns in the file; headers after them were added from section rows (单位类型, 平台).
    file_columns: int = 0
    #: Column index -> ledger key, as guessed from headings and values and corrected by the user.
    columns: dict[int, str] = field(default_factory=dict)
    guesses: list[ColumnGuess] = field(default_factory=list)
    #: Rows whose blank unit cells a fill-down would fill (text files only: they carry no merged cells).
    fillable: list[int] = field(default_factory=list)
    #: Rows filled down (blank unit cells given the unit above), by --fill-down or the user's confirmation.
    filled_down: list[int] = field(default_factory=list)
    #: The platform the name heading names (公众号名称, 微博名称), else the title (湖北政务微博11月榜), when the
    #: file has no platform column.
    heading_platform: vocab.Platform | None = None


def _keys(cells: list[str], overrides: dict[str, str] | None = None, *, single_bare: bool = False) -> set[str]:
    overrides = overrides or {}
    keys = {overrides[c.strip()] if c.strip() in overrides else heading_key(c) or fuzzy_key(c) for c in cells if c}
    if platform_name_headings(cells, single_bare=single_bare):
        keys.add("name")
    return {k for k in keys if k}


def find_header(grid: list[list[str]], overrides: dict[str, str] | None = None) -> int | None:
    """0-based index of the header row: a name column and another known one, else a name column alone.

    A list of names (序号 | 新媒体名称) has a header with one known heading; a title row is one long cell,
    never exactly a heading, so the second pass cannot take it.
    """
    alone: int | None = None
    for index, cells in enumerate(grid[:HEADER_SCAN]):
        keys = _keys(cells, overrides)
        if "name" in keys and len(keys - {"seq"}) >= 2:
            return index
        follows = any(any(c for c in row) for row in grid[index + 1:index + 4])
        # A title merged across (every cell the same text, 检查发现的问题账号) is no header even when its words
        # read as a name heading: a header has two headings, or one the synonyms name exactly (新媒体名称).
        several = len({c for c in cells if c}) >= 2 or any(heading_key(c) for c in cells if c)
        if alone is None and follows and several and "name" in (keys | _keys(cells, overrides, single_bare=True)):
            alone = index
    return alone


def _choose(sheets: list[Sheet], wanted: str | None, overrides: dict[str, str]) -> tuple[Sheet, int, list[str]]:
    names = "、".join(f"「{s.name}」" for s in sheets)
    if wanted is not None:
        sheet = next((s for s in sheets if s.name.strip() == wanted.strip()), None)
        if sheet is None:
            raise TableError(tr(f"没有名为「{wanted}」的工作表：本文件的工作表有 {names}",
                                f"no sheet named {wanted!r}; the sheets are {names}"))
        index = find_header(sheet.grid, overrides)
        if index is None:
            raise TableError(tr(f"工作表「{sheet.name}」前{HEADER_SCAN}行没有表头：表头应含「账号名称」（或 新媒体名称、名称）"
                                "和「主办单位」（或 开办主体、责任单位）等列",
                                f"sheet {sheet.name!r} has no header row in its first {HEADER_SCAN} rows"))
        return sheet, index, []
    for position, sheet in enumerate(sheets):
        index = find_header(sheet.grid, overrides)
        if index is not None:
            skipped = [s.name for s in sheets[:position]]
            note = tr(f"工作表 {'、'.join(skipped)} 没有表头，已读取工作表「{sheet.name}」（可用 --sheet 指定）",
                      f"sheets {', '.join(skipped)} have no header; read sheet {sheet.name!r} (choose with --sheet)")
            return sheet, index, [note] if skipped else []
    raise TableError(tr(f"没有找到表头：{'工作表 ' + names + ' ' if len(sheets) > 1 else ''}前{HEADER_SCAN}行都没有"
                        "账号名称列（账号名称、新媒体名称、名称、账号 等）；请确认表头行的列名，"
                        "或用 --map '表中列名=账号名称' 指明",
                        f"no header row found in the first {HEADER_SCAN} rows: no account name column (账号名称); "
                        "name it with --map 'HEADING=账号名称'"))


def _cut(text: str, width: int) -> str:
    """A long cell shortened for a note, with … where it was cut (a cut title must not read as whole)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _rows_text(numbers: list[int]) -> str:
    """Row numbers as ranges: 3、5–8."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return "、".join(parts)


def _section_facts(text: str) -> tuple[vocab.UnitKind | None, vocab.Platform | None]:
    """What a section row says about the rows under it: 一、县直部门 -> department; 二、政务微博 -> weibo."""
    bare = _COUNT_SUFFIX.sub("", _SECTION.sub("", unicodedata.normalize("NFKC", text))).strip()
    platform = vocab.parse_platform(bare) or vocab.platform_mentioned(bare)
    # 省直机关/市直单位 are not a county's own departments: a level is taken only from the county's sections.
    above = _ABOVE_COUNTY.search(bare) is not None
    kind = next((k for pattern, k in _KINDS if pattern.search(bare)), None) if platform is None and not above else None
    return kind, platform


class _Reader:
    """One pass over the rows under the header: skip what is not an account, fill shared cells down."""

    def __init__(self, headers: list[str], columns: dict[int, str], fill_down: bool = False) -> None:
        self.headers = headers
        self.mapping = columns
        self.fill_down = fill_down
        #: Rows with a blank unit under a row that has one: filled only with fill_down (blank is not ditto).
        self.fillable: list[int] = []
        self.filled_down: list[int] = []
        self.last_row = 0
        self.column = {key: i for i, key in self.mapping.items()}
        self.width = len(headers)
        #: The previous account row as filled, or None at the top and after a section row.
        self.prev: list[str] | None = None
        self.units = [i for i, key in self.mapping.items() if key in UNIT_KEYS]
        self.shared = [i for i, key in self.mapping.items() if key not in ACCOUNT_KEYS and not key.startswith(WIDE_PREFIX)]
        self.kind: vocab.UnitKind | None = None
        self.platform: vocab.Platform | None = None
        self.skipped: dict[str, list[tuple[int, str]]] = {"section": [], "total": [], "note": [], "header": []}
        self.filled: dict[int, list[int]] = {}
        self.in_notes = False
        self.rows: list[tuple[int, list[str]]] = []
        self.implied: list[tuple[int, str, str]] = []

    def read(self, number: int, cells: list[str]) -> None:
        cells = [*cells[: self.width], *[""] * (self.width - len(cells))]
        values = [c for c in cells if c]
        if not values:
            return
        first = values[0]
        # First-character checks before the patterns: this runs once per row of lists 100k rows long.
        if (self.in_notes and len(set(values)) == 1) or (first[0] in _NOTE_START and _NOTE.match(first)):
            self.in_notes = True
            self.skipped["note"].append((number, first))
        elif any(v[0] in _TOTAL_START and _TOTAL.match(v) for v in values[:2]):
            self.skipped["total"].append((number, first))
        elif self._is_section(cells, values):
            self.skipped["section"].append((number, " ".join(dict.fromkeys(values))))
            self.kind, self.platform = _section_facts("".join(dict.fromkeys(values)))
            self.prev = None
        elif self._is_header(cells):
            self.skipped["header"].append((number, first))
        else:
            self.rows.append((number, self._fill(number, cells)))

    def _is_header(self, cells: list[str]) -> bool:
        name = self.column.get("name")
        return name is not None and cells[name] == self.headers[name] and len(_keys(cells)) >= 2

    def _is_section(self, cells: list[str], values: list[str]) -> bool:
        seq = self.column.get("seq")
        if seq is not None and _SEQ_SECTION.fullmatch(cells[seq]):
            return True  # 序号 "一" or "（二）" beside the section's name
        if len(set(values)) != 1:
            return False
        name = self.column.get("name")
        # One text merged across the row (every cell holds it), or a bare platform word (微信公众号（5个）): a
        # section, not an account of that name.
        bare = _COUNT_SUFFIX.sub("", values[0]).strip()
        return (bool(_SECTION.match(values[0])) or name is None or not cells[name] or len(values) > 1
                or vocab.parse_platform(bare) is not None)

    def _fill(self, number: int, cells: list[str]) -> list[str]:
        prev = self.prev
        if prev is not None:
            unit = self.column.get("unit")
            # 同上 in the unit continues the group above, and so do its blank 上级单位/运维单位; a named unit
            # with a blank parent has none. A plain blank is not ditto (merged cells were filled by the
            # reader): it stays blank, the account pending, unless the user asked to fill down.
            if unit is not None and not cells[unit] and (prev[unit] or self.fillable[-1:] == [self.last_row]):
                self.fillable.append(number)
            ditto = unit is not None and (cells[unit] in _SAME or (self.fill_down and not cells[unit]))
            if unit is not None and ditto:
                if not cells[unit]:
                    self.filled_down.append(number)
                for i in self.units:
                    if (not cells[i] or cells[i] in _SAME) and prev[i]:
                        self._take(number, cells, prev, i)
            if not _SAME.isdisjoint(cells):
                for i in self.shared:
                    if cells[i] in _SAME and prev[i]:
                        self._take(number, cells, prev, i)
        self.prev = cells
        self.last_row = number
        facts = (("unit_kind", vocab.UNIT_KIND_LABELS[self.kind] if self.kind else ""),
                 ("platform", vocab.PLATFORM_LABELS[self.platform] if self.platform else ""))
        unit_i = self.column.get("unit")
        known_unit = unit_i is not None and bool(cells[unit_i])
        for key, fact in facts:
            i = self.column.get(key, -1)
            # A section's level belongs to a unit: a row without one (pending) takes none.
            if fact and (i < 0 or not cells[i]) and (key != "unit_kind" or known_unit):
                self.implied.append((number, key, fact))
        return cells

    def _take(self, number: int, cells: list[str], prev: list[str], i: int) -> None:
        cells[i] = prev[i]
        self.filled.setdefault(i, []).append(number)

    def notes(self) -> list[str]:
        out: list[str] = []
        what = {"section": tr("分类行", "section rows"), "total": tr("合计行", "total rows"),
                "note": tr("注释/落款行", "note rows"), "header": tr("重复的表头", "repeated header rows")}
        for kind, found in self.skipped.items():
            if found:
                sample = "、".join(f"「{_cut(text, 20)}」" for _, text in found[:3])
                out.append(tr(f"第{_rows_text([n for n, _ in found])}行是{what[kind]}（{sample}），已跳过",
                              f"rows {_rows_text([n for n, _ in found])} are {what[kind]} ({sample}); skipped"))
        for i, numbers in self.filled.items():
            out.append(tr(f"第{_rows_text(numbers)}行【{self.headers[i]}】为「同上」或按要求向下填充，已按上一行填写",
                          f"rows {_rows_text(numbers)} [{self.headers[i]}]: 同上 or filled down, taken from the row above"))
        return out


def _apply_implied(reader: _Reader, headers: list[str]) -> list[str]:
    """Give rows under a section the unit kind or platform the section names (only where the row has none)."""
    notes: list[str] = []
    for key in ("unit_kind", "platform"):
        facts = {n: v for n, k, v in reader.implied if k == key}
        if not facts:
            continue
        i = reader.column.get(key)
        if i is None:
            headers.append(BY_KEY[key].header)
            for _, cells in reader.rows:
                cells.append("")
            i = len(headers) - 1
            reader.mapping[i] = key
        for number, cells in reader.rows:
            if number in facts:
                cells[i] = facts[number]
        notes.append(tr(f"第{_rows_text(sorted(facts))}行【{BY_KEY[key].header}】按所在分类行填写",
                        f"rows {_rows_text(sorted(facts))} [{BY_KEY[key].header}] taken from their section row"))
    return notes


def locate(sheets: list[Sheet], sheet_name: str | None = None, *, overrides: dict[str, str] | None = None,
           fill_down: bool = False) -> Located:
    """Find the ledger in a workbook: its sheet, header row, column mapping and account rows.

    ``overrides`` maps a file heading to a ledger key (--map); ``fill_down`` fills blank unit cells from
    the row above (text files have no merged cells to say so). Raise TableError when there is no header.
    """
    overrides = overrides or {}
    sheet, index, notes = _choose(sheets, sheet_name, overrides)
    above = [(n, next(c for c in cells if c)) for n, cells in enumerate(sheet.grid[:index], start=1) if any(cells)]
    if above:
        sample = "、".join(f"第{n}行「{_cut(text, 24)}」" for n, text in above[:3])
        notes.append(tr(f"{sample}是标题，已跳过；表头在第{index + 1}行",
                        f"{'; '.join(f'row {n} {_cut(text, 24)!r}' for n, text in above[:3])} are titles, skipped; "
                        f"the header is row {index + 1}"))
    two_rows = two_row_header(sheet.grid, index)
    if two_rows is not None:
        notes.append(tr(f"表头占第{index + 1}–{index + 2}行，按「{'、'.join(h for h in two_rows if h)}」读取",
                        f"the header spans rows {index + 1}-{index + 2}, read as {', '.join(h for h in two_rows if h)}"))
    headers = [h.strip().lstrip("\ufeff") for h in two_rows or sheet.grid[index]]
    first = index + (3 if two_rows is not None else 2)
    width = max([len(headers), *(len(r) for r in sheet.grid[first - 1:first - 1 + 200])])
    headers += [""] * (width - len(headers))  # values under no heading are still guessed
    guesses = guess_columns(headers, sheet.grid[first - 1:], overrides)
    reader = _Reader(headers, as_columns(guesses), fill_down)
    for number, cells in enumerate(sheet.grid[first - 1:], start=first):
        reader.read(number, cells)
    width = len(headers)
    notes.extend(reader.notes())
    notes.extend(_apply_implied(reader, headers))
    named = next((heading_platform(headers[i]) for i, k in reader.mapping.items() if k == "name"), None)
    if "platform" in reader.mapping.values():
        named = None
    elif named is not None:
        notes.append(tr(f"表中没有平台列，按列名「{next(headers[i] for i, k in reader.mapping.items() if k == 'name')}」"
                        f"取平台为{vocab.PLATFORM_LABELS[named]}",
                        f"no platform column: the name heading says {named.value}"))
    elif (named := title_platform([text for _, text in above])) is not None:
        # 湖北政务微博11月榜 over 名次 | 账号: the title is where such a list says its platform.
        notes.append(tr(f"表中没有平台列，按标题取平台为{vocab.PLATFORM_LABELS[named]}",
                        f"no platform column: the title says {named.value}"))
    return Located(sheet.name, index + 1, headers, reader.rows, sheet.encoding, notes, width, dict(reader.mapping),
                   guesses, reader.fillable, reader.filled_down, named)

"""How a ledger problem is reported: `RowError` names the row, the column and the value, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from registry.config.i18n import tr


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

"""Shared by the corpus tests and tests/fixtures/ledgers/real/measure.py: load the real lists and read one
as `accounts import` does with only the options a user tries first (--default-platform)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

from registry.ledger.completeness import PENDING_UNIT
from registry.ledger.layout import locate
from registry.ledger.tabular import Sheet
from registry.ledger.validation import validate_rows
from registry.ledger.vocab import parse_platform

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "ledgers" / "real"
TODAY = dt.date(2026, 12, 1)
Account = tuple[str, str, str, str]


def _load_corpus() -> Any:
    spec = importlib.util.spec_from_file_location("real_corpus_data", REAL / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_corpus_data"] = module
    spec.loader.exec_module(module)
    return module


LISTS: list[Any] = _load_corpus().LISTS


def read(sheets: list[Sheet], default_platform: str | None, *, fill_down: bool = False,
         overrides: dict[str, str] | None = None) -> tuple[list[Account], list[str], list[str], list[str]]:
    """Accounts (name, platform, unit or "", status), errors, warnings and notes, as `accounts import` reads."""
    found = locate(sheets, overrides=overrides or {}, fill_down=fill_down)
    platform = parse_platform(default_platform) if default_platform else None
    parsed = validate_rows(found.headers, found.rows, TODAY, header_row=found.header_row,
                           default_platform=platform or found.heading_platform, file_columns=found.file_columns,
                           columns=found.columns)
    accounts = [(r["name"], r["platform"], "" if r["unit"] == PENDING_UNIT else r["unit"], r["status"])
                for _, r in parsed.records]
    return accounts, [str(e) for e in parsed.errors], parsed.warnings, found.notes + parsed.notes


def unit_merges(lst: Any) -> list[tuple[int, int, int]]:
    """The list's merges over its unit column."""
    unit = next((i for i, h in enumerate(lst.headers) if h in ("县（区）", "所属地区", "开设单位", "所属单位", "主办单位")), None)
    return [m for m in lst.merges if m[2] == unit]


def expected_for(lst: Any, *, csv: bool) -> list[Account]:
    """What importing the list must give. A CSV keeps a merged unit in the group's first row only and a blank
    is not ditto, so the other accounts of the group are pending (no unit) unless --fill-down."""
    blank = {r for top, bottom, _ in unit_merges(lst) for r in range(top + 1, bottom + 1)} if csv else set()
    if not blank:
        return list(lst.expected)
    assert len(lst.rows) == len(lst.expected)  # lists with unit merges have one account per row
    return [(n, p, "" if i in blank else u, s) for i, (n, p, u, s) in enumerate(lst.expected)]


def score(found: list[Account], expected: list[Account]) -> int:
    """How many expected accounts the import got right (each matched once)."""
    left = list(found)
    right = 0
    for account in expected:
        if account in left:
            left.remove(account)
            right += 1
    return right

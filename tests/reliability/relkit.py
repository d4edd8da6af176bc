"""Helpers shared by the reliability tests: small ledgers, a config wired to a sandbox, secrets files,
and a dump of every table (to compare databases or search them for secrets)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from registry.config.settings import Settings, load, write_default

ROOT = Path(__file__).resolve().parents[2]
#: The weibo_public lane against the simulator in these tests: paced and serial, 20-30 ms apart (see sandbox_overrides).
TEST_WEIBO_PACING = {"platforms.weibo.min_interval": 0.02, "platforms.weibo.jitter": 0.01}
SAMPLE_LEDGER = ROOT / "registry" / "data" / "sample-ledger.csv"


def ledger_rows(uids: Iterable[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the sample ledger, only the accounts whose 账号ID is in ``uids`` (None: all)."""
    with SAMPLE_LEDGER.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    if uids is None:
        return header, body
    wanted = set(uids)
    col = header.index("账号ID")
    picked = [r for r in body if r[col] in wanted]
    assert {r[col] for r in picked} == wanted, f"not in the sample ledger: {wanted - {r[col] for r in picked}}"
    return header, picked


def write_ledger(path: Path, uids: Iterable[str] | None = None) -> Path:
    """A CSV ledger holding some accounts of the sample ledger."""
    header, rows = ledger_rows(uids)
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def sandbox_overrides(base: str) -> dict[str, Any]:
    """Config keys pointing every platform at a sandbox.

    Only the weibo_public lane is paced, as by default, but 20-30 ms apart (the simulator has no 418
    limit; the demo uses 0.3-0.5 s): with comment threads a pass makes dozens of m.weibo.cn calls, and
    these tests are about crashes and faults, not pacing, so the lane stays serial and paced without
    the seconds of sleeping (tests/collectors/test_lanes.py keeps the 3-5 s default; lane_worker.py
    paces in real time across processes).
    """
    return {
        **TEST_WEIBO_PACING,
        "platforms.wechat.api_base": base, "platforms.weibo.api_base": base, "platforms.weibo.mobile_base": base,
        "platforms.feed.base_url": base,
        "wecom.api_base": base + "/wecom",
    }


def write_config(directory: Path, db_url: str, base: str, **overrides: Any) -> Path:
    """A govmedia.toml (every default, commented) for ``db_url`` and a sandbox at ``base``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "govmedia.toml"
    values = {**sandbox_overrides(base), "collect.backfill_days": 10}
    values.update({k.replace("__", "."): v for k, v in overrides.items()})
    write_default(path, database_url=db_url, overrides=values)
    return path


def settings_for(directory: Path, db_url: str, base: str, **overrides: Any) -> Settings:
    """Loaded settings of `write_config` (the environment is ignored)."""
    return load(write_config(directory, db_url, base, **overrides), environ={})


def write_secrets(path: Path, credentials: Mapping[str, Mapping[str, str]], mode: int = 0o600) -> Path:
    """A secrets file with ``[credentials.NAME]`` tables."""
    path.write_text(tomli_w.dumps({"credentials": {k: dict(v) for k, v in credentials.items()}}), encoding="utf-8")
    os.chmod(path, mode)
    return path


async def dump_tables() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the open database (for comparisons and secret searches)."""
    from registry.db.models import Account

    conn = Account._meta.db
    dialect = conn.capabilities.dialect
    if dialect == "sqlite":
        _, rows = await conn.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        _, rows = await conn.execute_query(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        name = str(dict(row)["name"])
        _, data = await conn.execute_query(f'SELECT * FROM "{name}"')
        out[name] = [dict(r) for r in data]
    return out

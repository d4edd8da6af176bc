"""Issue 25, items 11 and 12: `[lanes.*]` and notify settings are validated at load (exit 2 naming the key,
before the database is touched), and on PostgreSQL a fixed lane config is not held back by the slots an
old one claimed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from relkit import write_config

from cli import main
from collectors.lanes import Lane
from collectors.service import lane_book
from registry.config.settings import Settings, load


def _with_lane(directory: Path, db: str, table: str) -> Settings:
    """Settings for ``db`` with a ``[lanes.weibo_public]`` table."""
    path = write_config(directory, db, "http://sandbox")
    path.write_text(path.read_text(encoding="utf-8") + f"\n[lanes.weibo_public]\n{table}\n", encoding="utf-8")
    return load(path, environ={})


BAD = [
    # one run with 86400 held the shared PostgreSQL lane for a week; "fast" was an internal error;
    # inf slept forever on SQLite
    ("[lanes.weibo_public]\nmin_interval = 86400\n", "lanes.weibo_public.min_interval"),
    ('[lanes.weibo_api]\nmin_interval = "fast"\n', "lanes.weibo_api.min_interval"),
    ("[lanes.feed]\nmin_interval = inf\n", "lanes.feed.min_interval"),
    ("[lanes.feed]\njitter = nan\n", "lanes.feed.jitter"),
    ("[lanes.feed]\nmin_interval = -1\n", "lanes.feed.min_interval"),
    ("[lanes.wechat_api]\nconcurrency = 0\n", "lanes.wechat_api.concurrency"),
    ("[lanes.wechat_api]\nconcurrency = 2.5\n", "lanes.wechat_api.concurrency"),
    ('[lanes.wechat_api]\nper_credential = "yes"\n', "lanes.wechat_api.per_credential"),
    ("[lanes.feed]\nmin_intervall = 3\n", "lanes.feed.min_intervall"),
    ("[lanes]\nfeed = 3\n", "lanes.feed"),
    # every cycle of `run` ended in a traceback with nothing sent
    ("[notify]\nrepeat_hours = 0\n", "notify.repeat_hours"),
    ("[notify]\nrepeat_hours = -24\n", "notify.repeat_hours"),
    ("[notify]\nrepeat_hours = 1000000\n", "notify.repeat_hours"),
    ('[notify]\nchannel = "telegram"\n', "notify.channel"),
]


@pytest.mark.parametrize("text,key", BAD, ids=[k + ":" + t.split("=")[-1].strip() for t, k in BAD])
def test_a_bad_lane_or_notify_setting_is_refused_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "govmedia.toml"
    config.write_text(f'[database]\nurl = "sqlite://{tmp_path}/g.db"\n' + text, encoding="utf-8")
    for args in (["doctor"], ["run", "--once"], ["collect"]):
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 2, (args, result.output)
        assert f"{key}（" in result.output and "配置有误" in result.output, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "g.db").exists()  # refused before the database was touched


@pytest.mark.parametrize("text", ["[lanes.weibo_public]\nmin_interval = 3600\njitter = 0.5\nconcurrency = 1\n"
                                  "per_credential = true\n", '[notify]\nrepeat_hours = 1\nchannel = "console"\n'])
def test_good_lane_and_notify_settings_load(tmp_path: Path, text: str) -> None:
    config = tmp_path / "govmedia.toml"
    config.write_text(f'[database]\nurl = "sqlite://{tmp_path}/g.db"\n' + text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "doctor"])
    assert "配置有误" not in result.output, result.output


async def test_a_fixed_lane_config_is_not_held_by_slots_of_the_old_one(db: str, tmp_path: Path) -> None:
    """PostgreSQL: slots claimed under a slow pace are released when the config changes."""
    if not db.startswith("postgres"):
        pytest.skip("lane slots live in the database only on PostgreSQL")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    lane = Lane("weibo_public", min_interval=3.0)
    slow = lane_book(_with_lane(tmp_path / "old", db, "min_interval = 3600.0"))
    slow.sleep = sleep
    for _ in range(3):  # three calls under the old config: the lane's next slot is two hours ahead
        await slow.pace(lane)
    assert waits[-1] > 7000, waits

    fixed = lane_book(_with_lane(tmp_path / "new", db, "min_interval = 0.5\njitter = 0.0"))
    fixed.sleep = sleep
    before = len(waits)
    started = dt.datetime.now(dt.UTC)
    for _ in range(2):
        await fixed.pace(lane)
    # the first call waits for nothing (no sleep at all), the second for the new pace, not the old backlog
    assert len(waits) == before + 1 and 0.3 < waits[-1] <= 0.5, waits[before:]
    assert dt.datetime.now(dt.UTC) - started < dt.timedelta(seconds=5)

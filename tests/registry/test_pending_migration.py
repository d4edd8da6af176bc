"""0006 makes account.uid nullable without losing the rows that reference accounts (SQLite rebuilds tables)."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.api import migrate

from registry.db.lifecycle import APP, is_sqlite, tortoise_config


async def test_uid_becomes_nullable_and_referencing_rows_survive(db_url: str) -> None:
    await migrate(config=tortoise_config(db_url), app_labels=[APP], target=f"{APP}.0005_lane_slot")
    conn = Tortoise.get_connection("sqlite" if is_sqlite(db_url) else "postgres")
    now = "2026-12-07 10:00:00+08:00"
    await conn.execute_script(
        "INSERT INTO unit (id, name, kind, created_at, updated_at) VALUES (1, '滹沱县教育局', 'department', '" + now + "', '" + now + "');"
        "INSERT INTO account (id, platform, uid, name, account_type, verified_subject, unit_id, operator_org, matrix_role,"
        " status, filed, interaction, update_frequency, collect_method, credential, feed_url, notes, created_at, updated_at)"
        " VALUES (1, 'wechat', 'gh_0a1b2c3d4e5f', '滹沱教育', '', '', 1, '', 'member', 'operating', false, '', '',"
        " 'manual', '', '', '', '" + now + "', '" + now + "');"
        "INSERT INTO account_state (account_id, last_error, consecutive_failures, gone, cursor) VALUES (1, '', 0, false, '');")
    await Tortoise.close_connections()
    await migrate(config=tortoise_config(db_url), app_labels=[APP])
    conn = Tortoise.get_connection("sqlite" if is_sqlite(db_url) else "postgres")
    _, states = await conn.execute_query("SELECT COUNT(*) AS n FROM account_state")
    assert dict(states[0])["n"] == 1
    for i in (2, 3):  # two pending accounts of one platform: NULLs are distinct in the unique index
        await conn.execute_query(
            "INSERT INTO account (id, platform, uid, name, account_type, verified_subject, unit_id, operator_org,"
            " matrix_role, status, filed, interaction, update_frequency, collect_method, credential, feed_url, notes,"
            " created_at, updated_at) VALUES "
            f"({i}, 'weibo', NULL, '滹沱{i}', '', '', 1, '', 'member', 'operating', false, '', '', 'manual', '', '', '',"
            f" '{now}', '{now}')")
    _, rows = await conn.execute_query("SELECT id, alias, biz, pending FROM account ORDER BY id")
    assert [(r["id"], r["alias"], r["biz"], bool(r["pending"])) for r in map(dict, rows)] == [
        (1, "", "", False), (2, "", "", False), (3, "", "", False)]
    if is_sqlite(db_url):
        _, check = await conn.execute_query("PRAGMA integrity_check")
        assert list(dict(check[0]).values()) == ["ok"]
    await Tortoise.close_connections()

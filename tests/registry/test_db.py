"""Schema creation and in-place upgrades through tortoise's built-in migrations."""

from __future__ import annotations

import inspect
from pathlib import Path

from registry.db import models
from registry.db.lifecycle import database, describe_url, normalise_url
from registry.db.models import Unit


async def test_migrations_create_schema_and_reopen(db_url: str) -> None:
    async with database(db_url):
        await Unit.create(name="滹沱县人民政府", kind="county_gov")
    async with database(db_url):
        assert await Unit.filter(name="滹沱县人民政府").count() == 1


def test_model_docstrings_have_no_semicolon() -> None:
    # The migration writer turns docstrings into SQL comments and the executor splits on ";".
    for _, cls in inspect.getmembers(models, inspect.isclass):
        if issubclass(cls, models.Model) and cls is not models.Model:
            assert ";" not in (cls.__doc__ or ""), cls.__name__


def test_urls() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgres://u@h/db"
    assert normalise_url("/tmp/x.db") == "sqlite:///tmp/x.db"
    assert describe_url("postgres://u:secretpw@h/db") == "postgres://u:***@h/db"


async def test_database_from_first_migration_upgrades_in_place(db_url: str) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from registry.db.lifecycle import APP, tortoise_config
    from registry.db.models import Account, Post

    await migrate(config=tortoise_config(db_url), app_labels=[APP], target=f"{APP}.0001_initial")
    conn = Tortoise.get_connection("sqlite" if db_url.startswith("sqlite") else "postgres")
    now = "2024-01-01 00:00:00+00:00"
    await conn.execute_script(
        "INSERT INTO unit (name, kind, created_at, updated_at) VALUES ('滹沱县人民政府', 'county_gov', "
        f"'{now}', '{now}');"
        "INSERT INTO account (platform, uid, name, account_type, verified_subject, unit_id, operator_org, matrix_role,"
        " status, filed, interaction, update_frequency, collect_method, credential, feed_url, notes, created_at,"
        f" updated_at) VALUES ('wechat', 'gh_0123456789ab', '滹沱发布', '', '', 1, '', 'flagship', 'operating', "
        f"{'1' if db_url.startswith('sqlite') else 'true'}, '留言', '每工作日', 'wechat_api', 'county_wx', '', '', '{now}', '{now}');")
    await Tortoise.close_connections()
    async with database(db_url):
        account = await Account.get(uid="gh_0123456789ab")
        assert account.name == "滹沱发布" and account.filed
        await Post.create(account=account, post_id="1_1", published_at=account.created_at, title="t")
        assert await Post.filter(account=account).count() == 1


async def test_sqlite_stores_every_timestamp_in_county_time(tmp_path: Path) -> None:
    """Text comparison must follow time: a UTC or GMT timestamp is written as +08:00 text."""
    import datetime as dt
    import sqlite3

    from registry.db.models import AuditEvent

    url = "sqlite://" + str(tmp_path / "tz.db")
    async with database(url):
        at = dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)
        await AuditEvent.create(at=at, actor="t", entity="account", entity_id=1, action="create",
                                changes={}, note="")
        assert (await AuditEvent.filter(at__gte=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone(
            dt.timedelta(hours=8)))).count()) == 1
    raw = sqlite3.connect(tmp_path / "tz.db").execute("SELECT at FROM audit_event").fetchone()[0]
    assert raw == "2026-11-20 09:30:00+08:00"



async def test_postgres_plans_bounded_reads_for_their_arrays(db_url: str) -> None:
    """The set-based reads bounded by unnest(…) arrays never run on a generic plan (30 s instead of 0.2 s for
    the responsiveness read at 20,000 accounts; bench/province-scale.md, fourth round); other statements keep
    PostgreSQL's default (the setting on every statement slowed the ingest's upserts by a third)."""
    import asyncio

    import pytest
    from tortoise import Tortoise
    from tortoise.transactions import in_transaction

    from registry.db.lifecycle import is_sqlite
    from registry.views.post_digest import PLAN_CACHE_MODE, fetch_bounded

    if is_sqlite(db_url):
        pytest.skip("PostgreSQL's plan cache")
    sql = "{bounds} SELECT b.a, current_setting('plan_cache_mode') FROM bounds b"
    async with database(db_url):
        for _ in range(7):  # past the five custom plans after which PostgreSQL may go generic
            rows = await fetch_bounded(sql, True, [("a", "int")], [(1,), (2,)])
            assert sorted(tuple(r) for r in rows) == [(1, PLAN_CACHE_MODE), (2, PLAN_CACHE_MODE)]
        _, plain = await Tortoise.get_connection("postgres").execute_query("SHOW plan_cache_mode")
        assert PLAN_CACHE_MODE == "force_custom_plan" and dict(plain[0])["plan_cache_mode"] == "auto"
        async with in_transaction():  # parts of one transaction run at once on its connection: no nested BEGIN
            both = await asyncio.gather(*(fetch_bounded(sql, True, [("a", "int")], [(i,)]) for i in (1, 2)))
        assert [[tuple(r) for r in rows] for rows in both] == [[(1, PLAN_CACHE_MODE)], [(2, PLAN_CACHE_MODE)]]

"""Schema creation and in-place upgrades through tortoise's built-in migrations."""

from __future__ import annotations

import inspect

from registry import models
from registry.db import database, describe_url, normalise_url
from registry.models import Unit


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

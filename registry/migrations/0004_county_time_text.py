"""SQLite only: rewrite stored timestamps in county time, so that their text sorts like the instants.

Earlier versions let tortoise write each datetime in the zone it carried (UTC clocks, a feed's GMT),
and SQLite compares timestamps as text. From this version on every timestamp is written in county
time (`registry/sqlite_backend.py`); this migration brings the rows written before it in line.
PostgreSQL stores ``timestamptz`` and needs nothing.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import migrations
from tortoise.migrations import operations as ops

COUNTY = ZoneInfo("Asia/Shanghai")
SUFFIX = "+08:00"


async def to_county_time(apps: Any, schema_editor: Any) -> None:
    """Rewrite every TIMESTAMP value whose text does not carry the county offset."""
    client = schema_editor.client
    if str(client.capabilities.dialect) != "sqlite":
        return
    _, tables = await client.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in [tuple(t) for t in tables]:
        _, columns = await client.execute_query(f'PRAGMA table_info("{table}")')
        for column in [c[1] for c in columns if str(c[2]).upper() in ("TIMESTAMP", "DATETIME")]:
            _, rows = await client.execute_query(
                f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL AND "{column}" NOT LIKE ?',
                [f"%{SUFFIX}"])
            changed = []
            for rowid, text in rows:
                moment = dt.datetime.fromisoformat(str(text))
                if moment.tzinfo is not None:
                    changed.append([moment.astimezone(COUNTY).isoformat(" "), rowid])
            if changed:
                await client.execute_many(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', changed)


class Migration(migrations.Migration):
    dependencies = [("govmedia", "0003_findings_reviews_bot")]

    initial = False

    operations = [ops.RunPython(to_county_time, ops.RunPython.noop)]

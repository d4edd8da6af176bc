"""Accounts whose platform id is not known yet (待补全): nullable uid, the identifiers a list carried, a flag."""

import re
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class DropNotNull(ops.AlterField):
    """AlterField that only drops NOT NULL, without rebuilding the table on SQLite.

    tortoise rebuilds a SQLite table to alter a column (create new, copy, DROP old, rename); with
    foreign keys on, dropping ``account`` would cascade-delete every row that references it (states,
    posts, findings). SQLite documents the safe way for removing a NOT NULL constraint: edit the
    stored CREATE TABLE text under ``PRAGMA writable_schema`` and bump ``schema_version``.
    """

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None:
            return
        client = state_editor.client
        if str(client.capabilities.dialect) != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)
            return
        _, rows = await client.execute_query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'account'")
        old = str(rows[0][0])
        new = re.sub(r'("uid"\s+VARCHAR\(128\))\s+NOT NULL', r"\1", old, count=1)
        if new == old:
            return
        # execute_query, never execute_script: Python's sqlite3 commits the open transaction before a
        # script, which split this migration and its record apart (a crash left it half applied).
        _, version = await client.execute_query("PRAGMA schema_version")
        await client.execute_query("PRAGMA writable_schema = ON")
        await client.execute_query("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'account'", [new])
        await client.execute_query(f"PRAGMA schema_version = {int(version[0][0]) + 1}")
        await client.execute_query("PRAGMA writable_schema = OFF")

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0006_reach_responses')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Account',
            options={'table': 'account', 'app': 'govmedia', 'unique_together': (('platform', 'uid'),), 'pk_attr': 'id', 'table_description': 'A government new-media account, identified by (platform, uid), pending (待补全) while uid or unit is unknown.'},
        ),
        DropNotNull(
            model_name='Account',
            name='uid',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Account',
            name='alias',
            field=fields.CharField(default='', description='An identifier the list carried that is not the uid: WeChat 微信号 or Weibo @name (to resolve).', db_default='', max_length=128),
        ),
        ops.AddField(
            model_name='Account',
            name='biz',
            field=fields.CharField(default='', description='WeChat ``__biz`` when the list gave it.', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Account',
            name='pending',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]

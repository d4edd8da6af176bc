"""Storage for the hourly check and the monthly review at province scale (issue 24), none of which
tortoise's model options can state (so they are made here by SQL and named in the models' docstrings):

- posts whose comment thread was read, indexed by account and time (a partial index, the same SQL on SQLite
  and PostgreSQL): the responsiveness figures read only those posts of each account's window instead of
  every post of it (at 20,000 accounts 0.4-1.5 s of PostgreSQL's time per check went to reading ~900,000
  posts to find the few read threads; 0.07 s after);
- posts whose content check found a problem, indexed by time (partial, both backends): the review's 内容安全
  section lists a month's flagged posts without reading every post of the month;
- on PostgreSQL, ``finding`` pages kept 40 % free (fillfactor 60): every check moves ``last_seen`` of every
  open finding, and with room on its page PostgreSQL rewrites the row in place without touching the three
  indexes (a "HOT" update): 35,000 findings' update 0.68 -> ~0.3 s, and far less bloat between vacuums.
  It applies to pages written from now on: an existing table spreads out as its rows are updated."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

READ_INDEX = "post_read_threads"
FLAGGED_INDEX = "post_content_flagged"


class StatementSQL(ops.RunSQL):
    """RunSQL through execute_query, on one dialect or all: tortoise runs RunSQL as a script, and Python's
    sqlite3 commits the open transaction before a script (a migration and its record must commit together,
    see docs/reliability.md)."""

    def __init__(self, sql: str, reverse_sql: str, dialect: str | None = None) -> None:
        super().__init__(sql, reverse_sql)
        self.dialect = dialect

    async def _run_sql(self, state_editor: Any, sqls: Any) -> None:
        client = state_editor.client
        if self.dialect is None or str(client.capabilities.dialect) == self.dialect:
            await client.execute_query(sqls)


class Migration(migrations.Migration):
    dependencies = [('govmedia', '0013_month_verdicts')]

    initial = False

    operations = [
        StatementSQL(
            f"CREATE INDEX IF NOT EXISTS {READ_INDEX} ON post (account_id, published_at) "
            "WHERE comments_checked_at IS NOT NULL",
            f"DROP INDEX IF EXISTS {READ_INDEX}",
        ),
        StatementSQL(
            f"CREATE INDEX IF NOT EXISTS {FLAGGED_INDEX} ON post (published_at) WHERE content_hits IS NOT NULL",
            f"DROP INDEX IF EXISTS {FLAGGED_INDEX}",
        ),
        StatementSQL("ALTER TABLE finding SET (fillfactor = 60)", "ALTER TABLE finding RESET (fillfactor)",
                     dialect="postgres"),
    ]

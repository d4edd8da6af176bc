"""Interactions have one definition per language, and the SQL one agrees with the rules' one."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3

from registry.views.figures import interactions_sql
from rules.facts import PostFact

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_sql_and_python_interactions_agree_on_every_mix_of_known_and_unknown() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE post (likes INT, shares INT, comments INT, zaikan INT)")
    combos = list(itertools.product((None, 0, 3), repeat=4))
    conn.executemany("INSERT INTO post VALUES (?, ?, ?, ?)", combos)
    got = [r[0] for r in conn.execute(f"SELECT {interactions_sql()} FROM post ORDER BY rowid")]
    want = [PostFact(NOW, "t", likes=a, shares=b, comments=c, zaikan=d).interactions() for a, b, c, d in combos]
    assert got == want
    assert want[0] is None and want[1] == 0  # unknown stays unknown; a known 0 is 0
    # Summed over an account's posts, unknown counters never become 0.
    assert conn.execute(f"SELECT SUM({interactions_sql()}) FROM post WHERE likes IS NULL AND shares IS NULL "
                        "AND comments IS NULL AND zaikan IS NULL").fetchone() == (None,)

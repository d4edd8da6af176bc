"""The one SQL definition of a post's figures shared by every read model (digest, review, dossier)."""

from __future__ import annotations


def interactions_sql(table: str = "") -> str:
    """A post's interactions, likes + shares + comments + 在看 over the counters known; NULL when none is.

    ``table`` qualifies the columns (e.g. "p"). Summed with SUM, an account whose posts carry no
    counter at all gets NULL (unknown), never 0. The rules' twin is `rules.facts.PostFact.interactions`.
    """
    q = f"{table}." if table else ""
    cols = [f"{q}{c}" for c in ("likes", "shares", "comments", "zaikan")]
    return (f"CASE WHEN {' AND '.join(f'{c} IS NULL' for c in cols)} THEN NULL "
            f"ELSE {' + '.join(f'COALESCE({c}, 0)' for c in cols)} END")

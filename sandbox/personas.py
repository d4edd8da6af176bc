"""Persona specifications: how often each kind of generated account posts and how far it reaches.

A persona drives a backward walk from today: the newest post is `first_gap` days ago, each older
posting day a further `gaps` step back, for one year. Reach is lognormal (median, sigma) with a
rare Pareto multiplier for the odd post that spreads (see `sandbox.reach`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    """How one kind of account behaves on its platform."""

    name: str
    first_gap: tuple[int, int]
    gaps: tuple[int, ...]
    items: tuple[int, int]
    followers: tuple[float, float]
    reads: tuple[float, float]
    mass_share: float = 0.5
    growth: float = 0.08
    followers_cap: int | None = None
    reads_range: tuple[int, int] | None = None
    unread_share: float = 0.0
    posts: bool = True


# Department-like rhythm (1-3 posts a week) shared by several personas.
_WEEKLY_GAPS = (1, 2, 3, 3, 4, 4, 5, 6)

PERSONAS: dict[str, Persona] = {
    p.name: p
    for p in (
        Persona("flagship", (0, 1), (1, 1, 1, 1, 1, 2), (1, 4), (120_000, 0.1), (3_000, 0.7), 0.85, 0.15),
        Persona("daily", (0, 1), (1,), (2, 5), (60_000, 0.15), (1_500, 0.7), 0.7, 0.12),
        Persona("department", (0, 4), _WEEKLY_GAPS, (1, 2), (8_000, 0.6), (400, 0.8), 0.5),
        Persona("department_weibo", (0, 4), _WEEKLY_GAPS, (1, 2), (40_000, 0.8), (800, 0.8)),
        Persona("weibo_feed", (0, 3), (1, 2, 2, 3, 4), (1, 2), (30_000, 0.5), (600, 0.8)),
        Persona("feed_weekly", (0, 6), (3, 4, 5, 6, 7), (1, 2), (6_000, 0.5), (300, 0.7), 0.5),
        Persona(
            "low_use", (1, 7), (8, 9, 10, 11, 12), (1, 1), (600, 0.25), (30, 0.5), 0.2, 0.02,
            followers_cap=950, reads_range=(5, 99), unread_share=0.15,
        ),
        Persona("township", (1, 6), (4, 5, 6, 7, 7, 8, 9, 10), (1, 2), (3_000, 0.4), (200, 0.7), 0.3),
        Persona("drifting", (10, 13), (3, 4, 5, 6, 7, 8), (1, 2), (2_500, 0.4), (150, 0.7), 0.3, 0.01),
        Persona(
            "drifting_weibo", (10, 13), (2, 3, 4, 5, 6), (1, 2), (8_000, 0.1), (100, 0.7),
            followers_cap=9_800,
        ),
        Persona("dead", (100, 200), (4, 5, 6, 7, 8, 10, 12), (1, 1), (4_000, 0.4), (150, 0.6), 0.6, -0.05),
        Persona("gone", (0, 0), (1,), (1, 1), (20_000, 0.5), (100, 0.5), posts=False),
        Persona("ip_blocked", (0, 4), _WEEKLY_GAPS, (1, 2), (5_000, 0.5), (300, 0.8), 0.5),
        Persona("unverified", (0, 4), _WEEKLY_GAPS, (1, 2), (3_000, 0.5), (200, 0.8), 0.5),
        Persona("manual", (0, 0), (1,), (1, 1), (0, 0.0), (0, 0.0), posts=False),
    )
}

# Flagship Weibo accounts carry many more (largely inactive) followers than their WeChat twin.
WEIBO_FLAGSHIP_FOLLOWER_FACTOR = 10


def persona(name: str) -> Persona:
    """The persona called `name`; unknown names raise KeyError with the known ones."""
    try:
        return PERSONAS[name]
    except KeyError:
        raise KeyError(f"unknown persona {name!r}; known: {', '.join(sorted(PERSONAS))}") from None

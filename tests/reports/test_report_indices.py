"""WCI V14.2 and BCI against hand-worked examples (policy.md §6.1, §6.2)."""

from __future__ import annotations

import math

import pytest

from reports.indices import (
    FORMULAS_ZH,
    TEN_WAN_PLUS,
    Article,
    bci,
    parse_count,
    wci,
    wci_from_articles,
    wci_parts,
)

# A 31-day month with three articles; the third shows "10万+" on its page.
#   reads   在看  likes shares lead
#   1200    15    30    40     yes
#   300     2     5     6      no
#   10万+   800   2500  3000   yes
ARTICLES = [
    Article(1200, 15, 30, 40, True),
    {"reads": 300, "zaikan": 2, "likes": 5, "shares": 6, "is_lead": False},
    ("10万+", 800, 2500, 3000, True),
]


def test_wci_hand_worked() -> None:
    d, n = 31, 3
    # Totals: R = 1200 + 300 + 100001 ("10万+") = 101501; Z = 817; L = 2535; RE = 3046.
    # Lead (头条) totals: Rt = 1200 + 100001 = 101201; Zt = 815; Lt = 2530; REt = 3040.
    # Maxima: Rmax = 100001; Zmax = 800; Lmax = 2500; REmax = 3000.
    ln = math.log
    o = 0.70 * ln(101501 / d + 1) + 0.09 * ln(10 * 817 / d + 1) + 0.06 * ln(10 * 2535 / d + 1) + 0.15 * ln(10 * 3046 / d + 1)
    a = 0.70 * ln(101501 / n + 1) + 0.09 * ln(10 * 817 / n + 1) + 0.06 * ln(10 * 2535 / n + 1) + 0.15 * ln(10 * 3046 / n + 1)
    h = 0.70 * ln(101201 / d + 1) + 0.09 * ln(10 * 815 / d + 1) + 0.06 * ln(10 * 2530 / d + 1) + 0.15 * ln(10 * 3040 / d + 1)
    p = 0.70 * ln(100001 + 1) + 0.09 * ln(10 * 800 + 1) + 0.06 * ln(10 * 2500 + 1) + 0.15 * ln(10 * 3000 + 1)
    expected = (0.6 * o + 0.2 * a + 0.1 * h + 0.1 * p) ** 2 * 12

    parts = wci_parts(d=d, n=n, reads=101501, zaikan=817, likes=2535, shares=3046,
                      lead_reads=101201, lead_zaikan=815, lead_likes=2530, lead_shares=3040,
                      max_reads=100001, max_zaikan=800, max_likes=2500, max_shares=3000)
    assert parts.o == pytest.approx(o) and parts.a == pytest.approx(a)
    assert parts.h == pytest.approx(h) and parts.p == pytest.approx(p)
    assert parts.wci == pytest.approx(expected)
    assert parts.wci == pytest.approx(849.2442, abs=1e-4)  # the literal, pinned


def test_wci_from_articles_matches_totals() -> None:
    parts = wci_from_articles(ARTICLES, 31)
    assert parts.wci == pytest.approx(849.2442, abs=1e-4)
    assert wci(d=31, n=3, reads=101501, zaikan=817, likes=2535, shares=3046, lead_reads=101201, lead_zaikan=815,
               lead_likes=2530, lead_shares=3040, max_reads=100001, max_zaikan=800, max_likes=2500,
               max_shares=3000) == pytest.approx(parts.wci)


def test_reads_above_10w_count_as_100001_like_qingbo() -> None:
    exact = [(250000, 800, 2500, 3000, True)]
    assert wci_from_articles(exact, 31).wci == pytest.approx(wci_from_articles([("10万+", 800, 2500, 3000, True)], 31).wci)
    assert wci_from_articles(exact, 31, cap_10w=False).wci > wci_from_articles(exact, 31).wci


def test_wci_edge_cases() -> None:
    assert wci_from_articles([], 30).wci == 0.0
    with pytest.raises(ValueError):
        wci_from_articles([], 0)


def test_parse_count() -> None:
    assert parse_count("10万+") == TEN_WAN_PLUS == 100001
    assert parse_count("100000+") == 100001
    assert parse_count("1.2万") == 12000
    assert parse_count(" 3,456 ") == 3456
    assert parse_count(42) == 42


def test_bci_hand_worked() -> None:
    # 45 posts, 120 reposts, 80 comments, 300 likes.
    w1 = math.log(45 + 1)
    w2 = 0.4 * math.log(120 + 1) + 0.4 * math.log(80 + 1) + 0.2 * math.log(300 + 1)
    assert bci(45, 120, 80, 300) == pytest.approx((0.2 * w1 + 0.8 * w2) * 160)
    assert bci(45, 120, 80, 300) == pytest.approx(739.1588, abs=1e-4)
    assert bci(0, 0, 0, 0) == 0.0


def test_formula_text_for_the_appendix() -> None:
    text = "\n".join(FORMULAS_ZH)
    assert "WCI = (0.6×O + 0.2×A + 0.1×H + 0.1×P)² × 12" in text
    assert "BCI = (0.2×W1 + 0.8×W2) × 160" in text
    assert "100001" in text

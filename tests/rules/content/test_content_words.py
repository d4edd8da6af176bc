"""General misspellings from jieba's dictionary: non-words one homophone or shape away from a frequent word."""

from __future__ import annotations

import pytest

from rules.content.words import word_checker


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("面对困难他一愁莫展", "一愁莫展", "一筹莫展"),
    ("认真惯彻落实会议精神", "惯彻", "贯彻"),
    ("希望大家再接再励", "再接再励", "再接再厉"),   # a rare variant the dictionary itself lists
])
def test_misspellings_are_found_with_their_correction(text: str, wrong: str, right: str) -> None:
    [m] = word_checker().find(text)
    assert (m.wrong, m.right) == (wrong, right) and 0 < m.confidence <= 1


@pytest.mark.parametrize("text", [
    "实施方案已经印发，请各单位认真贯彻执行。",          # "施方" sounds like 释放: a boundary, not a slip
    "县委县政府高度重视此项工作，多次召开专题会议研究部署。",
    "各乡镇、各部门要切实提高政治站位，压实工作责任。",
])
def test_correct_text_stays_quiet(text: str) -> None:
    assert word_checker().find(text) == []

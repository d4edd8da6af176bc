"""错别字 and 敏感词: the county's lexicon files (TOML or one term a line) and the shipped starter list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rules.content import LexiconError, ScanContext, build_scanner
from rules.content.lexicon import COMMON_100, STARTER_TYPOS, load_lexicon_file, parse_lexicon_toml, shipped

ON = dt.date(2026, 6, 15)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_line_file_with_tabs_bars_spaces_and_comments(tmp_path: Path) -> None:
    path = write(tmp_path, "county.txt", "# 县里自己的词表\n某敏感词\t删除\t严重\n错词甲|正词甲\n错词乙 正词乙 提示\n\n只有词\n")
    entries = load_lexicon_file(path)
    assert [(e.terms[0], e.suggestion, e.severity) for e in entries] == [
        ("某敏感词", "删除", "severe"), ("错词甲", "正词甲", "warning"), ("错词乙", "正词乙", "notice"), ("只有词", "", "warning")]
    assert entries[0].entry_id == "lexicon:county:某敏感词" and entries[0].source == "county.txt"


def test_toml_file(tmp_path: Path) -> None:
    path = write(tmp_path, "county.toml", '[[entry]]\nterm = "某某"\nsuggestion = "某"\nseverity = "严重"\n'
                                          'category = "敏感词"\nallow = ["某某某"]\n')
    [entry] = load_lexicon_file(path)
    assert (entry.severity, entry.category, entry.allow) == ("severe", "敏感词", ("某某某",))


@pytest.mark.parametrize(("name", "text", "says"), [
    ("bad.txt", "词\t建议\t很严重\n", "第 1 行"),
    ("bad.txt", "a\tb\tc\td\n", "第 1 行"),
    ("bad.toml", "[[entry]]\nsuggestion = 'x'\n", "term"),
    ("bad.toml", "[[entry\n", "TOML"),
])
def test_bad_lexicon_names_file_and_place(tmp_path: Path, name: str, text: str, says: str) -> None:
    with pytest.raises(LexiconError) as err:
        load_lexicon_file(write(tmp_path, name, text))
    assert name in str(err.value) and says in str(err.value)


def test_missing_file_is_a_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"nope\.txt"):
        build_scanner([tmp_path / "nope.txt"])


def test_county_list_is_matched_and_overrides_the_starter(tmp_path: Path) -> None:
    path = write(tmp_path, "county.txt", "某敏感词\t删除\t严重\n布署\t部署\t严重\n")
    scanner = build_scanner([path])
    hits = scanner.scan("会议布署了工作，不得出现某敏感词。", ON, ScanContext())
    assert [(h.matched, h.severity, h.source) for h in hits] == [
        ("布署", "severe", "county.txt"), ("某敏感词", "severe", "county.txt")]


def test_starter_typos() -> None:
    hits = build_scanner().scan("要再接再励，迫不急待地贯彻落实，认真部署。", ON, ScanContext())
    assert [(h.matched, h.suggestion) for h in hits] == [("再接再励", "再接再厉"), ("迫不急待", "迫不及待")]


def test_every_starter_entry_has_a_source_and_no_political_list() -> None:
    entries = parse_lexicon_toml(shipped(STARTER_TYPOS), STARTER_TYPOS, need_source=True)
    assert len(entries) >= 40
    assert {e.category for e in entries} == {"错别字"}
    assert all(e.source and e.suggestion and e.suggestion != e.terms[0] for e in entries)


def test_the_common_100_list_is_whole_and_sourced() -> None:
    entries = parse_lexicon_toml(shipped(COMMON_100), COMMON_100, need_source=True)
    terms = {e.terms[0]: e for e in entries}
    # 92 entries of the stored copy: 了望 left out, 不能自己 entered as four clause-final terms, 九洲 left out
    assert len(entries) == 94
    assert all("当代汉语出版物中最常见的100个别字" in e.source and e.category == "错别字" for e in entries)
    assert all(e.suggestion and e.suggestion != e.terms[0] for e in entries)
    assert "了望" not in terms and "九洲" not in terms and "不能自己" not in terms
    assert terms["既使"].severity == "notice" and terms["凑和"].allow == ("拼凑和", "西凑和")


def test_common_100_entries_and_their_exceptions() -> None:
    scanner = build_scanner()
    def found(text: str) -> list[tuple[str, str, str]]:
        return [(h.matched, h.suggestion, h.severity) for h in scanner.scan(text, ON, ScanContext.of(draft=True))]
    assert found("相关材料醮水后晾干，赃物脏款一律没收。") == [("醮水", "蘸水", "warning"), ("脏款", "赃款", "warning")]
    assert found("他热泪盈眶，不能自己。") == [("不能自己。", "不能自已。", "warning")]
    assert found("申请人不能自己决定，由家属代办。") == []
    assert found("既使群众得实惠，又使企业增效益。") == [("既使", "即使", "notice")]
    assert found("防止东拼西凑和照搬照抄。") == []
    assert found("伴随和弦律动起舞，弘扬时代主弦律。") == [("弦律", "旋律", "warning")]
    assert found("运动不当可能引发韧带损伤。") == []
    assert found("登上了望台，买了望远镜。") == []  # 了望 is left out

"""content_error / privacy_leak drafts from scanned posts: severity, subject, masking, settings, table tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rules.calendar import SHANGHAI
from rules.config import DEFAULT_SETTINGS, RuleSettings
from rules.content_check import ContentChecker, ContentConfig
from rules.facts import AccountFacts
from rules.rule_content import content_drafts, masked_title

AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
ID = "130102199003083015"


@dataclass(frozen=True)
class Flagged:
    id: int
    account_id: int
    title: str
    hits: list[dict[str, str]]
    url: str = "https://example.gov.cn/a"
    published_at: dt.datetime = AT
    text_coverage: str = "full"
    extra: dict[str, str] = field(default_factory=dict)


def facts(status: str = "operating") -> dict[int, AccountFacts]:
    return {1: AccountFacts(account_id=1, platform="weibo", uid="u1", name="某发布", unit_id=9, unit_name="某局",
                            unit_kind="department", status=status)}


def hits(text: str) -> list[dict[str, str]]:
    found = ContentChecker(ContentConfig(hotlines=("13900001111",))).post_hits(text, AT)
    return found or []


@pytest.mark.parametrize(("text", "expected"), [
    ("县国土资源局召开会议", [("content_error", "info")]),  # an old name in the text: 一般, not a veto
    ("会议通知\n发布单位：县国土资源局", [("content_error", "veto")]),  # the account presenting itself by it
    ("布署工作", [("content_error", "info")]),  # a starter misspelling: not severe
    (f"身份证号{ID}", [("privacy_leak", "warning")]),
    (f"来源：县环保局。联系人电话13812345678，身份证号{ID}", [("content_error", "veto"), ("privacy_leak", "warning")]),
    ("热线13900001111", []),
    ("原县国土资源局局长", []),
])
def test_drafts_by_text(text: str, expected: list[tuple[str, str]]) -> None:
    drafts = content_drafts([Flagged(5, 1, "标题", hits(text))], facts(), DEFAULT_SETTINGS)
    assert [(d.rule, d.severity) for d in drafts] == expected
    assert all(d.subject == "post:5" and d.account_id == 1 and d.unit_id == 9 for d in drafts)


def test_one_finding_per_post_lists_every_hit_and_masks_the_title() -> None:
    text = f"{ID}与{ID[:-1]}X以及13812345678"
    post = Flagged(7, 1, text, hits(text))
    [leak] = content_drafts([post], facts(), DEFAULT_SETTINGS)
    assert leak.evidence["count"] == 2 and leak.evidence["coverage"] == "full"
    assert ID not in str(leak.evidence) + leak.summary_zh + leak.summary_en
    assert leak.evidence["title"] == masked_title(text) and "1301**********3015" in str(leak.evidence["title"])
    assert leak.evidence["published_on"] == "2026-11-20" and leak.evidence["url"]


def test_settings_and_inactive_accounts() -> None:
    post = Flagged(5, 1, "标题", hits(f"县国土资源局，身份证号{ID}"))
    veto = RuleSettings.from_dict({"privacy_leak": {"level": "veto"}, "content_error": {"enabled": False}})
    assert [(d.rule, d.severity) for d in content_drafts([post], facts(), veto)] == [("privacy_leak", "veto")]
    assert content_drafts([post], facts("closed"), DEFAULT_SETTINGS) == []
    with pytest.raises(ValueError, match="privacy_leak"):
        RuleSettings.from_dict({"privacy_leak": {"level": "severe"}})


def test_fingerprint_follows_the_configuration() -> None:
    a, b = ContentChecker(ContentConfig()), ContentChecker(ContentConfig())
    assert a.fingerprint == b.fingerprint
    assert ContentChecker(ContentConfig(hotlines=("13900001111",))).fingerprint != a.fingerprint
    assert ContentChecker(ContentConfig(privacy_severity="severe")).fingerprint != a.fingerprint


def test_the_content_section_names_leaders_files(tmp_path: Path) -> None:
    config = ContentConfig.from_section({"leaders": ["领导.toml"]}, tmp_path)
    assert config.leaders == (tmp_path / "领导.toml",)
    with pytest.raises(ValueError, match="leaders"):
        ContentConfig.from_section({"leaders": "领导.toml"}, tmp_path)

"""The rule catalogue is the single source of rule facts.

No rule id is written in production code outside `rules/` (labels included), and a rule added to
the catalogue alone flows to findings, inhibition, the WeCom messages and the monthly review.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.cycle import plan, run_cycle
from bot.model import Message
from bot.notifier import SendResult
from cli_commands.app import App
from cli_commands.jobs import build_monthly
from cli_commands.runtime import Runtime
from cli_commands.storage import notify_storage
from registry.config.settings import Settings
from registry.findings.checks import findings
from registry.ledger import accounts as store
from registry.observations import store as obs
from reports.monthly_model import TERMS_EN
from rules.catalogue import ACCOUNT_RULES
from rules.config import CATALOGUE, KeySpec, RuleMeta, RuleSettings
from rules.evaluate import run_check
from rules.facts import AccountFacts, FindingDraft
from rules.rule_base import draft, is_blind

ROOT = Path(__file__).resolve().parents[2]
#: Production packages that must learn rule facts from the catalogue (the composition root included).
SCANNED = ("cli.py", "cli_commands", "registry", "collectors", "bot", "reports", "sandbox")
#: Strings that equal a rule id by coincidence, not as rule knowledge: (file, string, why).
COINCIDENCES = {
    ("sandbox/personas.py", "low_use"): "the simulated county's persona of a little-used account",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (documentation may name a rule; code may not)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def rule_ids_in(source: str, rule_ids: set[str]) -> list[tuple[int, str]]:
    """(line, rule id) of every string literal of ``source`` naming a rule id, docstrings aside."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(rule_ids))) + r")\b")
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            hits.extend((node.lineno, m) for m in pattern.findall(node.value))
    return hits


def test_the_scan_finds_a_rule_id_in_code_labels_and_fstrings() -> None:
    ids = set(CATALOGUE)
    source = '"""Docs may say stale_veto."""\nLABELS = {"stale_veto": "x"}\nf"{a}low_use!"\nx = "low_user"\n'
    assert rule_ids_in(source, ids) == [(2, "stale_veto"), (3, "low_use")]


def test_no_rule_id_in_production_code_outside_rules() -> None:
    ids = set(CATALOGUE)
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else [ROOT / top]:
            rel = path.relative_to(ROOT).as_posix()
            found += [f"{rel}:{line}: {rid}" for line, rid in rule_ids_in(path.read_text(encoding="utf-8"), ids)
                      if (rel, rid) not in COINCIDENCES]
    assert not found, "rule ids belong to rules/ (pass catalogue facts in as data):\n" + "\n".join(found)


# --- a rule added to the catalogue alone ----------------------------------------------------------

TZ = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)
FAKE = RuleMeta("fake_quiet", "测试静默", "Fake quiet", "warning", {"enabled": KeySpec("bool", True, "run this rule")},
                label_zh="测试静默（{quiet_days}天）", label_en="Fake quiet ({quiet_days} days)", activity=True)


@dataclass
class Switch:
    on: bool = True


def fake_rule(switch: Switch):  # type: ignore[no-untyped-def]
    def rule(f: AccountFacts, now: dt.datetime, settings: RuleSettings) -> FindingDraft | None:
        # An activity rule says nothing about an account it cannot see (as the real ones do).
        if not switch.on or not settings.enabled(FAKE.id) or is_blind(f, now, settings):
            return None
        return draft(FAKE.id, f, "测试静默摘要", "fake quiet summary", {"quiet_days": 5})
    return rule


@dataclass
class Recorder:
    sent: list[Message] = field(default_factory=list)

    async def send(self, message: Message) -> SendResult:
        self.sent.append(message)
        return SendResult(ok=True)


async def _observe(account_id: int, at: dt.datetime) -> None:
    attempt = await obs.start_attempt(account_id, "wechat_api", "t", at)
    await obs.record_success(attempt, account_id, "wechat_api",
                             obs.Success(posts=[], metrics=[], known_until=at,
                                         backfilled_from=(at - dt.timedelta(days=120)).date()), at)


async def test_a_fake_rule_flows_to_findings_inhibition_messages_and_review(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    switch = Switch()
    monkeypatch.setitem(CATALOGUE, FAKE.id, FAKE)
    monkeypatch.setitem(ACCOUNT_RULES, FAKE.id, fake_rule(switch))
    quiet = {"enabled": False}
    settings = Settings(data={
        "county": {"name": "测试县"},
        "notify": {"channel": "wecom_app", "office_users": ["office_li"], "quiet_hours": "", "working_days_only": False},
        "rules": {"stale_veto": quiet, "stale_warning": quiet, "dormant_long": quiet, "low_use": quiet,
                  "frequency_below_target": quiet, "registry_incomplete": quiet},
    })
    app = App(settings=settings, db_url=db, actor="t")
    rules = RuleSettings.from_dict(settings.get("rules"))  # the fake rule has its [rules.fake_quiet] table
    assert rules.enabled(FAKE.id)
    record = {"platform": "wechat", "uid": "gh_00000000000a", "name": "测试号", "unit": "测试单位", "unit_kind": "乡镇",
              "interaction": "留言", "opened_on": "2020-01-01", "credential": "c"}
    aid = (await store.add_account(record, actor="t", today=T0.date())).id
    ns = Runtime(app).notify_settings
    rec = Recorder()

    # Findings: the check opens it with the catalogue's severity.
    await _observe(aid, T0)
    await run_check(T0, rules)
    fake = [f for f in await findings(state="open") if f.rule == FAKE.id]
    assert [(f.account_id, f.severity) for f in fake] == [(aid, "warning")]
    await run_cycle(T0, ns, {"wecom_app": rec}, notify_storage())
    assert any("测试静默摘要" in m.body for m in rec.sent)

    # Blind: an activity rule's finding is kept (no false 已恢复) and muted (inhibited) while blind.
    t1 = T0 + dt.timedelta(days=4)
    summary = await run_check(t1, rules)
    assert [f.rule for f in summary.sync.kept_blind] == [FAKE.id]
    assert not [f for f in summary.sync.resolved if f.rule == FAKE.id]
    planned, result = await plan(t1, ns, notify_storage())
    assert result.inhibited == 1
    assert all(fake[0].id not in m.finding_ids for m, _, _ in planned)

    # Seen again and cleared: it resolves, and the 已恢复 notice names it by its catalogue label.
    t2 = t1 + dt.timedelta(hours=1)
    switch.on = False
    await _observe(aid, t2)
    summary = await run_check(t2, rules)
    assert FAKE.id in {f.rule for f in summary.sync.resolved}
    rec.sent.clear()
    await run_cycle(t2, ns, {"wecom_app": rec}, notify_storage())
    assert any("测试静默（5天）问题已恢复" in m.body for m in rec.sent), [m.body for m in rec.sent]

    # The monthly review lists it as a problem category, labelled from the finding's evidence.
    rep = await build_monthly(Runtime(app), "2026-11")
    groups = {g.rule: g for g in rep.problems}
    assert groups[FAKE.id].label_zh == "测试静默（5天）" and not groups[FAKE.id].veto
    assert "测试静默（5天）" in rep.details[0].problems
    assert TERMS_EN["测试静默（5天）"] == "Fake quiet (5 days)"


def test_a_label_template_missing_its_key_falls_back_to_the_plain_name() -> None:
    meta = CATALOGUE["stale_warning"]
    assert meta.label("zh", {"threshold_days": 7}) == "更新预警（超过7天未更新）"
    assert meta.label("en", {"threshold_days": 7}) == "Update warning (no update for over 7 days)"
    assert meta.label("zh", {}) == meta.name_zh and meta.label("en") == meta.name_en

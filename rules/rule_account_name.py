"""content_error on an account: its own name or its unit's name is an outdated official name.

Every outdated name a national check cites stands in an account's name or its unit's name years after
the reform ("××县食品药品监督管理局" as a WeChat account in 2020), which no post scan sees. The registry's
names are checked with the same dated list as the posts (an entry applies from its ``until`` date on):
a finding on the account (subject ``account:<id>``), a warning (预警) when the entry is 严重, else a notice.

Not a veto: the national veto is for a serious error in what an account *publishes*; an outdated name in
the ledger is a renaming to order (checks list it among the problems to rectify), and a published list
imported as it stands (some carry names of their own date) must never open a veto on its own (issue 21).
Published text that presents itself by the old name (a 来源/主办 line) is still the veto, in the post scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rules.calendar import local_date
from rules.config import RuleSettings
from rules.content.scanner import Scanner
from rules.facts import AccountFacts, FindingDraft
from rules.rule_base import ACTIVE

RULE = "content_error"


def account_name_drafts(facts: Sequence[AccountFacts], now: datetime, settings: RuleSettings,
                        scanner: Scanner) -> list[FindingDraft]:
    """A content_error draft for every active account whose own or unit's name is outdated at ``now``."""
    today = local_date(now)
    out = []
    for f in facts:
        if f.status not in ACTIVE or not settings.enabled(RULE, f.unit_kind):
            continue
        found = [(where, matched, entry) for where, name in (("账号名称", f.name), ("主办单位", f.unit_name))
                 for matched, entry in scanner.outdated_names(name, today)]
        if not found:
            continue
        severe = any(entry.severity == "severe" for _w, _m, entry in found)
        problems = [{"where": where, "matched": matched, "suggestion": entry.suggestion, "source": entry.source,
                     "entry_id": entry.entry_id, "severity": entry.severity} for where, matched, entry in found]
        shown_zh = "；".join(f"{p['where']}含过时名称「{p['matched']}」，应为{p['suggestion']}" for p in problems)
        shown_en = "; ".join(f"outdated name \"{p['matched']}\" in the {'account' if p['where'] == '账号名称' else 'unit'}"
                             f" name (now: {p['suggestion']})" for p in problems)
        out.append(FindingDraft(rule=RULE, severity="warning" if severe else "info", subject=f.subject,
                                account_id=f.account_id, unit_id=f.unit_id,
                                summary_zh=f"「{f.name}」（{f.unit_name}）：{shown_zh}",
                                summary_en=f"\"{f.name}\" ({f.unit_name}): {shown_en}",
                                evidence={"account_name": f.name, "unit_name": f.unit_name, "problems": problems,
                                          "count": len(problems)}))
    return out

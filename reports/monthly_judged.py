"""One month's judgement for the monthly review: who was in operation, checked, failing, and why.

A month is judged from its stored data and the rules' drafts (`JudgedMonth`), or read back from the
verdicts recorded when it closed (`RecordedMonth`); `ProblemLabels` names the problems the way the
review prints them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from registry.db.models import Account
from registry.findings.checks import DraftLike
from registry.findings.snapshots import MonthVerdicts
from registry.ledger.vocab import ACTIVE_STATUSES, PLATFORM_LABELS, label
from registry.views.monthly_data import AccountInfo, MonthData, ReportBase
from reports.monthly_model import UNSEEN, RuleFacts, Tally, remember_term

ACTIVE = {s.value for s in ACTIVE_STATUSES}


def platform_zh(code: str) -> str:
    """A platform code as its Chinese label."""
    return label(PLATFORM_LABELS, code)


Evidence = Mapping[str, object]


class ProblemLabels:
    """The review's problem categories: the catalogue's rules, vetoes first, then in catalogue order.

    Labels are the rules' templates formatted with a finding's evidence (thresholds come from the
    evidence); each Chinese label is taught its English for the renderers (``monthly_model.term``).
    """

    def __init__(self, rules: Iterable[RuleFacts]) -> None:
        listed = list(rules)
        self.rules = {r.id: r for r in listed}
        self.vetoes = frozenset(r.id for r in listed if r.severity == "veto")
        self.order = [r.id for r in listed if r.id in self.vetoes] + [r.id for r in listed if r.id not in self.vetoes]

    def label(self, rule: str, evidence: Evidence | None = None) -> str:
        """One finding's label in Chinese (the rule id for a rule the catalogue no longer has)."""
        r = self.rules.get(rule)
        return rule if r is None else remember_term(r.label("zh", evidence), r.label("en", evidence))

    def group(self, rule: str, evidences: Iterable[Evidence]) -> str:
        """The label of a category: the findings' common label, else the rule's plain name."""
        labels = {self.label(rule, e) for e in evidences}
        return labels.pop() if len(labels) == 1 else self.label(rule, {})

    def joined(self, problems: Mapping[str, Evidence]) -> str:
        """An account's problems, labelled and joined with "、" in review order."""
        return "、".join(self.label(r, problems[r]) for r in self.order if r in problems)

    def pairs(self, problems: Mapping[str, Evidence]) -> dict[str, tuple[str, str]]:
        """An account's problems as (Chinese, English) labels, as a snapshot records them."""
        return {r: (self.label(r, e), r_.label("en", e) if (r_ := self.rules.get(r)) else r)
                for r, e in problems.items()}

    def recorded(self, problems: Mapping[str, tuple[str, str]]) -> str:
        """`joined` for labels recorded by `pairs` (each taught to ``term``)."""
        return "、".join(remember_term(*problems[r]) for r in self.order if r in problems)


def account_label(a: Account | AccountInfo) -> str:
    """An account as the review names it: 名称（平台）."""
    return f"{a.name}（{platform_zh(a.platform)}）"


class JudgedMonth:
    """One month's judgement: who is in operation, checked, failing, with which problems."""

    def __init__(self, data: MonthData, drafts: Sequence[DraftLike], blind_rule: str,
                 unseeable: frozenset[str] = frozenset()) -> None:
        self.data = data
        self.operating = {a.id: a for a in data.accounts if data.status_at_end.get(a.id) in ACTIVE}
        # Each account's problems, with the evidence their labels are formatted with (the check's first).
        self.problems: dict[int, dict[str, Evidence]] = defaultdict(dict)
        for d in drafts:
            if d.account_id in self.operating:
                self.problems[d.account_id].setdefault(d.rule, d.evidence)
        for f in data.month_findings:
            if f.account_id in self.operating and f.rule != blind_rule:
                self.problems[f.account_id].setdefault(f.rule, f.evidence)
        # Accounts we cannot see at the month's end (blind, gone): not checked, their verdict 无法判断.
        unseen_rules = unseeable | {blind_rule}
        self.unseen = {d.account_id for d in drafts if d.rule in unseen_rules}
        self.checked = {aid for aid in self.operating if aid not in self.unseen}
        veto_rules = {d.rule for d in drafts if d.severity == "veto"} | {f.rule for f in data.veto_findings}
        self.failed = {aid for aid in self.checked if self.problems[aid].keys() & veto_rules}

    def problem_text(self, aid: int, labels: ProblemLabels) -> str:
        """An account's problems, labelled and joined in review order."""
        return labels.joined(self.problems[aid])

    def verdicts(self, labels: ProblemLabels) -> MonthVerdicts:
        """Each account's verdict as a snapshot records it."""
        return MonthVerdicts(frozenset(self.operating), frozenset(a for a in self.operating if a in self.unseen),
                             {aid: labels.pairs(self.problems[aid]) for aid in self.failed})

    def verdict(self, aid: int) -> str:
        """The 明细 conclusion, matching the headline: 不合格, 无法判断 (not checked) or 合格."""
        return "不合格" if aid in self.failed else UNSEEN if aid not in self.checked else "合格"

    def tally(self, key: str, label: str, keep: Callable[[AccountInfo], bool]) -> Tally:
        """In operation, checked and failing among the accounts ``keep`` selects."""
        ids = [aid for aid, a in self.operating.items() if keep(a)]
        checked = [aid for aid in ids if aid in self.checked]
        failed = [aid for aid in checked if aid in self.failed]
        rate = (len(checked) - len(failed)) / len(checked) if checked else None
        return Tally(key, label, len(ids), len(checked), len(failed), rate)


class RecordedMonth(JudgedMonth):
    """A closed month read back from its snapshot's verdicts: no stored data loaded, no rule run."""

    def __init__(self, base: ReportBase, start: dt.datetime, end: dt.datetime, verdicts: MonthVerdicts) -> None:
        self.data = MonthData(start=start, end=end, accounts=base.accounts, status_at_end={})
        self.operating = {a.id: a for a in base.accounts if a.id in verdicts.operating}
        self.problems = defaultdict(dict)  # only the failing accounts' labels are recorded
        self.unseen = set(verdicts.unchecked)
        self.checked = {aid for aid in self.operating if aid not in self.unseen}
        self.failed = {aid for aid in verdicts.failed if aid in self.checked}
        self._labels = verdicts.failed

    def problem_text(self, aid: int, labels: ProblemLabels) -> str:
        """The recorded labels of a failing account's problems, in review order."""
        return labels.recorded(self._labels.get(aid, {}))

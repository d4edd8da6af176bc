"""Every platform fault the sandbox can inject, one table: collect → check never raises, the attempt
records the right error kind, a blind account gets collection_blind and no false stale / low-use /
frequency finding, and the next run after the fault clears recovers (error cleared, coverage advanced,
collection_blind resolved).

Timeline of each row: the sandbox county is built at T0 (its history ends there). A healthy pass runs
at T0 - 15 days; the fault is switched on for a pass at T0, when the account has in truth posted for
15 more days, so any leak of the failure into coverage (known_until / last_success_at) would make the
rules count 15 silent days and open stale_veto; then a clean pass at T0 + 1 h recovers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from relkit import settings_for, write_ledger

from collectors.http import RetryPolicy
from collectors.lanes import LaneBook
from collectors.model import BEIJING
from collectors.run import PassSummary
from collectors.service import collect
from registry.config.credentials import Credential, Secrets
from registry.config.settings import Settings
from registry.db.models import (
    Account,
    AccountState,
    CollectionAttempt,
    DailyMetric,
    Finding,
    Post,
    Review,
    TokenCache,
)
from registry.ledger.files import import_ledger
from rules.config import RuleSettings, rules_where
from rules.evaluate import run_check
from rules.facts import AccountFacts, PostFact
from rules.rule_activity import frequency_below_target
from sandbox.app import create_app
from sandbox.county import demo_secrets
from sandbox.faults import KINDS, Fault
from sandbox.server import running_sandbox

ACTIVITY_RULES = rules_where("activity")
T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
HEALTHY_AT = T0 - dt.timedelta(days=15)
RECOVER_AT = T0 + dt.timedelta(hours=1)  # past every cool-down (m.weibo.cn: 30 min, 45011: 1 min)

WECHAT = "gh_ab63ac060ebf"  # 滹沱健康, department persona, wechat_api
WEIBO_API = "5718301790"  # 滹沱发布 on Weibo, weibo_api
WEIBO_PUBLIC = "5875436040"  # 滹沱健康 on Weibo, weibo_public (m.weibo.cn)
FEED = "gh_5f2c72296281"  # 滹沱医保, feed
BASE = "http://sandbox.test"


@dataclass(frozen=True)
class Case:
    """One row: the account, the fault (platform and uid are filled in), the expected error kind and code."""

    name: str
    uid: str
    platform: str
    fault: Fault
    kind: str | None  # None: the fault is survivable and the pass succeeds
    code: str | None = None
    timeout: float | None = None  # client timeout ([collect] timeout)

    def spec(self) -> Fault:
        f = self.fault
        return Fault(**{**f.__dict__, "platform": self.platform, "uid": self.uid})


F = Fault

CASES = [
    # transport: latency is survivable; a call that outlasts the client timeout is a network failure
    Case("latency", WECHAT, "wechat", F("latency", seconds=0.01), None),
    Case("timeout", WECHAT, "wechat", F("slow", seconds=0.6), "network", timeout=0.15),
    Case("http-502", WECHAT, "wechat", F("http_status", status=502), "network", "502"),
    Case("http-503-weibo-api", WEIBO_API, "weibo", F("http_status", status=503), "network", "503"),
    Case("http-503-feed", FEED, "feed", F("http_status", status=503), "network", "503"),
    # WeChat errcodes (40001/42001 "always": the token refresh is capped, not looped)
    Case("wechat-busy-minus-1", WECHAT, "wechat", F("errcode", code=-1), "network", "-1"),
    Case("wechat-40001-always", WECHAT, "wechat", F("errcode", code=40001), "auth", "40001"),
    Case("wechat-42001-always", WECHAT, "wechat", F("errcode", code=42001), "auth", "42001"),
    Case("wechat-40164-ip-whitelist", WECHAT, "wechat", F("errcode", code=40164), "auth", "40164"),
    Case("wechat-45009-daily-quota", WECHAT, "wechat", F("errcode", code=45009), "quota", "45009"),
    Case("wechat-45011-minute-quota", WECHAT, "wechat", F("errcode", code=45011), "quota", "45011"),
    Case("wechat-48001-unauthorized", WECHAT, "wechat", F("errcode", code=48001), "unauthorized", "48001"),
    Case("wechat-61501-date-range", WECHAT, "wechat", F("errcode", code=61501), "parse", "61501"),
    # Weibo open API error codes
    Case("weibo-api-21327-token-expired", WEIBO_API, "weibo", F("errcode", code=21327), "auth", "21327"),
    Case("weibo-api-10023-quota", WEIBO_API, "weibo", F("errcode", code=10023), "quota", "10023"),
    # m.weibo.cn: 418 bursts and pacing, 432, ok:-100, captcha, ok:0 (a profile that says nothing: gone)
    Case("m-weibo-418-burst", WEIBO_PUBLIC, "weibo_mobile", F("burst", count=5), "quota", "418"),
    Case("m-weibo-418-pace", WEIBO_PUBLIC, "weibo_mobile", F("pace", min_interval=60.0), "quota", "418"),
    Case("m-weibo-432", WEIBO_PUBLIC, "weibo_mobile", F("http_status", status=432), "auth", "432"),
    Case("m-weibo-ok-minus-100", WEIBO_PUBLIC, "weibo_mobile", F("login_required"), "auth", "-100"),
    Case("m-weibo-captcha", WEIBO_PUBLIC, "weibo_mobile", F("captcha"), "quota", "captcha"),
    Case("m-weibo-ok-0", WEIBO_PUBLIC, "weibo_mobile", F("errcode", code=20003), "gone", "0"),
    Case("m-weibo-http-502", WEIBO_PUBLIC, "weibo_mobile", F("http_status", status=502), "network", "502"),
    # broken bodies on every platform (wrong_types cannot touch XML: a feed survives it)
    *[Case(f"{kind}-{label}", uid, platform, F(kind), None if (kind, label) == ("wrong_types", "feed") else "parse")
      for kind in ("non_json", "truncated", "malformed", "wrong_types")
      for label, uid, platform in (("wechat", WECHAT, "wechat"), ("weibo-api", WEIBO_API, "weibo"),
                                   ("m-weibo", WEIBO_PUBLIC, "weibo_mobile"), ("feed", FEED, "feed"))],
]


def test_the_table_covers_every_fault_kind() -> None:
    assert {c.fault.kind for c in CASES} == set(KINDS)


async def _pass(app: Any, base: str | None, settings: Settings, secrets: Secrets, clock: dict[str, dt.datetime],
                account_id: int, timeout: float | None) -> PassSummary:
    """One pass over one account: real HTTP when `base` is given (a timeout needs a socket), else in-process."""
    limit = timeout or 20.0
    transport = None if base else httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base or BASE,
                                 timeout=httpx.Timeout(limit, connect=min(limit, 10.0))) as client:
        # Default lane pacing on a virtual clock: the 418 case meets the sandbox's pace, not a workaround.
        return await collect(settings, secrets, client, account_ids=[account_id], clock=lambda: clock["now"],
                             retry=RetryPolicy(attempts=3, base_delay=0.0), lanes=LaneBook(sleep=_no_wait))


async def _no_wait(seconds: float) -> None:
    """Lane pacing's sleep, skipped: the pacing arithmetic runs, the wall clock does not wait."""


async def _open_rules(account_id: int) -> set[str]:
    return {f.rule for f in await Finding.filter(account_id=account_id, state="open")}


async def _forget_observations() -> None:
    """Back to "imported, never collected" (the accounts stay): each row starts from the same state."""
    for model in (Review, Finding, Post, DailyMetric, CollectionAttempt, AccountState, TokenCache):
        await model.all().delete()


async def _run_case(case: Case, settings: Settings, account_id: int, rules: RuleSettings) -> None:
    clock = {"now": T0}
    with contextlib.ExitStack() as stack:
        if case.timeout is not None:
            sb = stack.enter_context(running_sandbox(seed=7, now=lambda: clock["now"]))
            app, base = sb.app, sb.base_url
            settings = settings_for(Path(str(settings.path)).parent, settings.database_url, base)
        else:
            app, base = create_app(seed=7, now=lambda: clock["now"]), None
        sandbox = app.state.sandbox
        secrets = Secrets(None, {k: Credential(k, v) for k, v in demo_secrets(sandbox.county).items()})

        # 1. healthy: collected and checked, no activity finding
        clock["now"] = HEALTHY_AT
        first = await _pass(app, None, settings, secrets, clock, account_id, None)
        assert first.counts == {"ok": 1}, f"healthy pass: {first.outcomes}"
        await run_check(HEALTHY_AT, rules)
        assert not await _open_rules(account_id) & (ACTIVITY_RULES | {"collection_blind"}), "healthy check"
        before = await AccountState.get(account_id=account_id)

        # 2. the fault, 15 days later
        clock["now"] = T0
        sandbox.faults.replace([case.spec()])
        faulted = await _pass(app, base, settings, secrets, clock, account_id, case.timeout)
        outcome = faulted.outcomes[0]
        attempt = await CollectionAttempt.filter(account_id=account_id).order_by("-id").first()
        assert attempt is not None and attempt.finished_at is not None
        state = await AccountState.get(account_id=account_id)
        check = await run_check(T0, rules)
        opened = {f.rule for f in check.sync.opened if f.account_id == account_id}  # type: ignore[attr-defined]
        if case.kind is None:  # survivable: a normal success
            assert outcome.status == "ok" and attempt.outcome == "ok", outcome.message
            assert state.last_error_kind is None and state.known_until and before.known_until
            assert state.known_until > before.known_until
            assert not opened & (ACTIVITY_RULES | {"collection_blind"}), opened
            return
        assert (outcome.status, outcome.error_kind) == ("failed", case.kind), outcome.message
        assert (attempt.outcome, attempt.error_kind) == ("failed", case.kind), attempt.message
        if case.code is not None:
            assert attempt.error_code == case.code, attempt.message
        # failures are data: the error is stored, coverage and last success are left as they were
        assert state.last_error_kind == case.kind and state.consecutive_failures == 1
        assert (state.known_until, state.last_success_at) == (before.known_until, before.last_success_at)
        # blind is not silent: collection_blind, and no activity finding at all
        assert "collection_blind" in opened, opened
        assert not await Finding.filter(account_id=account_id, rule__in=list(ACTIVITY_RULES)).exists()
        blind = await Finding.get(account_id=account_id, rule="collection_blind", state="open")
        assert blind.evidence["last_error_kind"] == case.kind

        # 3. the fault clears: the next run recovers
        sandbox.faults.replace([])
        clock["now"] = RECOVER_AT
        recovered = await _pass(app, None, settings, secrets, clock, account_id, None)
        assert recovered.counts == {"ok": 1}, f"recovery pass: {recovered.outcomes}"
        state = await AccountState.get(account_id=account_id)
        assert state.last_error_kind is None and state.last_error == "" and state.consecutive_failures == 0
        assert state.known_until and before.known_until and state.known_until > before.known_until
        assert state.last_success_at == RECOVER_AT
        check = await run_check(RECOVER_AT, rules)
        assert blind.id in {f.id for f in check.sync.resolved}, "collection_blind not resolved"
        assert not await _open_rules(account_id) & (ACTIVITY_RULES | {"collection_blind"}), "after recovery"


async def test_every_platform_fault_is_blind_not_silent_and_recovers(db: str, tmp_path: Path) -> None:
    """The table, row by row on one database (observations wiped between rows); all failing rows reported."""
    rules = RuleSettings.from_dict(None)
    await import_ledger(write_ledger(tmp_path / "ledger.csv", [WECHAT, WEIBO_API, WEIBO_PUBLIC, FEED]),
                        actor="t", today=T0.date())
    ids = {a.uid: a.id for a in await Account.all()}
    settings = settings_for(tmp_path, db, BASE)
    failures: list[str] = []
    for case in CASES:
        await _forget_observations()
        try:
            await _run_case(case, settings, ids[case.uid], rules)
        except AssertionError as exc:
            failures.append(f"{case.name}: {exc}")
        except Exception as exc:  # the promise is "never a traceback": report which row broke it
            failures.append(f"{case.name}: raised {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)


def test_a_history_shorter_than_the_window_is_not_a_frequency_shortfall() -> None:
    """A first collection that fetched 10 days knows nothing of the 18 days before them."""
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
    posts = tuple(PostFact(published_at=now - dt.timedelta(days=d), title=f"p{d}") for d in (2, 8))
    facts = AccountFacts(account_id=1, platform="wechat", uid="gh_0123456789ab", name="x", unit_id=1, unit_name="u",
                         unit_kind="department", status="operating", update_frequency="每周", collect_method="wechat_api",
                         posts=posts, last_post=posts[0], last_success_at=now, known_until=now,
                         history_from=(now - dt.timedelta(days=10)).date())
    assert frequency_below_target(facts, now, RuleSettings.from_dict(None)) is None
    # the same history collected from 28 days back: two posting days in four weeks is a shortfall
    longer = dataclasses.replace(facts, history_from=(now - dt.timedelta(days=40)).date())
    assert frequency_below_target(longer, now, RuleSettings.from_dict(None)) is not None

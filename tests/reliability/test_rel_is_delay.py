"""Issue 25, item 9: a day WeChat's datacube keeps calling provisional (``is_delay``) no longer blinds the
account: it is read again only while recent (`PROVISIONAL_DAYS`), then keeps its last figures marked
provisional, so a pass after 60 or 180 such days stays small and never runs into 45011.

The sandbox stands in for WeChat (its per-account minute limit answers 45011 past 100 calls of one
endpoint); the 180 days of an is_delay that never clears are set in the account's cursor, as daily passes
would have left it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from relkit import settings_for, write_ledger

from collectors.http import RetryPolicy
from collectors.model import BEIJING
from collectors.service import collect
from collectors.wechat import PROVISIONAL_DAYS
from registry.config.credentials import Credential, Secrets
from registry.db.models import Account, AccountState, Post
from registry.ledger.files import import_ledger
from sandbox.app import create_app
from sandbox.county import demo_secrets
from sandbox.runtime import Limits

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
LAST = dt.date(2026, 11, 25)  # yesterday: the newest day datacube covers at 10:00
WECHAT = "gh_d29d035cc6d5"  # 滹沱发布 on WeChat, wechat_api
BASE = "http://sandbox.test"


@pytest.mark.parametrize("stuck_days", [60, 180])
async def test_a_day_stuck_in_is_delay_stops_being_reread(db: str, tmp_path: Path, stuck_days: int) -> None:
    app = create_app(seed=7, now=lambda: NOW)
    sandbox = app.state.sandbox
    sandbox.limits = Limits(wechat_delay_days=400)  # every day provisional, and it never clears
    settings = settings_for(tmp_path, db, BASE, collect__backfill_days=20)
    secrets = Secrets(None, {k: Credential(k, v) for k, v in demo_secrets(sandbox.county).items()})
    await import_ledger(write_ledger(tmp_path / "ledger.csv", [WECHAT]), actor="t", today=NOW.date())
    detail_days: list[str] = []
    hook = sandbox.faults.run

    async def spy(request: Any, platform: str, uid: Any, handler: Any) -> Any:
        if "getarticletotaldetail" in request.url.path:
            detail_days.append((await request.json())["begin_date"])
        return await hook(request, platform, uid, handler)

    sandbox.faults.run = spy

    async def one_pass() -> Any:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            summary = await collect(settings, secrets, client, clock=lambda: NOW,
                                    retry=RetryPolicy(attempts=1, base_delay=0.0))
        return summary.outcomes[0]

    assert (await one_pass()).status == "ok"  # the back-fill: 20 days, every one provisional
    old = await Post.filter(account__uid=WECHAT, stats_provisional=True,
                            published_at__lt=dt.datetime.combine(LAST - dt.timedelta(days=PROVISIONAL_DAYS - 1),
                                                                 dt.time(0), BEIJING)).count()
    assert old > 0
    # as daily passes would leave it after ``stuck_days`` days of one day never clearing
    account = await Account.get(uid=WECHAT)
    await AccountState.filter(account_id=account.id).update(
        cursor=f"day={LAST.isoformat()};delay={(LAST - dt.timedelta(days=stuck_days)).isoformat()}")
    detail_days.clear()
    outcome = await one_pass()
    assert outcome.status == "ok", outcome.message  # on main: 45011 after 100 calls of one endpoint
    assert len(detail_days) == PROVISIONAL_DAYS, len(detail_days)
    assert min(detail_days) == (LAST - dt.timedelta(days=PROVISIONAL_DAYS - 1)).isoformat()
    # older posts keep their last figures, still marked provisional
    assert await Post.filter(account__uid=WECHAT, stats_provisional=True,
                             published_at__lt=dt.datetime.combine(LAST - dt.timedelta(days=PROVISIONAL_DAYS - 1),
                                                                  dt.time(0), BEIJING)).count() == old
    state = await AccountState.get(account_id=account.id)
    assert state.cursor == f"day={LAST.isoformat()};delay={min(detail_days)}"  # the window moved
    # is_delay clears: the next pass reads the routine week only
    sandbox.limits = Limits()
    detail_days.clear()
    assert (await one_pass()).status == "ok"
    assert min(detail_days) == (LAST - dt.timedelta(days=PROVISIONAL_DAYS - 1)).isoformat()
    detail_days.clear()
    assert (await one_pass()).status == "ok"
    assert len(detail_days) == 7, detail_days  # REFRESH_DAYS: the default 2 delayed days lie inside the week

"""Issue 25, item 8: a platform saying "too many requests" is a `quota` failure: the lane backs off, the
account is never `gone`, no account_gone finding opens, and `accounts resolve` says the platform
throttled rather than "no account with that name".

Each throttle answer is served by a real server (netkit) in place of the platform; the bodies are the
recorded payloads of tests/fixtures/payloads (provenance in its README).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from netkit import fixed, serving
from relkit import settings_for, write_config, write_ledger

from cli import main
from collectors.model import BEIJING
from collectors.service import collect
from registry.config.credentials import Credential, Secrets
from registry.config.i18n import set_lang
from registry.db.models import Account, AccountState, CollectionAttempt, Finding
from registry.ledger.files import import_ledger
from rules.config import RuleSettings
from rules.evaluate import run_check

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
WEIBO_PUBLIC = ["5351783912", "5875436040", "5967838011", "5158275984", "5745651953", "5490216597"]
THROTTLED = (PAYLOADS / "weibo_mobile" / "throttled_100005.json").read_bytes()


def _body(path: str, code: int | str) -> bytes:
    """The recorded error body with this code (WeChat errcode or Weibo error_code)."""
    for body in json.loads((PAYLOADS / path).read_text(encoding="utf-8")):
        if str(body.get("errcode", body.get("error_code"))) == str(code):
            return json.dumps(body, ensure_ascii=False).encode()
    raise LookupError(code)


SECRETS = Secrets(None, {"d03_wx": Credential("d03_wx", {"appid": "wx0000000000000001", "secret": "s" * 32}),
                         "county_wb": Credential("county_wb", {"access_token": "2.00tok"})})

# (name, accounts, HTTP status, body): every throttle answer of platform-apis.md / -2.md a collector meets.
CASES: list[tuple[str, list[str], int, bytes]] = [
    ("m.weibo.cn errno 100005, HTTP 200", WEIBO_PUBLIC, 200, THROTTLED),
    ("m.weibo.cn errno 100005, HTTP 403", WEIBO_PUBLIC, 403, THROTTLED),
    ("m.weibo.cn HTTP 418", WEIBO_PUBLIC[:2], 418, b""),
    ("m.weibo.cn HTTP 429", WEIBO_PUBLIC[:2], 429, b"<html>Too Many Requests</html>"),
    ("WeChat 45009 daily quota", ["gh_ab63ac060ebf"], 200, _body("wechat/errcode_bodies.json", 45009)),
    ("WeChat 45011 minute quota", ["gh_ab63ac060ebf"], 200, _body("wechat/errcode_bodies.json", 45011)),
    ("WeChat HTTP 429", ["gh_ab63ac060ebf"], 429, b""),
    *[(f"Weibo open API {code}", ["5718301790"], 403, _body("weibo_api/error_bodies.json", code))
      for code in (10022, 10023, 10024)],
    ("Weibo open API HTTP 429", ["5718301790"], 429, b"rate limited"),
    ("feed HTTP 429", ["gh_5f2c72296281"], 429, b""),
]


async def test_every_throttle_answer_is_quota_never_gone(db: str, tmp_path: Path) -> None:
    serving_now: dict[str, tuple[int, bytes]] = {}
    with serving(fixed(lambda _path: serving_now["answer"])) as base:
        settings = settings_for(tmp_path, db, base, collect__retries=1)
        every = sorted({uid for _name, uids, _status, _body in CASES for uid in uids})
        await import_ledger(write_ledger(tmp_path / "ledger.csv", every), actor="t", today=dt.date(2026, 11, 26))
        ids = {a.uid: a.id for a in await Account.all()}
        failures = []
        async with httpx.AsyncClient(timeout=20.0) as client:
            for name, uids, status, body in CASES:
                serving_now["answer"] = (status, body)
                await AccountState.all().update(cooldown_until=None)
                await CollectionAttempt.all().delete()
                summary = await collect(settings, SECRETS, client, account_ids=[ids[u] for u in uids])
                calls = sum(o.calls for o in summary.outcomes)
                states = await AccountState.filter(account_id__in=[ids[u] for u in uids])
                seen = (summary.errors, {a.error_kind for a in await CollectionAttempt.all()},
                        all(s.cooldown_until is not None for s in states))
                if seen != ({"quota": len(uids)}, {"quota"}, True):
                    failures.append(f"{name}: {seen} {[o.message for o in summary.outcomes]}")
                # the first m.weibo.cn throttle cools the whole lane: calls queued behind it are never sent
                if uids is WEIBO_PUBLIC and calls != 1:
                    failures.append(f"{name}: {calls} calls, the lane did not back off")
    assert not failures, "\n".join(failures)
    await run_check(dt.datetime.now(BEIJING), RuleSettings.from_dict(settings.section("rules")))
    assert not await Finding.filter(rule="account_gone").exists()
    assert not await AccountState.filter(gone=True).exists()


NAMES_ONLY = "序号,名称,平台类型,开办主体\n1,滹沱发布,政务微博,滹沱县人民政府\n2,滹沱公安,政务微博,滹沱县公安局\n"


@pytest.mark.parametrize("status", [200, 403])
def test_resolve_says_the_platform_throttled(tmp_path: Path, status: int) -> None:
    (tmp_path / "names.csv").write_text(NAMES_ONLY, encoding="utf-8")
    with serving(fixed(lambda _path: (status, THROTTLED))) as base:
        cfg = write_config(tmp_path, f"sqlite://{tmp_path}/g.db", base, platforms__weibo__min_interval=0.0,
                           platforms__weibo__jitter=0.0)
        runner = CliRunner()
        out: list[Any] = []
        try:
            for args in (["accounts", "import", str(tmp_path / "names.csv")], ["accounts", "resolve"]):
                out.append(runner.invoke(main, ["--config", str(cfg), *args]))
        finally:
            set_lang("zh")
    imported, resolved = out
    assert imported.exit_code == 0, imported.output
    assert "Traceback" not in resolved.output, resolved.output
    assert resolved.output.count("限制了查询频率") == 2, resolved.output
    assert "没有" not in resolved.output.replace("没有自动补全", ""), resolved.output

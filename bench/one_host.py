"""One host, several platforms: does pacing m.weibo.cn slow the other sources? (issue 13, lanes)

    python -m bench.one_host [--db-url URL]

The issue's case: 5 WeChat, 6 Weibo (m.weibo.cn, default pacing 3 s + up to 2 s jitter) and 2 feed
accounts of the sample county, all served by one sandbox host, collected for the first time (92 days
of back-fill, about 500 WeChat calls). Then the 6 Weibo accounts alone on a fresh database. Lanes pass
when the whole pass takes about as long as the Weibo accounts alone. Each request's moment is taken
per source (httpx request hook), so the report says when each source's last call went out.
Writes bench/one-host.md (included in RESULTS.md by bench/report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from collectors.service import collect, make_client
from registry.config.credentials import Credential, Secrets
from registry.config.settings import load
from registry.db.lifecycle import database
from registry.ledger.files import import_ledger
from sandbox.county import demo_secrets
from sandbox.server import running_sandbox

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "registry" / "data" / "sample-ledger.csv"
#: Healthy accounts of the sample county (no persona that fails on purpose).
PICK = {"wechat_api": 5, "weibo_public": 6, "feed": 2}
HEALTHY_WECHAT_SKIP = {"gh_9675561d6064", "gh_616c0013149a"}


def subset(path: Path, methods: set[str]) -> Path:
    """A ledger with the first PICK[method] accounts of each wanted method."""
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    col, uid = header.index("采集方式"), header.index("账号ID")
    left = {m: n for m, n in PICK.items() if m in methods}
    picked = []
    for r in body:
        if left.get(r[col], 0) > 0 and r[uid] not in HEALTHY_WECHAT_SKIP:
            picked.append(r)
            left[r[col]] -= 1
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([header, *picked])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def source_of(path: str) -> str:
    """Which source a sandbox path belongs to."""
    if path.startswith("/api/container"):
        return "weibo_public"
    if path.startswith(("/cgi-bin", "/datacube")):
        return "wechat_api"
    return "feed"


async def one_pass(db_url: str, methods: set[str], tmp: Path) -> dict[str, Any]:
    """Collect the chosen accounts once against a fresh sandbox on one host; time per source."""
    ledger = subset(tmp / f"ledger-{len(methods)}.csv", methods)
    with running_sandbox(seed=7) as sb:
        settings = load(None, environ={})
        settings.data["database"]["url"] = db_url
        for key in ("wechat", "weibo", "feed"):
            settings.data["platforms"][key].update({"api_base": sb.base_url, "mobile_base": sb.base_url,
                                                    "base_url": sb.base_url})
        secrets = Secrets(path=None, credentials={k: Credential(k, v) for k, v in demo_secrets(sb.county).items()})
        calls: dict[str, list[float]] = {}
        t0 = time.perf_counter()

        async def record(request: httpx.Request) -> None:
            calls.setdefault(source_of(request.url.path), []).append(time.perf_counter() - t0)

        async with database(db_url):
            await _reset(db_url)
            await import_ledger(ledger, actor="bench", today=dt.date.today())
            client = make_client(settings)
            client.event_hooks["request"] = [record]
            async with client:
                t0 = time.perf_counter()
                summary = await collect(settings, secrets, client)
                wall = time.perf_counter() - t0
    return {"accounts": len(summary.outcomes), "ok": summary.counts.get("ok", 0), "wall_s": round(wall, 1),
            "calls": {k: len(v) for k, v in sorted(calls.items())},
            "last_call_s": {k: round(max(v), 1) for k, v in sorted(calls.items())}}


async def _reset(db_url: str) -> None:
    """Forget earlier runs' accounts (a PostgreSQL URL may be reused)."""
    from registry.db.models import Account, Unit

    await Account.all().delete()
    await Unit.all().delete()


def render(both: dict[str, Any], alone: dict[str, Any]) -> str:
    """The section of RESULTS.md."""
    ratio = both["wall_s"] / alone["wall_s"]
    lines = ["## One host, several platforms (lanes): `python -m bench.one_host`", "",
             f"Taken {dt.datetime.now().isoformat(timespec='minutes')}. 5 WeChat + 6 Weibo (m.weibo.cn, default "
             "pacing 3 s + up to 2 s) + 2 feed accounts, first collection (92 days back-fill), one sandbox host "
             "(one Weibo account of the sample county is deleted on purpose and fails as gone).", "",
             "| pass | accounts | ok | wall s | calls per source | last call per source (s) |", "|---|--:|--:|--:|---|---|"]
    for name, r in (("all 13 accounts", both), ("Weibo accounts alone", alone)):
        lines.append(f"| {name} | {r['accounts']} | {r['ok']} | {r['wall_s']} | "
                     f"{', '.join(f'{k} {v}' for k, v in r['calls'].items())} | "
                     f"{', '.join(f'{k} {v}' for k, v in r['last_call_s'].items())} |")
    lines += ["", f"The whole pass takes {ratio:.2f}× the Weibo accounts alone (before lanes, pacing by host made "
              "every WeChat call wait for the Weibo pacer: the issue's run had not finished after 10 minutes).", ""]
    return "\n".join(lines)


def main() -> None:
    """Run both passes and write bench/one-host.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db-url", default="", help="database (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        url_all = args.db_url or f"sqlite://{tmp / 'all.db'}"
        url_weibo = args.db_url or f"sqlite://{tmp / 'weibo.db'}"
        both = asyncio.run(one_pass(url_all, set(PICK), tmp))
        alone = asyncio.run(one_pass(url_weibo, {"weibo_public"}, tmp))
    text = render(both, alone)
    (HERE / "one-host.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

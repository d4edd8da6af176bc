"""Issue 25, item 5: answer bodies are read as streams and capped by endpoint kind; over the cap is a
`parse` failure of that account (or of that lookup), never of the process.

Real servers (netkit): an endless feed, and an m.weibo.cn search announcing a 1 GB answer. Caps are
injected small through the config (``[collect] max_body_mb`` / ``max_feed_mb``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import json
import resource
from pathlib import Path

import httpx
import pytest
from netkit import announcing, endless, serving
from relkit import settings_for, write_ledger

from collectors.errors import ErrorKind, PlatformError
from collectors.http import Bounds, Http
from collectors.lanes import Lane
from collectors.service import collect
from collectors.weibo_search import WeiboUserSearch
from registry.config.credentials import Secrets
from registry.db.models import CollectionAttempt
from registry.ledger.files import import_ledger

FEEDS = ["gh_5f2c72296281", "gh_34f5b291c0b0"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def test_an_endless_feed_is_a_parse_failure_of_its_account(db: str, tmp_path: Path) -> None:
    with serving(endless()) as base:
        settings = settings_for(tmp_path, db, base, collect__max_feed_mb=2)
        await import_ledger(write_ledger(tmp_path / "ledger.csv", FEEDS), actor="t", today=dt.date(2026, 11, 26))
        before = _rss_mb()
        async with httpx.AsyncClient(timeout=20.0) as client:
            summary = await asyncio.wait_for(collect(settings, Secrets(None, {}), client), 60)
    assert summary.counts == {"failed": 2}, summary.outcomes
    attempts = await CollectionAttempt.all()
    assert {(a.error_kind, a.error_code) for a in attempts} == {("parse", "too_large")}
    assert all("cap" in (a.message or "") for a in attempts)
    assert _rss_mb() - before < 200  # bounded by the cap, not by the server


async def test_resolve_against_a_1_gb_answer_is_refused_before_reading_it(tmp_path: Path) -> None:
    with serving(announcing(1024**3, b'{"ok":1,"data":{"cards":[')) as base:
        settings = settings_for(tmp_path, "sqlite://:memory:", base, collect__max_body_mb=1,
                                platforms__weibo__min_interval=0.0, platforms__weibo__jitter=0.0)
        async with httpx.AsyncClient(timeout=20.0) as client:
            with pytest.raises(PlatformError) as failed:
                await asyncio.wait_for(WeiboUserSearch(settings, client).search("滹沱发布"), 60)
    assert failed.value.kind is ErrorKind.PARSE and failed.value.code == "too_large", failed.value


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
async def test_a_body_past_the_cap_is_refused_as_it_streams(encoding: str) -> None:
    """No length announced, or a small gzip inflating past the cap: counted on the decoded bytes."""
    raw = json.dumps({"list": ["x" * 1000] * 3000}).encode()  # ~3 MB
    body = gzip.compress(raw) if encoding == "gzip" else raw

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip"} if encoding == "gzip" else {}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        http = Http(client, bounds=Bounds(max_body={"api": 1024 * 1024, "feed": 8 * 1024 * 1024}))
        with pytest.raises(PlatformError) as failed:
            await http.json("GET", "http://api.test/x", where="x", lane=Lane("x"))
        assert failed.value.code == "too_large"
        # the same body under the feed's larger cap is read whole, decoded, headers intact
        resp = await http.request("GET", "http://api.test/x", where="x", lane=Lane("x"), body_kind="feed")
        assert resp.content == raw and resp.json()["list"][0] == "x" * 1000

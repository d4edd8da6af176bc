"""Pacing by lane: sources on one host share nothing unless they share a lane."""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from lanekit import VirtualTime

from collectors.http import Http, RetryPolicy
from collectors.lanes import Lane, LaneBook, LocalSlots, configured
from collectors.service import collect
from collectors.sources import SOURCES, lanes_from
from registry.config.settings import load
from registry.ledger import vocab

BASE = "http://sandbox.test"
County = Any


class RecordingSlots(LocalSlots):
    """Local slots that remember every claim (lane key, seconds to wait)."""

    def __init__(self, vt: VirtualTime) -> None:
        super().__init__(vt.monotonic)
        self.claims: list[tuple[str, float]] = []

    async def claim(self, key: str, interval: float) -> float:
        delay = await super().claim(key, interval)
        self.claims.append((key, delay))
        return delay


def _source_of(request: httpx.Request) -> str:
    path = request.url.path
    if path.startswith(("/api/container", "/comments/")):  # m.weibo.cn: profiles, pages, comment threads
        return "weibo_public"
    if path.startswith("/2/"):
        return "weibo_api"
    if path.startswith(("/cgi-bin", "/datacube")):
        return "wechat_api"
    return "feed"


async def test_only_weibo_public_is_paced_on_a_shared_host(county: County) -> None:
    """WeChat, Weibo and feeds all served by one host, default Weibo pacing: only m.weibo.cn calls wait."""
    assert county.settings.get("platforms.weibo.min_interval") == 3.0  # the default, no workaround
    vt = VirtualTime()
    slots = RecordingSlots(vt)
    seen: dict[str, list[float]] = {}
    inner = httpx.ASGITransport(app=county.app)

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.setdefault(_source_of(request), []).append(vt.now)
            return await inner.handle_async_request(request)

    async with httpx.AsyncClient(transport=Recording(), base_url=BASE) as client:
        summary = await collect(county.settings, county.secrets, client, clock=county.clock,
                                retry=RetryPolicy(attempts=3, base_delay=0.0),
                                lanes=LaneBook(slots=slots, sleep=vt.sleep))
    assert {o.target.method for o in summary.outcomes if o.status == "ok"} == {
        "wechat_api", "weibo_api", "weibo_public", "feed"}
    assert set(seen) == {"wechat_api", "weibo_api", "weibo_public", "feed"}
    # Only the weibo_public lane ever claims a slot or waits.
    assert {key for key, _ in slots.claims} == {"weibo_public"}
    assert len(slots.claims) == len(seen["weibo_public"])
    assert len(vt.slept) == len(seen["weibo_public"]) - 1
    # Its calls are 3-5 s apart, one at a time.
    gaps = [b - a for a, b in itertools.pairwise(seen["weibo_public"])]
    assert gaps and min(gaps) >= 3.0 and max(gaps) <= 5.0
    # The other sources made many calls without waiting for a single slot.
    assert len(seen["wechat_api"]) > 5 * len(seen["weibo_public"])


async def test_lanes_keyed_by_credential_pace_each_account_alone() -> None:
    vt = VirtualTime()
    book = LaneBook(slots=LocalSlots(vt.monotonic), sleep=vt.sleep)
    lane = Lane("quota", min_interval=10.0, per_credential=True)
    for credential in ("a", "b", "a", "b", "a"):
        await book.pace(lane, credential)
    assert vt.slept == [10.0, 10.0]  # the third "a" waits for the first; "b" waits only for "b"


async def test_a_lane_bounds_calls_in_flight() -> None:
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        http = Http(client)
        lane = Lane("narrow", concurrency=2)
        await asyncio.gather(*(http.request("GET", "http://one.host/x", where="x", lane=lane) for _ in range(8)))
        assert peak == 2
        peak = 0
        # Another lane on the same host does not share the limit.
        await asyncio.gather(*(http.request("GET", "http://one.host/x", where="x", lane=Lane("wide", concurrency=8))
                               for _ in range(8)))
        assert peak == 8


def test_lane_settings_come_from_the_config(tmp_path: Any) -> None:
    cfg = tmp_path / "govmedia.toml"
    cfg.write_text('[platforms.weibo]\nmin_interval = 6.0\njitter = 1.0\n[collect]\nper_host_concurrency = 2\n'
                   '[lanes.weibo_api]\nmin_interval = 0.5\nper_credential = true\n', encoding="utf-8")
    lanes = lanes_from(load(cfg, environ={}))
    assert lanes["weibo_public"] == Lane("weibo_public", 6.0, 1.0, 1, False)  # old keys still work
    assert lanes["weibo_api"] == Lane("weibo_api", 0.5, 0.0, 2, True)
    assert lanes["wechat_api"] == Lane("wechat_api", 0.0, 0.0, 2, False)
    assert configured(Lane("x"), {}, 3) == Lane("x", concurrency=3)


def test_every_collected_method_is_in_the_registry_and_the_ledger() -> None:
    methods = {s.method for s in SOURCES}
    assert methods | {"manual"} == {m.value for m in vocab.CollectMethod}
    for spec in SOURCES:
        allowed = {p.value for p in vocab.METHOD_PLATFORMS[vocab.CollectMethod(spec.method)]}
        assert allowed == ({p.value for p in vocab.Platform} if spec.platforms == ("*",) else set(spec.platforms))
    assert len({s.lane.name for s in SOURCES}) == len(SOURCES)


@pytest.mark.parametrize("spec", SOURCES, ids=lambda s: s.method)
def test_every_source_declares_its_lane(spec: Any) -> None:
    assert spec.build.method == spec.method and spec.build.lane == spec.lane


async def test_pacing_holds_across_worker_processes_on_postgresql(db_url: str) -> None:
    """Two processes, each with its own connection and `Http`, share one lane: together they keep its pace."""
    if not db_url.startswith("postgres"):
        pytest.skip("SQLite runs one process; its lanes pace in memory")
    from registry.db.lifecycle import upgrade

    await upgrade(db_url)
    interval, calls = 0.25, 4
    worker = Path(__file__).with_name("lane_worker.py")
    procs = [await asyncio.create_subprocess_exec(sys.executable, str(worker), db_url, str(calls), str(interval),
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                  cwd=str(worker.parents[2]))
             for _ in range(2)]
    outputs = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err.decode() for _, err in outputs]
    moments = sorted(float(t) for out, _ in outputs for t in out.split())
    assert len(moments) == 2 * calls
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    # Each process alone would be paced; interleaved, the combined stream must be too.
    assert min(gaps) >= interval - 0.02, gaps


async def test_db_slots_reserve_consecutive_slots(db: str) -> None:
    if not db.startswith("postgres"):
        pytest.skip("lane slots live in the database only on PostgreSQL")
    from registry.observations.lanes import DbSlots

    slots = DbSlots()
    delays = [await slots.claim("lane/x", 10.0) for _ in range(3)]
    assert delays[0] == 0.0 and 9.5 < delays[1] <= 10.0 and 19.5 < delays[2] <= 20.0
    assert await slots.claim("lane/y", 10.0) == 0.0  # another key is free

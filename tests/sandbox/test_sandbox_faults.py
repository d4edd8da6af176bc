"""Fault injection: every kind switched on from a TOML file and at runtime, per platform and per account."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.county import County
from sandbox.faults import Fault, load_faults
from sandbox.server import running_sandbox

TokenFetcher = Callable[[httpx.AsyncClient, str], Awaitable[str]]
MakeClient = Callable[..., httpx.AsyncClient]
DAY = {"begin_date": "2025-06-17", "end_date": "2025-06-17"}
FLAGSHIP_WB = "5718301790"
TOML = """
[[fault]]
platform = "wechat"
uid = "gh_d29d035cc6d5"
path = "datacube"
kind = "errcode"
code = 45009

[[fault]]
platform = "weibo_mobile"
kind = "burst"
count = 3

[[fault]]
platform = "feed"
kind = "http_status"
status = 503
rate = 1.0

[[fault]]
platform = "weibo"
uid = 5718301790
kind = "latency"
seconds = 0.05
"""


async def _cube(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/datacube/getusercumulate", params={"access_token": token}, json=DAY)


def _client_with(make_client: MakeClient, *faults: dict[str, Any]) -> httpx.AsyncClient:
    return make_client(faults=[Fault.from_dict(f) for f in faults])


def test_load_faults_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "faults.toml"
    path.write_text(TOML, encoding="utf-8")
    faults = load_faults(path)
    assert [f.kind for f in faults] == ["errcode", "burst", "http_status", "latency"]
    assert faults[1].count == 3 and faults[3].uid == FLAGSHIP_WB


@pytest.mark.parametrize("table", [
    {"kind": "nope"},
    {"kind": "errcode"},
    {"kind": "http_status"},
    {"kind": "latency", "platform": "myspace"},
    {"kind": "latency", "rate": 2},
    {"kind": "latency", "colour": "red"},
])
def test_bad_faults_are_refused(table: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Fault.from_dict(table)


async def test_toml_faults_apply_per_platform_and_account(
    tmp_path: Path, make_client: MakeClient, wechat_token: TokenFetcher, secrets: dict[str, dict[str, str]]
) -> None:
    path = tmp_path / "faults.toml"
    path.write_text(TOML, encoding="utf-8")
    async with make_client(faults=load_faults(path)) as client:
        flagship = await wechat_token(client, "county_wx")  # token endpoints are not datacube: unaffected
        assert (await _cube(client, flagship)).json()["errcode"] == 45009
        other = await wechat_token(client, "d01_wx")
        assert "list" in (await _cube(client, other)).json()  # only the flagship is faulty
        statuses = [(await client.get("/api/container/getIndex", params={"type": "uid", "value": FLAGSHIP_WB}))
                    .status_code for _ in range(4)]
        assert statuses == [418, 418, 418, 200]
        feed = await client.get("/feeds/5581726316.xml")
        assert feed.status_code == 503 and "text/html" in feed.headers["content-type"]
        started = time.perf_counter()
        await client.get("/2/users/show.json",
                         params={"access_token": secrets["county_wb"]["access_token"], "uid": FLAGSHIP_WB})
        assert time.perf_counter() - started >= 0.05


async def test_always_40001_spares_the_token_endpoint(make_client: MakeClient, wechat_token: TokenFetcher) -> None:
    async with _client_with(make_client, {"platform": "wechat", "kind": "errcode", "code": 40001}) as client:
        for _ in range(5):
            token = await wechat_token(client, "county_wx")
            assert (await _cube(client, token)).json()["errcode"] == 40001


async def test_errcode_shapes_per_platform(
    make_client: MakeClient, county: County, secrets: dict[str, dict[str, str]]
) -> None:
    faults = [
        {"platform": "weibo", "kind": "errcode", "code": 10023},
        {"platform": "weibo_mobile", "kind": "errcode", "code": 100005},
        {"platform": "wecom", "kind": "errcode", "code": -1},
    ]
    async with _client_with(make_client, *faults) as client:
        open_api = await client.get("/2/users/show.json",
                                    params={"access_token": secrets["county_wb"]["access_token"], "uid": FLAGSHIP_WB})
        assert open_api.status_code == 403 and open_api.json()["error_code"] == "10023"
        mobile = (await client.get("/api/container/getIndex", params={"type": "uid", "value": FLAGSHIP_WB})).json()
        assert mobile == {"ok": 0, "errno": "100005", "msg": "请求过于频繁，歇歇吧"}
        robot = await client.post("/wecom/cgi-bin/webhook/send", params={"key": county.wecom.robot_keys["office"]},
                                  json={"msgtype": "text", "text": {"content": "x"}})
        assert robot.status_code == 200 and robot.json()["errcode"] == -1


async def test_login_required_unless_the_cookie_is_sent(make_client: MakeClient, county: County) -> None:
    async with _client_with(make_client, {"platform": "weibo_mobile", "kind": "login_required"}) as client:
        params = {"type": "uid", "value": FLAGSHIP_WB}
        body = (await client.get("/api/container/getIndex", params=params)).json()
        assert body["ok"] == -100 and body["url"].startswith("https://passport.weibo.cn/")
        with_cookie = await client.get("/api/container/getIndex", params=params,
                                       headers={"Cookie": f"SUB={county.weibo_cookie}"})
        assert with_cookie.json()["ok"] == 1


async def test_captcha_pace_and_432(make_client: MakeClient) -> None:
    params = {"type": "uid", "value": FLAGSHIP_WB}
    async with _client_with(make_client, {"platform": "weibo_mobile", "kind": "captcha"}) as client:
        body = (await client.get("/api/container/getIndex", params=params)).json()
        assert "url" in body and "data" not in body
    async with _client_with(make_client, {"platform": "weibo_mobile", "kind": "pace", "min_interval": 5}) as client:
        codes = [(await client.get("/api/container/getIndex", params=params)).status_code for _ in range(2)]
        assert codes == [200, 418]
    async with _client_with(make_client, {"platform": "weibo_mobile", "kind": "http_status", "status": 432}) as client:
        assert (await client.get("/api/container/getIndex", params=params)).status_code == 432


@pytest.mark.parametrize("kind", ["truncated", "malformed", "non_json"])
async def test_broken_bodies(kind: str, make_client: MakeClient, wechat_token: TokenFetcher) -> None:
    async with _client_with(make_client, {"platform": "wechat", "path": "datacube", "kind": kind}) as client:
        response = await _cube(client, await wechat_token(client, "county_wx"))
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)


async def test_wrong_field_types(make_client: MakeClient, wechat_token: TokenFetcher) -> None:
    async with _client_with(make_client, {"platform": "wechat", "path": "datacube", "kind": "wrong_types"}) as client:
        row = (await _cube(client, await wechat_token(client, "county_wx"))).json()["list"][0]
        assert isinstance(row["cumulate_user"], str) and isinstance(row["user_source"], str)


async def test_rate_is_seeded(make_client: MakeClient) -> None:
    fault = {"platform": "weibo_mobile", "kind": "http_status", "status": 500, "rate": 0.5}
    runs = []
    for _ in range(2):
        async with _client_with(make_client, fault) as client:
            runs.append([(await client.get("/api/container/getIndex", params={"type": "uid", "value": FLAGSHIP_WB}))
                         .status_code for _ in range(20)])
    assert runs[0] == runs[1] and {200, 500} == set(runs[0])


async def test_faults_at_runtime(client: httpx.AsyncClient, wechat_token: TokenFetcher) -> None:
    token = await wechat_token(client, "county_wx")
    listed = (await client.post("/_sandbox/faults", json=[
        {"platform": "wechat", "kind": "errcode", "code": 61501, "count": 2},
    ])).json()
    assert listed[0]["code"] == 61501
    assert [(await _cube(client, token)).json().get("errcode") for _ in range(3)] == [61501, 61501, None]
    assert (await client.get("/_sandbox/faults")).json()[0]["count"] == 0
    await client.post("/_sandbox/faults", json=[{"platform": "wechat", "kind": "errcode", "code": 42001}])
    assert (await _cube(client, token)).json()["errcode"] == 42001
    assert (await client.delete("/_sandbox/faults")).json() == []
    assert "list" in (await _cube(client, token)).json()
    refused = await client.post("/_sandbox/faults", json=[{"kind": "bogus"}])
    assert refused.status_code == 400


async def test_slow_response_outlasts_the_client_timeout() -> None:
    slow = Fault.from_dict({"platform": "feed", "kind": "slow", "seconds": 0.5})
    with running_sandbox(faults=[slow]) as running:
        # Only the read is held to 0.1 s: a connect on a loaded machine may take longer than that.
        async with httpx.AsyncClient(base_url=running.base_url, timeout=httpx.Timeout(0.1, connect=10.0)) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/feeds/5581726316.xml")

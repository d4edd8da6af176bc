"""The real server: running_sandbox serves over HTTP on a free port and stops cleanly."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from sandbox.county import demo_secrets
from sandbox.server import fetch_messages, running_sandbox


async def test_running_sandbox_answers_real_http_requests() -> None:
    with running_sandbox(seed=7) as running:
        async with httpx.AsyncClient(base_url=running.base_url, timeout=5) as client:
            accounts = (await client.get("/_sandbox/accounts")).json()
            assert len(accounts) == 40
            cred = demo_secrets(running.county)["county_wx"]
            token = (await client.get("/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]})).json()
            assert token["expires_in"] == 7200
            key = running.county.wecom.robot_keys["office"]
            await client.post(f"/wecom/cgi-bin/webhook/send?key={key}",
                              json={"msgtype": "markdown", "markdown": {"content": "**账号预警**"}})
        messages = fetch_messages(running.base_url)
        assert [(m["channel"], m["status"]) for m in messages] == [("wecom_robot", "delivered")]
        port = urlsplit(running.base_url).port
    assert port is not None
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # stopped


def test_running_sandbox_from_sync_code() -> None:
    with running_sandbox() as running:
        response = httpx.get(f"{running.base_url}/api/container/getIndex",
                             params={"type": "uid", "value": "5718301790"}, timeout=5)
        assert response.json()["ok"] == 1

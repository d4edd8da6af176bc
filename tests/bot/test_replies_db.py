"""Replies from unit contacts against the registry: scoping, claims, exemption requests, unknown users,
and one encrypted round trip through the real callback app with the database-backed handler."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import httpx
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.callback import create_callback_app
from bot.commands import parse_command
from bot.service import ReplyHandler
from cli_commands.storage import notify_storage
from registry.db.models import Finding, InboundMessage, Silence
from registry.ledger import accounts as store

TZ = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=TZ)
TOKEN, KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"


async def setup() -> tuple[Finding, Finding]:
    ids = []
    for uid, name, unit, op in (("gh_0000000000a1", "西河乡讯", "西河乡", "xihe_op"), ("gh_0000000000b2", "东关发布", "东关镇", "dg_op")):
        record = {"platform": "wechat", "uid": uid, "name": name, "unit": unit, "operator": f"{name}运维", "wecom": op}
        ids.append((await store.add_account(record, actor="t", today=T0.date())).id)
    made = []
    for aid in ids:
        made.append(await Finding.create(rule="stale_veto", subject=f"account:{aid}", severity="veto", account_id=aid,
                                         first_seen=T0, last_seen=T0, summary_zh="已连续15天未更新", evidence={}))
    return made[0], made[1]


async def test_commands_are_scoped_to_the_users_unit(db: str) -> None:
    mine, theirs = await setup()
    handler = ReplyHandler(("office_li",), notify_storage())
    assert "不是已登记的联系人" in await handler.handle("stranger", parse_command("状态"))
    status = await handler.handle("XIHE_OP", parse_command("状态"))
    assert "西河乡讯" in status and "东关发布" not in status
    refused = await handler.handle("xihe_op", parse_command(f"已整改 {theirs.id}"))
    assert "不是您单位账号" in refused and (await Finding.get(id=theirs.id)).claimed_fixed_at is None
    ok = await handler.handle("xihe_op", parse_command(f"已整改 {mine.id}"))
    assert "已记录" in ok and (await Finding.get(id=mine.id)).claimed_by == "xihe_op"
    asked = await handler.handle("xihe_op", parse_command(f"豁免 {mine.id} 7 乡镇机构改革期间暂停更新"))
    silence = await Silence.get()
    assert "待县政务公开办审批" in asked and silence.state == "pending" and silence.rule == "stale_veto"
    assert "东关发布" in await handler.handle("office_li", parse_command("状态"))  # the office sees every unit
    assert await InboundMessage.all().count() == 6


async def test_encrypted_round_trip_through_the_callback(db: str) -> None:
    mine, _ = await setup()
    app = create_callback_app(TOKEN, KEY, CORP, ReplyHandler((), notify_storage()))
    now = str(int(dt.datetime.now(dt.UTC).timestamp()))
    inner = (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[xihe_op]]></FromUserName>"
             f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
             f"<Content><![CDATA[已整改 {mine.id}]]></Content><MsgId>77</MsgId><AgentID>1000002</AgentID></xml>")
    crypto = WeChatCrypto(TOKEN, KEY, CORP)
    out = ET.fromstring(crypto.encrypt_message(inner, "nonce42", now))
    params = {"msg_signature": out.findtext("MsgSignature") or "", "timestamp": now, "nonce": "nonce42"}
    body = f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{out.findtext('Encrypt')}]]></Encrypt></xml>"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as c:
        resp = await c.post("/wecom/callback", params=params, content=body)
        assert resp.status_code == 200
        reply = ET.fromstring(resp.text)
        plain = crypto.decrypt_message(resp.text, reply.findtext("MsgSignature"), reply.findtext("TimeStamp"),
                                       reply.findtext("Nonce"))
        assert "已记录" in (ET.fromstring(plain).findtext("Content") or "")
        again = await c.post("/wecom/callback", params=params, content=body)
        assert again.status_code == 403  # a replayed request changes nothing
    assert (await Finding.get(id=mine.id)).claimed_by == "xihe_op"

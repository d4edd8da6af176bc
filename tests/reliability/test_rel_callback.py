"""The WeCom callback against the database: every hostile or unauthorised request is refused with the
right status or reply, leaves a trace (a warning line, or the inbound log for a refused command), and
changes nothing else in the database.

tests/bot/test_bot_callback.py checks each transport refusal with a stand-in handler; here the real
`ReplyHandler` sits behind the app, so "nothing changed" is checked on every table.
"""

from __future__ import annotations

import datetime as dt
import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import httpx
import pytest
from relkit import dump_tables
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.callback import CALLBACK_PATH, create_callback_app
from bot.service import ReplyHandler
from cli_commands.storage import notify_storage
from registry.db.models import Finding, InboundMessage
from registry.ledger import accounts as store

TOKEN, KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
TS = str(int(NOW.timestamp()))
_nonces = count(1)

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                  '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>')
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'
REMOTE_DTD = '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml><Encrypt>x</Encrypt></xml>'


def inner(content: str, user: str, msgtype: str = "text") -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{TS}</CreateTime><MsgType><![CDATA[{msgtype}]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{next(_nonces)}</MsgId><AgentID>1000002</AgentID></xml>")


def signed(plain: str, *, at: str = TS, corp: str = CORP, nonce: str | None = None) -> tuple[dict[str, str], str]:
    """Query and body of a message encrypted and signed the way WeCom does it."""
    nonce = nonce or f"n{next(_nonces)}"
    out = ET.fromstring(WeChatCrypto(TOKEN, KEY, corp).encrypt_message(plain, nonce, at))
    params = {"msg_signature": out.findtext("MsgSignature") or "", "timestamp": at, "nonce": nonce}
    return params, f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{out.findtext('Encrypt')}]]></Encrypt></xml>"


def reply_text(response: httpx.Response) -> str:
    out = ET.fromstring(response.text)
    plain = WeChatCrypto(TOKEN, KEY, CORP).decrypt_message(response.text, out.findtext("MsgSignature"),
                                                            out.findtext("TimeStamp"), out.findtext("Nonce"))
    return ET.fromstring(plain).findtext("Content") or ""


@dataclass
class Attempt:
    """One hostile request and what must come of it: an HTTP refusal, or a reply that refuses."""

    name: str
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    body: str | bytes = ""
    status: int = 200
    reply: str | None = None  # a text the (decrypted) reply must contain


async def _setup() -> dict[str, int]:
    ids = {}
    for uid, name, unit, op in (("gh_0000000000a1", "西河乡讯", "西河乡人民政府", "xihe_op"),
                                ("gh_0000000000b2", "东关发布", "东关镇人民政府", "dg_op")):
        account = await store.add_account({"platform": "wechat", "uid": uid, "name": name, "unit": unit,
                                           "operator": f"{name}运维", "wecom": op}, actor="t", today=NOW.date())
        finding = await Finding.create(rule="stale_veto", subject=f"account:{account.id}", severity="veto",
                                       account=account, first_seen=NOW, last_seen=NOW, summary_zh="已连续15天未更新")
        ids[op] = finding.id
    resolved = await Finding.create(rule="stale_warning", subject=f"account:{1}", severity="warning", account_id=1,
                                    first_seen=NOW, last_seen=NOW, state="resolved", resolved_at=NOW)
    ids["resolved"] = resolved.id
    return ids


def _attempts(ids: dict[str, int]) -> list[Attempt]:
    theirs, resolved = ids["dg_op"], ids["resolved"]
    ok_params, ok_body = signed(inner("已整改 1", "xihe_op"))
    bad_sig = {**ok_params, "msg_signature": "0" * 40}
    stale_params, stale_body = signed(inner("帮助", "xihe_op"), at=str(int(NOW.timestamp()) - 301))
    future_params, future_body = signed(inner("帮助", "xihe_op"), at=str(int(NOW.timestamp()) + 3600))
    replay_params, replay_body = signed(inner(f"已整改 {ids['xihe_op']}", "xihe_op"))
    other_corp = signed(inner("帮助", "xihe_op"), corp="wwsomeoneelse0000")
    hostile_inner = signed('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                           "<xml><FromUserName>xihe_op</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>")
    laughs_inner = signed(BILLION_LAUGHS.replace("<Encrypt>&c;</Encrypt>", "<MsgType>text</MsgType><Content>&c;</Content>"))
    not_xml_inner = signed("已整改 1")
    p = ok_params
    return [
        Attempt("no parameters", params={}, body=ok_body, status=403),
        *[Attempt(f"missing {k}", params={x: v for x, v in p.items() if x != k}, body=ok_body, status=403)
          for k in ("msg_signature", "timestamp", "nonce")],
        Attempt("bad signature", params=bad_sig, body=ok_body, status=403),
        Attempt("bad signature on URL verification", method="GET",
                params={**bad_sig, "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3"}, status=403),
        Attempt("signature of another body", params=ok_params, body=signed(inner("已整改 1", "xihe_op"))[1], status=403),
        Attempt("stale timestamp", params=stale_params, body=stale_body, status=403),
        Attempt("timestamp from the future", params=future_params, body=future_body, status=403),
        Attempt("timestamp not a number", params={**p, "timestamp": "1e9"}, body=ok_body, status=403),
        Attempt("replayed nonce", params=replay_params, body=replay_body, status=403),  # sent twice below
        Attempt("another corp", params=other_corp[0], body=other_corp[1], status=403),
        Attempt("oversized body", params=p, body=ok_body.replace("</xml>", " " * 70_000 + "</xml>"), status=413),
        Attempt("billion laughs", params=p, body=BILLION_LAUGHS, status=400),
        Attempt("external entity", params=p, body=EXTERNAL, status=400),
        Attempt("remote DTD", params=p, body=REMOTE_DTD, status=400),
        Attempt("entity in the decrypted message", params=hostile_inner[0], body=hostile_inner[1], status=400),
        Attempt("billion laughs in the decrypted message", params=laughs_inner[0], body=laughs_inner[1], status=400),
        Attempt("decrypted message not XML", params=not_xml_inner[0], body=not_xml_inner[1], status=400),
        Attempt("JSON body", params=p, body='{"Encrypt": "x"}', status=400),
        Attempt("binary body", params=p, body=b"\xff\xfe\x00<xml/>", status=400),
        Attempt("empty body", params=p, body="", status=400),
        # signed and fresh, but not allowed
        Attempt("unknown user", *_signed_call(inner(f"已整改 {ids['xihe_op']}", "stranger")), reply="不是已登记的联系人"),
        Attempt("unknown user asks for status", *_signed_call(inner("状态", "stranger")), reply="不是已登记的联系人"),
        Attempt("fix another unit's finding", *_signed_call(inner(f"已整改 {theirs}", "xihe_op")), reply="不是您单位账号"),
        Attempt("exempt another unit's finding", *_signed_call(inner(f"豁免 {theirs} 30 改版", "xihe_op")),
                reply="不是您单位账号"),
        Attempt("fix a resolved finding", *_signed_call(inner(f"已整改 {resolved}", "xihe_op")), reply="不是您单位账号"),
        Attempt("fix a finding that does not exist", *_signed_call(inner("已整改 999999999999", "xihe_op")),
                reply="不是您单位账号"),
        Attempt("status of another unit's account", *_signed_call(inner("状态 东关发布", "xihe_op")),
                reply="没有待处理的问题"),
        Attempt("SQL in a command", *_signed_call(inner("状态 ' OR 1=1 --", "xihe_op")), reply="没有待处理的问题"),
        Attempt("exemption too long", *_signed_call(inner(f"豁免 {ids['xihe_op']} 400 理由", "xihe_op")), reply="豁免天数"),
        Attempt("a huge command", *_signed_call(inner("状态 " + "长" * 5000, "xihe_op")), reply="没有待处理的问题"),
    ]


def _signed_call(plain: str) -> tuple[str, dict[str, str], str]:
    params, body = signed(plain)
    return "POST", params, body


async def _state() -> dict[str, list[dict[str, Any]]]:
    return {table: sorted(rows, key=repr) for table, rows in (await dump_tables()).items()
            if table not in ("inbound_message", "sqlite_sequence")}


async def test_hostile_and_unauthorised_callbacks_change_nothing(db: str, caplog: pytest.LogCaptureFixture) -> None:
    ids = await _setup()
    app = create_callback_app(TOKEN, KEY, CORP, ReplyHandler(("office_li",), notify_storage()), now=lambda: NOW)
    failures = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        for attempt in _attempts(ids):
            if attempt.name == "replayed nonce":  # the first delivery is genuine (a claim of one's own finding)
                first = await client.post(CALLBACK_PATH, params=attempt.params, content=attempt.body)
                assert first.status_code == 200 and "已记录" in reply_text(first)
            before, inbound = await _state(), await InboundMessage.all().count()
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="govmedia.bot.callback"):
                if attempt.method == "GET":
                    response = await client.get(CALLBACK_PATH, params=attempt.params)
                else:
                    response = await client.post(CALLBACK_PATH, params=attempt.params, content=attempt.body)
            warned = [r for r in caplog.records if r.name == "govmedia.bot.callback" and "refused" in r.getMessage()]
            try:
                assert response.status_code == attempt.status, response.status_code
                if attempt.status != 200:
                    assert response.text == "" and len(warned) == 1 and warned[0].exc_info is None
                    assert await InboundMessage.all().count() == inbound  # never reached the handler
                else:
                    text = reply_text(response)
                    assert attempt.reply is not None and attempt.reply in text, text
                    assert "系统繁忙" not in text, text  # refused in words, not by an error
                    assert await InboundMessage.all().count() == inbound + 1  # the refusal is on record
                assert await _state() == before, "the database changed"
            except AssertionError as exc:
                failures.append(f"{attempt.name}: {exc}")
    assert not failures, "\n".join(failures)
    claimed = await Finding.get(id=ids["xihe_op"])
    assert claimed.claimed_by == "xihe_op"  # the one genuine command did its work, once

"""校对 through the bot: parsing, the reply's size bound, the log, and the same hits as `govmedia content check`."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from click.testing import CliRunner

from bot.commands import MAX_PROOF_CHARS, Proofread, Unknown, parse_command
from bot.limits import REPLY_BYTES, utf8_len
from bot.proofread import ProofHit, ProofReport, render_proofread
from bot.service import ReplyHandler
from cli import main
from cli_commands.runtime import ScannerProofreader
from cli_commands.storage import notify_storage
from registry.db.models import InboundMessage
from rules.content_check import ContentChecker, ContentConfig

DRAFT = "县国土资源局召开会议，布署秋季防火工作。\n联系人：李女士 13912345678，热线 13900001111。"
TODAY = dt.date(2026, 11, 20)


def test_parse_keeps_the_drafts_lines_and_refuses_empty_or_long() -> None:
    assert parse_command("校对 第一行\n第二行") == Proofread("第一行\n第二行")
    assert parse_command("校对：县环保局") == Proofread("县环保局")
    assert isinstance(parse_command("校对"), Unknown)
    long = parse_command("校对 " + "字" * (MAX_PROOF_CHARS + 1))
    assert isinstance(long, Unknown) and "不超过" in long.problem


def test_reply_stays_within_wecoms_size_and_counts_what_it_leaves_out() -> None:
    hit = ProofHit(1, 1, "严重", "规范表述", "国土资源局", "自然资源局（或自然资源和规划局；省级：自然资源厅）")
    reply = render_proofread(ProofReport((hit,) * 200, 9000, 200, 0, 0))
    assert utf8_len(reply) <= REPLY_BYTES
    assert re.search(r"另有 \d+ 处未列出", reply) and reply.endswith("（共检查 9000 字）")
    assert "未发现问题" in render_proofread(ProofReport((), 12))


def test_same_hits_as_content_check(tmp_path: Path) -> None:
    config = ContentConfig(hotlines=("13900001111",))
    reply = render_proofread(ScannerProofreader(ContentChecker(config), lambda: TODAY).proofread(DRAFT))
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", f"sqlite://{tmp_path / 'g.db'}", "content", "check", str(draft),
                                       "--date", TODAY.isoformat(), "--hotline", "13900001111", "--format", "json"])
    hits = json.loads(result.output)["hits"]
    assert len(hits) == 3
    for h in hits:
        assert f"第{h['line']}行第{h['column']}列" in reply and f"「{h['matched']}」" in reply
    assert "13912345678" not in reply and "139****5678" in reply
    assert "共发现 3 处问题：严重 0，一般 3，提示 0" in reply  # an old name in the text is 一般 (issue 22)


async def test_handler_answers_proofread_and_logs_no_draft(db: str) -> None:
    proofreader = ScannerProofreader(ContentChecker(ContentConfig()), lambda: TODAY)
    handler = ReplyHandler(("office_li",), notify_storage(), proofreader)
    reply = await handler.handle("office_li", parse_command("校对 " + DRAFT))
    assert "国土资源局" in reply and "13912345678" not in reply
    logged = await InboundMessage.get()
    assert logged.content == f"Proofread:{len(DRAFT)} chars" and "13912345678" not in logged.reply
    off = ReplyHandler(("office_li",), notify_storage())
    assert "未启用" in await off.handle("office_li", parse_command("校对 县环保局"))

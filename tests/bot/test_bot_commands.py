"""Reply command parsing: the four commands, their variants and the helpful refusals."""

from __future__ import annotations

import pytest

from bot.commands import ClaimFixed, Exempt, Help, Status, Unknown, help_text, parse_command


@pytest.mark.parametrize(("text", "expected"), [
    ("帮助", Help()),
    (" 帮助\n", Help()),
    ("help", Help()),
    ("？", Help()),
    ("状态", Status()),
    ("状态 西河乡讯", Status("西河乡讯")),
    ("状态\u3000西河 乡讯", Status("西河 乡讯")),
    ("状态西河乡讯", Status("西河乡讯")),
    ("已整改 123", ClaimFixed(123)),
    ("已整改123", ClaimFixed(123)),
    ("已整改 #123", ClaimFixed(123)),
    ("已整改　编号１２３", ClaimFixed(123)),
    ("豁免 123 30 账号迁移中，暂停更新", Exempt(123, 30, "账号迁移中，暂停更新")),
    ("豁免 ＃123 ３０天 系统 升级", Exempt(123, 30, "系统 升级")),
    ("exempt 5 7 moving", Exempt(5, 7, "moving")),
])
def test_commands(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("你好", ""),
    ("", ""),
    ("已整改", "格式：已整改 编号"),
    ("已整改 abc", "格式：已整改 编号"),
    ("豁免 123", "格式：豁免 编号 天数 理由"),
    ("豁免 123 30", "格式：豁免 编号 天数 理由"),
    ("豁免 123 0 理由", "豁免天数应为1至365天"),
    ("豁免 123 400 理由", "豁免天数应为1至365天"),
    ("豁免 1 3 " + "长" * 201, "理由请不超过200字"),
])
def test_refusals_say_why(text: str, problem: str) -> None:
    command = parse_command(text)
    assert isinstance(command, Unknown) and command.text == text
    assert command.problem.startswith(problem)


def test_help_text_lists_every_command() -> None:
    for lang in ("zh", "en"):
        text = help_text(lang)
        assert all(word in text for word in ("状态", "已整改", "豁免", "帮助"))

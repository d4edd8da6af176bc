"""`govmedia web user …`: passwords only from standard input, clear errors, English with --lang en."""

from __future__ import annotations

from click.testing import CliRunner

from cli import main
from tests.web.webkit import County, gm


def run(county: County, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(county.config), *args], input=stdin)
    return result.exit_code, result.output


def test_user_commands(county: County) -> None:
    code, out = run(county, "web", "user", "add", "noinput", "--role", "viewer")
    assert code == 2 and "--password-stdin" in out
    code, out = run(county, "web", "user", "add", "shortpw", "--role", "viewer", "--password-stdin", stdin="abc\n")
    assert code == 2 and "至少 10 个字符" in out
    code, out = run(county, "web", "user", "add", "nounit", "--role", "unit", "--password-stdin", stdin="long-enough-1\n")
    assert code == 2 and "--unit" in out
    code, out = run(county, "web", "user", "add", "ghost", "--role", "unit", "--unit", "不存在的单位", "--password-stdin",
                    stdin="long-enough-1\n")
    assert code == 2 and "找不到单位" in out
    code, out = run(county, "web", "user", "add", "chief", "--role", "admin", "--password-stdin", stdin="long-enough-1\n")
    assert code == 2 and "已存在" in out
    listing = gm(county.path, "web", "user", "list")
    assert "chief" in listing and "unituser" in listing and county.unit in listing
    assert "long-enough" not in listing and "argon2" not in listing
    assert "disabled web user reader" in gm(county.path, "--lang", "en", "web", "user", "disable", "reader")
    assert "已停用" in gm(county.path, "web", "user", "list")
    out = gm(county.path, "web", "user", "reset", "reader", "--password-stdin", "--lang", "en", stdin="Viewer-pass-2026\n")
    assert "password of web user reader reset" in out
    code, out = run(county, "web", "user", "disable", "nobody")
    assert code == 2 and "找不到网页用户" in out
    history = gm(county.path, "web", "user", "list", "--format", "json")
    assert '"state": "正常"' in history or '"state":"正常"' in history

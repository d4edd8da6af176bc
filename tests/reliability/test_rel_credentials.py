"""Issue 17, item 4: every credential shape of platform-apis.md pasted into 凭据 is refused, and the
refusal names the row and column, never the value; nothing of it reaches a row, `accounts show`,
`doctor` or `accounts export`."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from relkit import dump_tables, ledger_rows

from cli import main
from registry.config.credentials import looks_like_secret
from registry.db.lifecycle import database

PASTED = {
    "weibo oauth token": "2.00xFh8bGdcZ4bD5e4b7c8d9e0f1aBcDeKq8S",
    "weibo token, short": "2.00abcdEFGH1234",
    "aes key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "appsecret": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "webhook key": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa".replace("x", "a").replace("si", "5a"),
    "wechat access token": "78_kqGxVqI0vW7c9nX2yZ3Ab4Cd5Ef6Gh7Ij8Kl9Mn0Op1Qr2St3Uv4Wx5Yz6-AbCdEfGh",
    "m.weibo.cn cookie": "SUB=_2A25LxYz1DeRhGeFM7FQQ9ybPzTuIHXVo; SUBP=0033WrSXqPxfM725Ws9jqgMF55529P9D9W",
    "公众平台 cookie": "slave_sid=ZkRBc0xHd3pQbWx1Y0hPbmZq",
    "webhook url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec25afa5aaa",
}
NAMES = ["county.wechat", "weibo_main", "gh-office.2024", "xihe_wechat_app", "wecom"]


@pytest.mark.parametrize("name", NAMES)
def test_credential_names_are_not_secrets(name: str) -> None:
    assert not looks_like_secret(name)


def test_pasted_credentials_are_refused_without_being_quoted(db_url: str, tmp_path: Path) -> None:
    header, rows = ledger_rows()
    col = header.index("凭据")
    body = []
    for i, value in enumerate(PASTED.values()):
        row = list(rows[i % len(rows)])
        row[col] = value
        body.append(row)
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([header, *body])
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(buf.getvalue(), encoding="utf-8")

    def gm(*args: str, code: int | None = 0) -> str:
        result = CliRunner().invoke(main, ["--db", db_url, *args])
        assert "Traceback" not in result.output
        if code is not None:
            assert result.exit_code == code, result.output
        return result.output

    out = gm("accounts", "import", str(ledger), code=2)
    assert out.count("【凭据】") == len(PASTED), out
    gm("accounts", "import", str(Path(__file__).parents[2] / "registry" / "data" / "sample-ledger.csv"))
    ref = "weibo:5158275984"
    for value in PASTED.values():
        out = gm("accounts", "set", ref, "--credential", value, code=2)
        assert "凭据" in out
    outputs = [out, gm("accounts", "show", ref), gm("doctor", code=None),
               gm("accounts", "export", str(tmp_path / "x.csv")), (tmp_path / "x.csv").read_text("utf-8-sig")]

    async def rows_now() -> str:
        async with database(db_url):
            return repr(await dump_tables())

    dumped = asyncio.run(rows_now())
    for name, value in PASTED.items():
        for text in [*outputs, dumped]:
            assert value not in text and value[:16] not in text, name

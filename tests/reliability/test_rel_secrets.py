"""Secrets are never stored, printed or logged: every command (and its failures) at -v, then a search of
the output, every log record, every database row, every file written and every exception text.

The secrets are the sandbox county's real ones (AppSecrets, the Weibo OAuth token, the WeCom app secret,
a robot webhook key, the m.weibo.cn cookie) plus the callback token and aes_key, and the access tokens
the platforms hand out while the commands run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import traceback
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from relkit import dump_tables, write_config, write_ledger, write_secrets

from cli import main
from registry.config.credentials import SecretsError, load_secrets
from registry.db.lifecycle import database
from sandbox.county import OFFICE_USER, demo_secrets
from sandbox.faults import Fault
from sandbox.server import RunningSandbox, running_sandbox

# One account per collection method, and one that always fails (40164).
UIDS = ["gh_d29d035cc6d5", "gh_9675561d6064", "5718301790", "5875436040", "5581726316", "hutuowenlv"]
CALLBACK_TOKEN = "CbTokenZ9q8w7e6r5t4y3"
CALLBACK_AES = "AesKeyQ1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l"


def _credentials(sb: RunningSandbox) -> dict[str, dict[str, str]]:
    county = sb.county
    creds = {name: dict(values) for name, values in demo_secrets(county).items()}
    creds["wecom_app"] = {"secret": county.wecom.corp_secret, "token": CALLBACK_TOKEN, "aes_key": CALLBACK_AES}
    creds["office_robot"] = {"webhook_key": county.wecom.robot_keys["office"]}
    creds["wb_cookie"] = {"cookie": f"SUB={county.weibo_cookie}"}
    return creds


def _runtime_tokens(sb: RunningSandbox) -> set[str]:
    """Access tokens the sandbox handed out (WeChat and WeCom): secrets too, though not in the file."""
    found: set[str] = set()
    for route in _routes(sb.app.routes):
        api = getattr(getattr(route, "endpoint", None), "__self__", None)
        tokens = getattr(api, "_tokens", None)
        if isinstance(tokens, dict):
            found.update(str(k) for k in tokens)
    return found


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        yield route
        yield from _routes(getattr(route, "routes", []) or [])


def _file_texts(root: Path, skip: set[Path]) -> Iterator[tuple[Path, str]]:
    """Every file under root (zip members of xlsx/docx unpacked), as text."""
    for path in root.rglob("*"):
        if not path.is_file() or path in skip or path.suffix in (".db", ".db-wal", ".db-shm", ".lock"):
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for member in z.namelist():
                    yield path / member, z.read(member).decode("utf-8", "replace")
        else:
            yield path, data.decode("utf-8", "replace")


def _dump(db_url: str) -> dict[str, list[dict[str, Any]]]:
    async def rows() -> dict[str, list[dict[str, Any]]]:
        async with database(db_url):
            return await dump_tables()

    return asyncio.run(rows())


class Session:
    """Runs CLI commands in-process and keeps everything they said."""

    def __init__(self, cfg: Path, caplog: pytest.LogCaptureFixture) -> None:
        self.cfg, self.caplog = cfg, caplog
        self.runner = CliRunner()
        self.texts: list[str] = []

    def __call__(self, *args: str, code: int | None = 0) -> Result:
        result = self.runner.invoke(main, ["--config", str(self.cfg), "-v", *args])
        self.texts.append(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.texts.append("".join(traceback.format_exception(result.exception)))
        if code is not None:
            assert result.exit_code == code, f"{args}: {result.exit_code}\n{result.output}\n{self.texts[-1]}"
        return result


def test_no_secret_in_any_output_log_row_file_or_exception(db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)  # all of it: -v shows INFO, -vv DEBUG
    monkeypatch.chdir(tmp_path)
    with running_sandbox(seed=7) as sb:
        creds = _credentials(sb)
        base = sb.base_url
        cfg = write_config(tmp_path, db_url, base, **{
            "county.name": "滹沱县", "wecom.corp_id": sb.county.wecom.corp_id, "wecom.agent_id": sb.county.wecom.agent_id,
            "wecom.credential": "wecom_app", "notify.office_users": [OFFICE_USER], "notify.quiet_hours": "",
            "notify.working_days_only": False, "notify.office_robot": "office_robot", "platforms.weibo.max_pages": 2})
        secrets_file = write_secrets(tmp_path / "secrets.toml", creds)
        ledger = write_ledger(tmp_path / "ledger.csv", UIDS)
        ledger.write_text(ledger.read_text(encoding="utf-8").replace(",weibo_public,,", ",weibo_public,wb_cookie,"),
                          encoding="utf-8")
        gm = Session(cfg, caplog)

        # the happy path, every command group
        gm("doctor")
        gm("accounts", "import", str(ledger), "--dry-run")
        gm("accounts", "import", str(ledger))
        gm("collect")
        gm("collect", "status")
        gm("collect", "status", "--format", "json")
        gm("check")
        gm("findings")
        gm("findings", "--format", "json")
        gm("findings", "--format", "csv", "--out", "findings.csv")
        gm("notify", "--dry-run")
        gm("notify")
        gm("notify", "log")
        gm("run", "--once")
        after_happy_path = _dump(db_url)
        assert after_happy_path["token_cache"], "the tokens are cached (sealed): the search below must see them"
        gm("accounts", "list", "--format", "xlsx", "--out", "accounts.xlsx")
        gm("accounts", "export", "ledger-export.xlsx")
        gm("accounts", "export", "ledger-export.csv")
        gm("accounts", "show", "wechat:gh_d29d035cc6d5")
        gm("accounts", "history", "wechat:gh_d29d035cc6d5")
        gm("accounts", "add", "--platform", "wechat", "--uid", "gh_00000000abcd", "--name", "新号", "--unit", "新单位",
           "--credential", "county_wx")
        gm("accounts", "set", "wechat:gh_00000000abcd", "--status", "整改中", "--reason", "测试")
        gm("accounts", "retire", "wechat:gh_00000000abcd", "--reason", "测试")
        gm("units", "list")
        gm("units", "add", "测试单位", "--kind", "其他")
        gm("contacts", "list")
        gm("contacts", "add", "--unit", "测试单位", "--name", "王五", "--role", "运维人员", "--wecom", "wangwu")
        gm("contacts", "confirm", "1")
        gm("rules", "list")
        gm("review", "list", "--state", "all")
        gm("silence", "add", "--account", "wechat:gh_d29d035cc6d5", "--until", "2099-12-31", "--reason", "改版")
        gm("silence", "list", "--all")
        gm("silence", "approve", "1")
        gm("silence", "expire", "1")
        gm("report", "activity")
        gm("report", "matrix")
        gm("report", "monthly", "--month", "2026-10", "--out", "reports")
        gm("sandbox", "messages", "--url", base)
        reviews = gm("review", "list", "--format", "json").output
        if '"id"' in reviews:
            gm("review", "show", "wechat:gh_9675561d6064", code=None)
            gm("review", "dossier", "wechat:gh_9675561d6064", "--out", "dossier.html", code=None)

        # failures: 40001 on every call, the sandbox down, wrong credential names, a broken and an open secrets file
        sb.sandbox.faults.replace([Fault("errcode", platform="wechat", code=40001),
                                   Fault("errcode", platform="wecom", code=40001)])
        gm("collect", code=None)
        gm("notify", code=None)
        sb.sandbox.faults.replace([])
        gm("accounts", "set", "wechat:gh_d29d035cc6d5", "--credential", "no_such_credential", "--reason", "测试")
        gm("collect", "--account", "wechat:gh_d29d035cc6d5", code=None)
        gm("accounts", "set", "wechat:gh_d29d035cc6d5", "--credential", creds["county_wx"]["secret"], code=2)
        gm("--lang", "en", "collect", "--account", "wechat:gh_d29d035cc6d5", code=None)
        tokens = _runtime_tokens(sb)
    down = write_config(tmp_path / "down", db_url, "http://127.0.0.1:9", **{
        "secrets.file": str(secrets_file), "wecom.corp_id": "ww0", "wecom.credential": "wecom_app", "wecom.agent_id": 1,
        "notify.office_users": [OFFICE_USER], "notify.quiet_hours": "", "notify.working_days_only": False})
    gm_down = Session(down, caplog)
    gm_down("collect", code=None)
    gm_down("notify", code=None)
    gm_down("doctor")
    wrong = write_config(tmp_path / "wrong", db_url, "http://127.0.0.1:9", **{
        "secrets.file": str(secrets_file), "wecom.corp_id": "ww0", "wecom.credential": "not_there"})
    gm_wrong = Session(wrong, caplog)
    gm_wrong("notify", code=None)
    gm_wrong("bot", "serve", code=None)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "secrets.toml").write_text(f'[credentials.x]\nsecret = "{creds["county_wx"]["secret"]}\n', encoding="utf-8")
    os.chmod(broken / "secrets.toml", 0o600)
    gm_broken = Session(write_config(broken, db_url, "http://127.0.0.1:9"), caplog)
    gm_broken("collect", code=2)
    os.chmod(secrets_file, 0o644)
    gm("collect", code=2)
    gm("notify", code=2)
    os.chmod(secrets_file, 0o600)

    # (an AppID names an app, it is no secret: it may be stored, as in the token cache key)
    secrets = {v for c in creds.values() for k, v in c.items() if k != "appid"} | tokens
    assert len(tokens) >= 2  # the commands did get access tokens (so their absence below means something)
    leaks: list[str] = []
    for text in gm.texts + gm_down.texts + gm_wrong.texts + gm_broken.texts:
        leaks += [f"output: …{text[max(0, text.find(s) - 60):text.find(s)]}" for s in secrets if s in text]
    for record in caplog.records:
        message = record.getMessage() + (record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            message += "".join(traceback.format_exception(record.exc_info[1]))
        leaks += [f"log {record.name}: {message[:200]}" for s in secrets if s in message]

    db_text = repr([after_happy_path, _dump(db_url)])
    leaks += [f"database: …{db_text[max(0, db_text.find(s) - 80):db_text.find(s)]}" for s in secrets if s in db_text]
    for path, text in _file_texts(tmp_path, skip={secrets_file, broken / "secrets.toml"}):
        leaks += [f"file {path.relative_to(tmp_path)}" for s in secrets if s in text]
    assert not leaks, "\n".join(sorted(set(leaks)))


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o666, 0o700 | 0o070])
def test_a_secrets_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_secrets(tmp_path / "secrets.toml", {"x": {"secret": "TopSecretValue123456"}}, mode=mode)
    with pytest.raises(SecretsError) as refused:
        load_secrets(path)
    assert "chmod 600" in str(refused.value) and "TopSecretValue123456" not in str(refused.value)


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_private_secrets_file_is_read(tmp_path: Path, mode: int) -> None:
    path = write_secrets(tmp_path / "secrets.toml", {"x": {"secret": "TopSecretValue123456"}}, mode=mode)
    secrets = load_secrets(path)
    assert secrets.get("x") is not None and "TopSecretValue123456" not in repr(secrets)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_broken_secrets_files_are_refused_without_quoting_them(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    for text in ('[credentials.x]\nsecret = "TopSecretValue123456\n', '[credentials.x]\nsecret = TopSecretValue123456\n',
                 '[credentials.x]\npassword = "TopSecretValue123456"\n', 'credentials = "TopSecretValue123456"\n',
                 b"\xff\xfeTopSecretValue123456".decode("latin-1")):
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o600)
        with pytest.raises(SecretsError) as refused:
            load_secrets(path)
        assert "TopSecretValue123456" not in str(refused.value), text


def test_doctor_warns_when_the_config_file_holds_a_secret(db_url: str, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, db_url, "http://127.0.0.1:9")
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('[wecom]\n', '[wecom]\nsecret = "WeComSecretInTheConfig1234"\n', 1)
    text = text.replace('[platforms.weibo]\n', '[platforms.weibo]\naccess_token = "2.00WeiboTokenInConfig9876"\n', 1)
    cfg.write_text(text, encoding="utf-8")
    clean = CliRunner().invoke(main, ["--config", str(write_config(tmp_path / "clean", db_url, "http://127.0.0.1:9")),
                                      "doctor"])
    assert clean.exit_code == 0 and "密钥" not in clean.output.split("密钥文件")[0]
    result = CliRunner().invoke(main, ["--config", str(cfg), "doctor"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "配置文件中似乎写有密钥" in line]
    assert len(warnings) == 2 and all(line.startswith("✗") for line in warnings), result.output
    assert "WeComSecretInTheConfig1234" not in result.output and "2.00WeiboTokenInConfig9876" not in result.output

"""Config loading, environment overrides, and the secrets file's permission check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from registry.config.credentials import SecretsError, load_secrets, scrub
from registry.config.settings import ConfigError, load, write_default


def test_defaults_and_file_and_env(tmp_path: Path) -> None:
    cfg = tmp_path / "govmedia.toml"
    write_default(cfg)
    s = load(cfg, environ={})
    assert s.get("platforms.wechat.api_base") == "https://api.weixin.qq.com"
    assert s.database_url == "sqlite://" + str(tmp_path / "govmedia.db")
    cfg.write_text('[platforms.weibo]\nmobile_base = "http://127.0.0.1:9/"\n[wecom]\nagent_id = 5\nbogus = 1\n', encoding="utf-8")
    s = load(cfg, environ={"GOVMEDIA_DATABASE_URL": "postgres://u@h/db", "GOVMEDIA_WECOM_AGENT_ID": "1000002"})
    assert s.get("platforms.weibo.mobile_base") == "http://127.0.0.1:9/"
    assert s.get("platforms.weibo.api_base") == "https://api.weibo.com"
    assert s.database_url == "postgres://u@h/db"
    assert s.get("wecom.agent_id") == 1000002
    assert s.unknown_keys == ["wecom.bogus"]
    with pytest.raises(ConfigError, match="GOVMEDIA_WECOM_AGENT_ID"):
        load(cfg, environ={"GOVMEDIA_WECOM_AGENT_ID": "abc"})
    cfg.write_text("[database\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        load(cfg, environ={})


def test_secrets_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[credentials.county_wx]\nappid = "wx0001"\nsecret = "s3cr3t-value-123"\n', encoding="utf-8")
    os.chmod(path, 0o644)
    with pytest.raises(SecretsError, match="chmod 600"):
        load_secrets(path)
    os.chmod(path, 0o600)
    secrets = load_secrets(path)
    cred = secrets.get("county_wx")
    assert cred is not None and cred.get("secret") == "s3cr3t-value-123"
    assert "s3cr3t" not in repr(cred) and "s3cr3t" not in repr(secrets)
    assert scrub("token s3cr3t-value-123 failed", secrets) == "token *** failed"


def test_broken_secrets_file_error_does_not_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[credentials.x]\nsecret = "abcdefgh12345\n', encoding="utf-8")
    os.chmod(path, 0o600)
    with pytest.raises(SecretsError) as info:
        load_secrets(path)
    assert "abcdefgh" not in str(info.value)

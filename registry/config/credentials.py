"""The secrets file: ``[credentials.NAME]`` tables of appid/secret, access_token, cookie, keys.

Secrets never enter the database, logs, errors or reports: the registry stores only a credential's
name, values are read from this file at the moment of use, and `Credential` hides them in its repr.
The file is refused when group or others can read it.
"""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from registry.config.i18n import tr

#: Fields a credential table may carry.
FIELDS = ("appid", "secret", "access_token", "cookie", "token", "aes_key", "webhook_key")


class SecretsError(Exception):
    """The secrets file is missing, unsafe or malformed."""


@dataclass(frozen=True)
class Credential:
    """One named credential. Its repr never shows the values."""

    name: str
    values: dict[str, str] = field(repr=False)

    def get(self, key: str) -> str:
        """The value of one field, or an empty string."""
        return self.values.get(key, "")

    def __repr__(self) -> str:
        return f"Credential(name={self.name!r}, fields={sorted(self.values)})"


@dataclass(frozen=True)
class Secrets:
    """All credentials of the secrets file."""

    path: Path | None
    credentials: dict[str, Credential] = field(repr=False)

    def get(self, name: str) -> Credential | None:
        """The credential of that name, or None."""
        return self.credentials.get(name)

    def values(self) -> list[str]:
        """Every secret value (used to scrub text before it is shown or stored)."""
        return [v for c in self.credentials.values() for v in c.values.values() if v]


def check_permissions(path: Path) -> None:
    """Raise when the file is readable or writable by group or others."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsError(
            f"secrets file {path} is readable by other users (mode {stat.filemode(mode)}); "
            f"fix it with: chmod 600 {path}"
        )


def load_secrets(path: Path) -> Secrets:
    """Read the secrets file; an absent file is an empty set of credentials."""
    if not path.exists():
        return Secrets(path=None, credentials={})
    if path.is_dir():
        raise SecretsError(tr(f"密钥文件 {path} 是一个文件夹，应为 TOML 文件", f"secrets file {path} is a folder, not a TOML file"))
    try:
        check_permissions(path)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SecretsError(tr(f"无法读取密钥文件 {path}（{exc.strerror or type(exc).__name__}）：请检查文件的所有者和权限",
                              f"cannot read secrets file {path} ({exc.strerror or type(exc).__name__}): check its owner and mode")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # The parser's message may quote a line of the file, which may hold a secret: drop it.
        line = getattr(exc, "lineno", None)
        where = f" near line {line}" if line else ""
        raise SecretsError(f"secrets file {path} is not valid TOML{where}") from None
    table = data.get("credentials", {})
    if not isinstance(table, dict):
        raise SecretsError(f"secrets file {path}: [credentials] must be a table")
    creds: dict[str, Credential] = {}
    for name, entry in table.items():
        if not isinstance(entry, dict):
            raise SecretsError(f"secrets file {path}: credentials.{name} must be a table")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise SecretsError(f"secrets file {path}: credentials.{name} has unknown fields {unknown}")
        creds[name] = Credential(name=name, values={k: str(v) for k, v in entry.items()})
    return Secrets(path=path, credentials=creds)


#: Shapes of the credentials in platform-apis.md (a name in the secrets file never looks like these).
SECRET_SHAPES = (
    re.compile(r"2\.00[A-Za-z0-9_.\-]{8,}"),  # Weibo OAuth access token, dots included
    re.compile(r"[A-Za-z0-9]{43}"),  # EncodingAESKey (WeChat / WeCom callback)
    re.compile(r"[0-9a-fA-F]{32}"),  # WeChat AppSecret, Weibo App Secret
    re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),  # robot webhook key
    re.compile(r"[A-Za-z0-9+/=_\-]{24,}"),  # access tokens, WeCom corpsecret (with a digit, see below)
    re.compile(r".*https?://.*[?&](key|access_token|corpsecret|secret)=.*", re.I),  # a URL carrying one
)
_COOKIE = re.compile(r"(^|[;\s])[A-Za-z_][A-Za-z0-9_\-]*=[^;\s]{4,}")


def looks_like_secret(value: str) -> bool:
    """Whether a value (meant to be a credential *name*) has the shape of a secret itself."""
    value = value.strip()
    if _COOKIE.search(value) or ";" in value:  # SUB=...; SUBP=... (m.weibo.cn), slave_sid=... (公众平台)
        return True
    for shape in SECRET_SHAPES:
        if shape.fullmatch(value):
            return shape.pattern != SECRET_SHAPES[4].pattern or any(ch.isdigit() for ch in value)
    return False


def scrub(text: str, secrets: Secrets | list[str]) -> str:
    """Replace every secret value occurring in text with ``***``."""
    values = secrets.values() if isinstance(secrets, Secrets) else secrets
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text

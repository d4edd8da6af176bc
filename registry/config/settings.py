"""Configuration: one TOML file, overridable by ``GOVMEDIA_*`` environment variables.

The table in `registry/config/defaults.py` is the single source of the keys, their defaults and their
comments: `govmedia init` writes the default file made from it (Chinese comments by default,
`DEFAULT_CONFIG_ZH`; English with --lang en), and loading takes the defaults from it. The keys are a
contract other tools rely on.
Every leaf key ``[a.b] c`` can be overridden by the environment variable ``GOVMEDIA_A_B_C``.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.config.defaults import render, values
from registry.config.i18n import tr
from registry.config.validation import lane_problems, problems

# The commented default files, made from the one table of keys in registry/config/defaults.py.
DEFAULT_CONFIG = render("en")
DEFAULT_CONFIG_ZH = render("zh")

ENV_PREFIX = "GOVMEDIA_"


class ConfigError(Exception):
    """The configuration could not be read or is invalid."""


def default_values() -> dict[str, Any]:
    """The defaults, from the table of keys (a fresh copy the caller may change)."""
    return copy.deepcopy(values())


def _leaves(tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.extend(_leaves(value, (*prefix, key)))
        else:
            out.append(((*prefix, key), value))
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


def _coerce(raw: str, like: Any, name: str) -> Any:
    if isinstance(like, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(tr(f"环境变量 {name} 应为 true 或 false", f"{name}: expected true or false, got {raw[:40]!r}"))
    if isinstance(like, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(tr(f"环境变量 {name} 应为整数", f"{name}: expected a whole number, got {raw[:40]!r}")) from None
    if isinstance(like, list):
        # A TOML array (["a", "b"]) or a comma-separated list.
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
            if isinstance(value, list):
                return value
        except tomllib.TOMLDecodeError:
            pass
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(like, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(tr(f"环境变量 {name} 应为数字", f"{name}: expected a number, got {raw[:40]!r}")) from None
    return raw


def env_name(path: tuple[str, ...]) -> str:
    """The environment variable that overrides a key path."""
    return ENV_PREFIX + "_".join(path).upper()


@dataclass
class Settings:
    """Loaded configuration: merged defaults, file and environment."""

    data: dict[str, Any]
    path: Path | None = None
    unknown_keys: list[str] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths in the config are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    def get(self, dotted: str, default: Any = None) -> Any:
        """Value at a dotted key path such as ``platforms.wechat.api_base``."""
        node: Any = self.data
        for key in dotted.split("."):
            if not isinstance(node, Mapping) or key not in node:
                return default
            node = node[key]
        return node

    def section(self, dotted: str) -> dict[str, Any]:
        """A table as a dict (empty when absent)."""
        value = self.get(dotted, {})
        return dict(value) if isinstance(value, Mapping) else {}

    @property
    def database_url(self) -> str:
        """The database URL, with a relative SQLite path resolved against the config directory."""
        url = str(self.get("database.url"))
        if url.startswith("sqlite://") and url != "sqlite://:memory:":
            p = Path(url.removeprefix("sqlite://")).expanduser()
            if not p.is_absolute():
                p = self.base_dir / p
            return "sqlite://" + str(p)
        return url

    @property
    def secrets_path(self) -> Path:
        """The secrets file path."""
        p = Path(str(self.get("secrets.file"))).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def locate(explicit: str | None) -> Path | None:
    """Find the config file: explicit path, then $GOVMEDIA_CONFIG, then ./govmedia.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("GOVMEDIA_CONFIG")
    if env:
        return Path(env)
    local = Path("govmedia.toml")
    return local if local.exists() else None


def load(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load settings from a file (or defaults when None) and the environment."""
    environ = os.environ if environ is None else environ
    defaults = default_values()
    data = defaults
    unknown: list[str] = []
    if path is not None:
        if not path.exists():
            raise ConfigError(tr(f"找不到配置文件：{path}（可用 `govmedia init` 创建）",
                                 f"config file not found: {path} (create one with `govmedia init`)"))
        try:
            from_file = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(tr(f"配置文件 {path} 不是有效的 TOML：{exc}", f"config file {path} is not valid TOML: {exc}")) from None
        except OSError as exc:
            raise ConfigError(tr(f"无法读取配置文件 {path}（{exc.strerror or exc}）",
                                 f"cannot read config file {path} ({exc.strerror or exc})")) from None
        known = {p for p, _ in _leaves(defaults)}
        known_tables = {p[0] for p in known}
        for p, _ in _leaves(from_file):
            # Tables we do not describe in the default file (rules, notify, ...) are owned by
            # later stages; only flag unknown keys inside the sections we own.
            if p[0] in known_tables and p not in known and p[0] != "platforms":
                unknown.append(".".join(p))
        data = _merge(defaults, from_file)
        path = path.resolve()
    from_env: dict[str, str] = {}
    for p, value in _leaves(defaults):
        name = env_name(p)
        if name in environ:
            _set(data, p, _coerce(environ[name], value, name))
            from_env[".".join(p)] = name
    wrong = problems(data, _leaves(defaults)) + lane_problems(data)
    if wrong:
        lines = []
        for key, why in wrong:
            where = tr(f"环境变量 {from_env[key]}", f"environment variable {from_env[key]}") if key in from_env else (
                tr(f"配置文件 {path}", f"config file {path}") if path else tr("默认配置", "the defaults"))
            lines.append(f"{key}（{where}）：{why}")
        raise ConfigError(tr("配置有误：\n  ", "invalid configuration:\n  ") + "\n  ".join(lines))
    return Settings(data=data, path=path, unknown_keys=unknown)


def default_text(lang: str) -> str:
    """The commented default config in a language: Chinese comments (zh) or English (en); same keys."""
    return DEFAULT_CONFIG if lang == "en" else DEFAULT_CONFIG_ZH


def write_default(path: Path, *, database_url: str | None = None,
                  overrides: Mapping[str, Any] | None = None) -> None:
    """Write the commented default config, with some keys (dotted paths) set to other values."""
    import tomli_w

    from registry.config.i18n import get_lang

    values = dict(overrides or {})
    if database_url:
        values["database.url"] = database_url
    lines, section = [], ""
    for line in default_text(get_lang()).splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        elif "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip()
            dotted = f"{section}.{key}"
            if dotted in values:
                line = tomli_w.dumps({key: values.pop(dotted)}).strip()
        lines.append(line)
    if values:
        raise ConfigError(f"unknown config keys: {', '.join(sorted(values))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

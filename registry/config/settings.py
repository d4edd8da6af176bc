"""Configuration: one TOML file, overridable by ``GOVMEDIA_*`` environment variables.

The commented default file below is the single source of the keys and their defaults: `govmedia init`
writes it (with Chinese comments by default, `DEFAULT_CONFIG_ZH`; English with --lang en), and loading
parses the English one for the defaults (a test keeps both files' keys and values equal). The keys in it are a contract other tools rely on.
Every leaf key ``[a.b] c`` can be overridden by the environment variable ``GOVMEDIA_A_B_C``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.config.i18n import tr
from registry.config.validation import problems

DEFAULT_CONFIG = """\
# govmedia configuration. Every key is shown with its default value.
# Environment variables override keys: [database] url -> GOVMEDIA_DATABASE_URL,
# [platforms.wechat] api_base -> GOVMEDIA_PLATFORMS_WECHAT_API_BASE, and so on.
# Secrets (AppSecrets, tokens, webhook keys) never go here: they live in the secrets file.

[database]
# SQLite file (relative to this file) or PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/govmedia
url = "sqlite://govmedia.db"

[county]
# Name of the county shown in reports and messages.
name = ""
# Time zone of the county calendar; day counts and report months use it.
timezone = "Asia/Shanghai"

[platforms.wechat]
# WeChat official account API base URL (a proxy, gateway or the sandbox may stand here).
api_base = "https://api.weixin.qq.com"

[platforms.weibo]
# Weibo open API base URL.
api_base = "https://api.weibo.com"
# m.weibo.cn base URL used by the weibo_public collector.
mobile_base = "https://m.weibo.cn"
# Pacing of the weibo_public lane (m.weibo.cn bans fast callers): minimum seconds between two of its
# requests, plus up to `jitter` random seconds. Only that lane waits: other sources on the same host
# (a gateway, a proxy, the sandbox) are not slowed. Held across `run --worker` processes on PostgreSQL.
min_interval = 3.0
jitter = 2.0
# Pages of posts read per account and pass at most.
max_pages = 10
# Secrets-file credential whose `cookie` reads comments on m.weibo.cn (comments/hotflow needs a login)
# for accounts without a credential of their own; absent from the secrets file = comments not read.
cookie_credential = "weibo_cookie"

[platforms.feed]
# Base URL that relative feed addresses (订阅地址 starting with "/") are joined to, e.g. your RSSHub.
base_url = ""

[collect]
# Days of history fetched the first time an account is collected (>= 90 so a 僵尸号 can be recognised).
backfill_days = 92
# Accounts collected at the same time.
concurrency = 8
# Requests in flight per lane at the same time, in each process. Every source has its own lane whatever
# host it calls (the key keeps its old name); the paced weibo_public lane goes one by one.
per_host_concurrency = 4
# Seconds before an HTTP call times out.
timeout = 20.0
# Attempts per call for transient failures (network errors, HTTP 5xx, WeChat -1); others never retry.
retries = 3
# Minutes a worker holds an account's lease; a crashed worker's accounts free up after this.
lease_minutes = 15.0
# Minutes between collection passes of `govmedia run`.
interval_minutes = 60
# Accounts 10+ days without a post (nearing the 14-day veto) are polled this often instead.
urgent_interval_minutes = 15
# Comments and the account's answers are read for posts published within this many days (0 = never).
response_window_days = 30
# Comment threads read per account and cycle at most (new posts first, then those still unanswered).
response_posts_per_cycle = 10

# Any lane (wechat_api, weibo_api, weibo_public, feed) may be tuned in a table of its own; these keys
# win over the ones above. For example:
# [lanes.weibo_api]
# min_interval = 0.0       # seconds between two calls on the lane (across workers on PostgreSQL)
# jitter = 0.0             # plus up to this many random seconds
# concurrency = 4          # calls in flight per process
# per_credential = false   # true: one lane per credential (per-account quotas)

[wecom]
# WeCom (企业微信) API base URL.
api_base = "https://qyapi.weixin.qq.com"
# Corp ID of the county's WeCom (not a secret).
corp_id = ""
# Agent ID of the self-built app that sends warnings.
agent_id = 0
# Name of the secrets-file credential holding the app secret (and callback token and aes_key).
credential = ""

[notify]
# wecom_app (when [wecom] corp_id and credential are set) or console (print only). Empty = automatic.
channel = ""
# WeCom userids of the county office (政务公开办) staff: they get escalations, data gaps and ledger problems.
office_users = []
# Days a finding stays open before the unit head (负责人), then the county office, hear of it too.
escalate_head_days = 3
escalate_office_days = 7
# No messages in these hours (held until the next window); "" = none.
quiet_hours = "18:00-08:30"
# Hold messages on weekends and public holidays.
working_days_only = true
# Let veto-level (单项否决) warnings through quiet hours.
veto_bypass_quiet = false
# Hours before an unchanged set of problems is sent again as a reminder.
repeat_hours = 24
# Message type of WeCom app messages: text (shows in personal WeChat too) or markdown.
msgtype = "text"
# Secrets-file credential (webhook_key) of the county office's group robot; "" = none.
office_robot = ""

[reports]
# Where `govmedia run` writes the monthly review (relative to this file).
out_dir = "reports"
# Time of day (county time) on the first working day of each month at which `govmedia run` writes
# last month's review and sends the county office a short WeCom summary.
monthly_time = "09:00"

[content]
# Content safety (错敏 and privacy checks, docs/content.md). The county's own lexicon files, relative
# to this file: TOML ([[entry]] term/suggestion/severity) or one term a line (term<TAB>suggestion<TAB>severity).
# govmedia ships outdated official names and a starter list of misspellings; no sensitive-word list.
lexicons = []
# The units' own published phone numbers, never reported as an individual's mobile number (drafts and
# published posts alike). The ledger's head/operator phones are people's numbers, never hotlines.
hotlines = []
# Severity of a personal mobile number found in a text: severe | warning | notice. In `content check` an ID
# or bank card number is always severe (exit 1).
privacy_severity = "warning"
# The county's leaders files (its own and its superiors' leaders, with titles and dates; docs/content.md):
# a near miss of a listed name is severe, a title not held on the text's date a warning.
leaders = []

[secrets]
# Secrets file (TOML, [credentials.NAME] tables); must not be readable by group or others.
file = "secrets.toml"
"""

DEFAULT_CONFIG_ZH = """\
# govmedia 配置文件。每一项都写出了默认值。
# 环境变量可覆盖任一项：[database] url -> GOVMEDIA_DATABASE_URL，
# [platforms.wechat] api_base -> GOVMEDIA_PLATFORMS_WECHAT_API_BASE，依此类推。
# 密钥（AppSecret、令牌、Webhook key、Cookie）绝不写在这里：它们只放在密钥文件中。

[database]
# SQLite 文件（相对本文件）或 PostgreSQL 地址，例如 postgres://user@127.0.0.1:5432/govmedia
url = "sqlite://govmedia.db"

[county]
# 本县名称，显示在报告和消息中（例如 "深泽县"）。
name = ""
# 本县日历所用的时区；天数计算和报告月份以它为准。
timezone = "Asia/Shanghai"

[platforms.wechat]
# 微信公众号接口地址（可换成代理、网关或模拟平台）。
api_base = "https://api.weixin.qq.com"

[platforms.weibo]
# 微博开放平台接口地址。
api_base = "https://api.weibo.com"
# weibo_public 采集方式使用的 m.weibo.cn 地址。
mobile_base = "https://m.weibo.cn"
# weibo_public 通道的节奏（m.weibo.cn 会封禁过快的访问）：两次请求之间至少间隔的秒数，
# 另加至多 jitter 秒的随机等待。只有这个通道等待：同一主机上的其他来源（网关、代理、模拟平台）
# 不受影响。在 PostgreSQL 上多个 `run --worker` 进程共同遵守。
min_interval = 3.0
jitter = 2.0
# 每个账号每轮最多读取的微博页数。
max_pages = 10
# 密钥文件中用于在 m.weibo.cn 读取评论（comments/hotflow 需要登录）的凭据名，其 cookie
# 供没有自己凭据的账号使用；密钥文件里没有它 = 不读取评论（回复情况记为未知）。
cookie_credential = "weibo_cookie"

[platforms.feed]
# 以 "/" 开头的相对订阅地址拼接到这个地址后面，例如县里自建的 RSSHub 或 we-mp-rss。
base_url = ""

[collect]
# 账号第一次采集时回溯的天数（至少 90，才能认出僵尸号）。
backfill_days = 92
# 同时采集的账号数。
concurrency = 8
# 每个进程中每个通道同时进行的请求数。每个来源都有自己的通道，不论它访问哪个主机（名称沿用旧名）；
# 有节奏限制的 weibo_public 通道逐个进行。
per_host_concurrency = 4
# HTTP 请求超时秒数。
timeout = 20.0
# 临时故障（网络错误、HTTP 5xx、微信 -1）的尝试次数；其他错误从不重试。
retries = 3
# 工作进程持有账号租约的分钟数；进程崩溃后，其账号在这段时间后释放。
lease_minutes = 15.0
# `govmedia run` 两轮采集之间的分钟数。
interval_minutes = 60
# 10 天以上未更新（临近 14 天单项否决）的账号改按这个间隔采集。
urgent_interval_minutes = 15
# 读取这么多天内发布的文章的评论及账号回复（0 = 不读取）。
response_window_days = 30
# 每个账号每轮最多读取的评论串数（先新文章，再仍未回复的）。
response_posts_per_cycle = 10

# 每个通道（wechat_api、weibo_api、weibo_public、feed）都可以单独调整；这里的设置优先于上面的。
# 例如：
# [lanes.weibo_api]
# min_interval = 0.0       # 通道上两次调用之间的秒数（PostgreSQL 上跨进程生效）
# jitter = 0.0             # 另加至多这么多秒的随机等待
# concurrency = 4          # 每个进程同时进行的调用数
# per_credential = false   # true：每个凭据一个通道（按账号计配额时）

[wecom]
# 企业微信接口地址。
api_base = "https://qyapi.weixin.qq.com"
# 本县企业微信的企业ID（不是密钥）。
corp_id = ""
# 发送预警的自建应用的 AgentId。
agent_id = 0
# 密钥文件中保存应用 Secret（以及回调 Token 和 EncodingAESKey）的凭据名。
credential = ""

[notify]
# wecom_app（已设置 [wecom] corp_id 和 credential 时）或 console（只打印）。留空 = 自动选择。
channel = ""
# 县政务公开办工作人员的企业微信 userid：他们接收升级提醒、数据中断和台账问题。
office_users = []
# 问题持续未解决多少天后，依次告知单位负责人和县政务公开办。
escalate_head_days = 3
escalate_office_days = 7
# 这段时间内不发消息（留到下一个时段发送）；"" = 不限制。
quiet_hours = "18:00-08:30"
# 周末和法定节假日暂不发送。
working_days_only = true
# 单项否决级别的预警不受免打扰时段限制。
veto_bypass_quiet = false
# 问题没有变化时，隔多少小时再提醒一次。
repeat_hours = 24
# 企业微信应用消息类型：text（个人微信里也能显示）或 markdown。
msgtype = "text"
# 县政务公开办群机器人的凭据名（密钥文件中的 webhook_key）；"" = 不使用。
office_robot = ""

[reports]
# `govmedia run` 写月度报告的目录（相对本文件）。
out_dir = "reports"
# 每月第一个工作日的这个时间（本县时间），`govmedia run` 生成上月报告并给县政务公开办发送
# 企业微信摘要。
monthly_time = "09:00"

[content]
# 内容安全检查（错敏表述和隐私，见 docs/content.md）。本县自己的词表文件，相对本文件：
# TOML（[[entry]] term/suggestion/severity）或每行一个词（词<TAB>建议<TAB>级别）。
# govmedia 自带过时的规范名称和一份常见错别字；不带敏感词表。
lexicons = []
# 本单位公开的电话号码，不会被当作个人手机号报告。
hotlines = []
# 文本中发现个人手机号时的级别：severe | warning | notice。`content check` 中身份证号、银行卡号一律为
# severe（退出码 1）。
privacy_severity = "warning"
# 本县领导名单文件（本级及上级领导的姓名、职务和任职日期，格式见 docs/content.md）：姓名写错为严重，
# 职务与文章日期不符为一般。
leaders = []

[secrets]
# 密钥文件（TOML，[credentials.名称] 表）；同组用户和其他用户不得可读。
file = "secrets.toml"
"""

ENV_PREFIX = "GOVMEDIA_"


class ConfigError(Exception):
    """The configuration could not be read or is invalid."""


def default_values() -> dict[str, Any]:
    """The defaults, parsed from the commented default file."""
    return tomllib.loads(DEFAULT_CONFIG)


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
    wrong = problems(data, _leaves(defaults))
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

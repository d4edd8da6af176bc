"""`govmedia doctor`: check configuration, database, secrets and each account's collection settings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from registry.config.credentials import SecretsError, load_secrets
from registry.config.i18n import tr
from registry.config.settings import Settings
from registry.db.lifecycle import describe_url
from registry.db.models import Account
from registry.ledger import vocab
from registry.ledger.completeness import PENDING_UNIT

_SECRET_KEY = re.compile(r"(secret|token|password|passwd|aes_key|webhook_key|cookie)", re.IGNORECASE)


def _holds_secret(key: str, value: str) -> bool:
    """Whether ``key = value`` looks like a secret: a secret-sounding key with a text value. A switch or a
    number (``secure_cookies = false``), the name of a credential, or a file's path (``secret_key_file``) is
    not one."""
    key, value = key.strip(), value.strip()
    if not _SECRET_KEY.search(key) or "credential" in key or key.endswith("_file"):
        return False
    return value.lower() not in ("true", "false") and not re.fullmatch(r"[-+]?[0-9.]+", value)


@dataclass(frozen=True)
class Check:
    """One finding of the doctor: level ok / warn / error, and a plain-words message."""

    level: str
    message: str


def check_config(settings: Settings) -> list[Check]:
    """Config file presence, unknown keys, and secrets written into the config by mistake."""
    out: list[Check] = []
    if settings.path is None:
        out.append(Check("warn", tr("未找到配置文件，使用默认值（运行 govmedia init 生成）",
                                    "no config file found; using defaults (run `govmedia init`)")))
    else:
        out.append(Check("ok", tr(f"配置文件：{settings.path}", f"config file: {settings.path}")))
        text = settings.path.read_text(encoding="utf-8")
        for line in text.splitlines():
            stripped = line.split("#", 1)[0]
            if "=" in stripped and _holds_secret(*stripped.split("=", 1)):
                out.append(Check("error", tr(
                    f"配置文件中似乎写有密钥（{stripped.split('=', 1)[0].strip()}）：请移到密钥文件",
                    f"the config file seems to hold a secret ({stripped.split('=', 1)[0].strip()}): move it to the secrets file")))
    for key in settings.unknown_keys:
        out.append(Check("warn", tr(f"未知配置项：{key}", f"unknown config key: {key}")))
    return out


def check_secrets(settings: Settings) -> tuple[list[Check], set[str]]:
    """The secrets file: present, private, parseable; returns the credential names found."""
    path = settings.secrets_path
    if not path.exists():
        return [Check("warn", tr(f"密钥文件不存在：{path}（API 采集需要它）", f"secrets file missing: {path} (API collection needs it)"))], set()
    try:
        secrets = load_secrets(path)
    except SecretsError as exc:
        return [Check("error", str(exc))], set()
    names = set(secrets.credentials)
    return [Check("ok", tr(f"密钥文件：{path}（{len(names)} 个凭据）", f"secrets file: {path} ({len(names)} credentials)"))], names


async def check_accounts(credentials: set[str], settings: Settings,
                         needs: Mapping[str, Sequence[str]]) -> list[Check]:
    """Each active account's collection method has what it needs.

    ``needs`` maps each collected method to what its accounts must have ("credential", "feed_url"):
    the collectors' source registry, handed over by the composition root. Manual accounts need nothing.
    """
    out: list[Check] = []
    accounts = await Account.filter(status__in=[s.value for s in vocab.ACTIVE_STATUSES]).prefetch_related(
        "unit").order_by("id")
    problems = 0
    lacking: dict[str, int] = {}
    pending = [a for a in accounts if a.pending]
    for a in accounts:
        method = a.collect_method
        msg = ""
        wants = needs.get(method, ())
        if a.pending:  # never collected until its id (or unit) is known: not collectable, not a collection problem
            missing = pending_missing(a)
            for m in missing:
                lacking[m] = lacking.get(m, 0) + 1
            out.append(Check("warn", tr(f"{a.name}（{a.ref}）：待补全，缺{'、'.join(missing)}，暂不采集",
                                        f"{a.name} ({a.ref}): pending, missing {', '.join(missing)}; not collected")))
        elif method == vocab.CollectMethod.MANUAL.value:
            out.append(Check("ok", tr(f"{a.name}（{a.ref}）：手工报送", f"{a.name} ({a.ref}): manual submissions")))
        elif method not in needs:
            msg = tr(f"采集方式 {method} 没有对应的采集器", f"no collector for method {method}")
        elif "credential" in wants and not a.credential:
            msg = tr("未填写凭据", "no credential named")
        elif "credential" in wants and a.credential not in credentials:
            msg = tr(f"凭据 {a.credential} 不在密钥文件中", f"credential {a.credential} is not in the secrets file")
        elif "feed_url" in wants and not a.feed_url:
            msg = tr("未填写订阅地址", "no feed URL")
        elif "feed_url" in wants and a.feed_url.startswith("/") and not settings.get("platforms.feed.base_url"):
            msg = tr("订阅地址是相对路径，但未配置 [platforms.feed] base_url",
                     "relative feed path but [platforms.feed] base_url is not set")
        if msg:
            problems += 1
            out.append(Check("warn", f"{a.name} ({a.ref}): {msg}"))
    collectable = len(accounts) - len(pending)
    out.insert(0, Check("ok" if not problems else "warn",
                        tr(f"可采集账号 {collectable} 个，采集设置有问题的 {problems} 个",
                           f"{collectable} collectable accounts, {problems} with collection problems")))
    if pending:
        what = "、".join(f"缺{k} {n} 个" for k, n in lacking.items())
        what_en = ", ".join(f"{n} missing {k}" for k, n in lacking.items())
        out.insert(1, Check("warn", tr(
            f"待补全 {len(pending)} 个账号（不采集，不计入采集计划）：{what}；govmedia accounts resolve 可查找账号ID",
            f"{len(pending)} pending accounts (not collected, not in the polling plan): {what_en}; "
            "see govmedia accounts resolve")))
    return out


def pending_missing(account: Account) -> list[str]:
    """What keeps a pending account from being collected: 平台, 账号ID, 主办单位 (unit prefetched)."""
    missing = []
    if account.platform == vocab.Platform.OTHER.value and not account.uid:
        missing.append(tr("平台", "platform"))
    if not account.uid:
        missing.append(tr("账号ID", "account id"))
    if account.unit.name == PENDING_UNIT:
        missing.append(tr("主办单位", "owner unit"))
    return missing


@dataclass(frozen=True)
class Readiness:
    """How many active accounts of one collection method are ready, and what the others lack."""

    method: str
    accounts: int = 0
    ready: int = 0
    no_credential: int = 0
    credential_not_in_secrets: int = 0
    no_feed_url: int = 0
    no_collector: int = 0


def _lack(method: str, credential: str, feed_url: str, credentials: set[str], settings: Settings,
          needs: Mapping[str, Sequence[str]]) -> str:
    """What an account of ``method`` still lacks: "" when ready, else the Readiness field to count it in."""
    if method == vocab.CollectMethod.MANUAL.value:
        return ""
    if method not in needs:
        return "no_collector"
    wants = needs[method]
    if "credential" in wants and not credential:
        return "no_credential"
    if "credential" in wants and credential not in credentials:
        return "credential_not_in_secrets"
    if "feed_url" in wants and (not feed_url or (feed_url.startswith("/") and not settings.get("platforms.feed.base_url"))):
        return "no_feed_url"
    return ""


async def method_readiness(credentials: set[str], settings: Settings,
                           needs: Mapping[str, Sequence[str]]) -> list[Readiness]:
    """Per collection method (every collected one, then manual): active accounts ready or lacking something.

    ``needs`` is the collectors' source registry as data (`collectors.sources.method_needs`).
    """
    counts: dict[str, dict[str, int]] = {m: {} for m in [*needs, vocab.CollectMethod.MANUAL.value]}
    rows = await Account.filter(status__in=[s.value for s in vocab.ACTIVE_STATUSES], pending=False).values(
        "collect_method", "credential", "feed_url")
    for r in rows:
        method = r["collect_method"]
        lack = _lack(method, r["credential"] or "", r["feed_url"] or "", credentials, settings, needs) or "ready"
        bucket = counts.setdefault(method, {})
        bucket[lack] = bucket.get(lack, 0) + 1
        bucket["accounts"] = bucket.get("accounts", 0) + 1
    return [Readiness(method, **c) for method, c in counts.items()]


def check_weibo_cookie(credentials: set[str], settings: Settings, readiness: Sequence[Readiness]) -> Check | None:
    """Weibo accounts read through m.weibo.cn need the login cookie for their comments; say when it is absent."""
    n = sum(r.accounts for r in readiness if r.method == vocab.CollectMethod.WEIBO_PUBLIC.value)
    name = str(settings.get("platforms.weibo.cookie_credential") or "")
    if not n or (name and name in credentials):
        return None
    return Check("warn", tr(
        f"{n} 个微博账号（weibo_public）的评论回复情况将为未知：密钥文件中没有凭据 {name or '（未配置）'} 的 cookie"
        "（见 docs/data-sources.md）",
        f"comments of {n} Weibo accounts (weibo_public) stay unknown: the secrets file has no cookie credential "
        f"{name or '(not configured)'} (see docs/data-sources.md)"))


def describe_db(settings: Settings, url: str) -> Check:
    """The database the commands will use."""
    return Check("ok", tr(f"数据库：{describe_url(url)}", f"database: {describe_url(url)}"))


async def method_counts() -> dict[str, int]:
    """Active accounts per collection method; pending accounts are never collected, so never counted."""
    counts: dict[str, int] = {}
    active = [s.value for s in vocab.ACTIVE_STATUSES]
    for a in await Account.filter(status__in=active, pending=False).values("collect_method"):
        counts[a["collect_method"]] = counts.get(a["collect_method"], 0) + 1
    return counts

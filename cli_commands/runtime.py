"""The composition root: a `Runtime` built once per invocation from the App.

Everything a use case needs from the config is resolved here, once, on first use (so a command
that never needs, say, the secrets file does not fail on it): typed rule and notify settings, the
secrets, the collection options, the HTTP client factory the collectors and the bot share, the
notifiers, and the county's working-day calendar. A config problem exits with its message (code 2).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click
import httpx

from cli_commands.app import App, fail
from registry.config.credentials import Secrets, SecretsError, load_secrets
from registry.config.i18n import get_lang, tr
from registry.config.settings import Settings

if TYPE_CHECKING:
    from bot.cycle import NotifySettings
    from bot.notifier import Notifier
    from bot.proofread import ProofReport
    from bot.wecom_app import WeComAppNotifier
    from bot.wecom_oauth import WeComSignIn
    from collectors.base import Options
    from rules.config import RuleSettings
    from rules.content_check import ContentChecker

F = TypeVar("F", bound=Callable[..., Any])
#: Default of ``[collect] timeout`` (seconds) for every HTTP call govmedia makes.
TIMEOUT_S = 20.0
_KEY = "govmedia.runtime"


class Runtime:
    """What the use cases get: the App plus the config resolved once (lazily, cached)."""

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def settings(self) -> Settings:
        """The loaded config."""
        return self.app.settings

    @property
    def tz(self) -> ZoneInfo:
        """The county's time zone."""
        return self.app.tz

    def now(self) -> dt.datetime:
        """Now in the county's time zone."""
        return dt.datetime.now(self.app.tz)

    @functools.cached_property
    def secrets(self) -> Secrets:
        """The secrets file of the config, or exit with why it is refused."""
        try:
            return load_secrets(self.settings.secrets_path)
        except SecretsError as exc:
            fail(str(exc))

    @functools.cached_property
    def rule_settings(self) -> RuleSettings:
        """The resolved ``[rules]`` settings, or exit with the config error."""
        from rules.config import RuleSettings

        try:
            return RuleSettings.from_dict(self.settings.section("rules"))
        except ValueError as exc:
            fail(str(exc))

    @functools.cached_property
    def content_checker(self) -> ContentChecker:
        """The content checker of ``[content]`` (lexicons, hotlines), built once, or exit with the config error."""
        from rules.content.lexicon import LexiconError
        from rules.content_check import ContentChecker, ContentConfig

        try:
            return ContentChecker(ContentConfig.from_section(self.settings.section("content"), self.settings.base_dir))
        except (ValueError, LexiconError) as exc:
            fail(str(exc))

    @functools.cached_property
    def notify_settings(self) -> NotifySettings:
        """The resolved ``[notify]`` settings, or exit with the config error."""
        from bot.cycle import NotifySettings
        from bot.inhibit import InhibitRule
        from rules.config import CATALOGUE, INHIBIT_RULES

        try:
            return NotifySettings.from_settings(self.settings, rules=CATALOGUE,
                                                inhibit_rules=[InhibitRule(*r) for r in INHIBIT_RULES])
        except ValueError as exc:
            fail(str(exc))

    @functools.cached_property
    def collect_options(self) -> Options:
        """The collection options of ``[collect]`` and ``[platforms.*]``."""
        from collectors.service import options_from

        return options_from(self.settings)

    @property
    def interval_minutes(self) -> int:
        """How often each account is collected (``[collect] interval_minutes``)."""
        return int(self.settings.get("collect.interval_minutes", 60))

    @property
    def concurrency(self) -> int:
        """Accounts collected at once (``[collect] concurrency``)."""
        return int(self.settings.get("collect.concurrency", 8))

    @property
    def monthly_time(self) -> tuple[int, int]:
        """Hour and minute of the daily monthly-review job (``[reports] monthly_time``)."""
        hour, minute = (int(x) for x in str(self.settings.get("reports.monthly_time", "09:00")).split(":"))
        return hour, minute

    @property
    def county_name(self) -> str:
        """The county's name in reports."""
        return str(self.settings.get("county.name") or tr("本县", "County"))

    @property
    def reports_dir(self) -> Path:
        """Where the daemon writes monthly reviews (relative to the config's folder)."""
        out = Path(str(self.settings.get("reports.out_dir", "reports")))
        return out if out.is_absolute() else self.settings.base_dir / out

    def is_working_day(self, day: dt.date) -> bool:
        """The county's working-day test (holidays and make-up days)."""
        return bool(self.rule_settings.calendar.is_working_day(day))

    def proofreader(self) -> ScannerProofreader:
        """The bot's 校对: the content checker of ``[content]``, dated today in the county."""
        return ScannerProofreader(self.content_checker, lambda: self.now().date())

    def http_client(self) -> httpx.AsyncClient:
        """A new HTTP client for collectors and the bot (timeouts from ``[collect] timeout``); its
        request logs never show a credential."""
        from collectors.http import redact_http_logs

        redact_http_logs()
        timeout = float(self.settings.get("collect.timeout", TIMEOUT_S))
        return httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=False,
                                 limits=httpx.Limits(max_connections=32))

    def notifiers(self, client: httpx.AsyncClient) -> dict[str, Notifier]:
        """One notifier per channel the notify cycle may use, or exit with the config problem."""
        from bot.service import ConfigProblem, notifiers

        try:
            return notifiers(self.settings, self.secrets, self.notify_settings, client)
        except ConfigProblem as exc:
            fail(str(exc))

    def callback_credentials(self) -> tuple[str, str, str]:
        """Token, EncodingAESKey and corp id of the WeCom callback, or exit naming what is missing."""
        name = str(self.settings.get("wecom.credential"))
        cred = self.secrets.get(name)
        corp_id = str(self.settings.get("wecom.corp_id"))
        if cred is None or not cred.get("token") or not cred.get("aes_key") or not corp_id:
            fail(tr(f"需要 [wecom] corp_id 以及密钥文件中凭据 {name!r} 的 token 和 aes_key",
                    f"needs [wecom] corp_id and token + aes_key in secrets credential {name!r}"))
        return cred.get("token"), cred.get("aes_key"), corp_id

    def wecom_app_notifier(self, client: httpx.AsyncClient) -> WeComAppNotifier:
        """The WeCom app notifier the callback answers late replies with."""
        from bot.wecom_app import WeComAppNotifier

        cred = self.secrets.get(str(self.settings.get("wecom.credential")))
        return WeComAppNotifier(client, str(self.settings.get("wecom.api_base")), str(self.settings.get("wecom.corp_id")),
                                cred.get("secret") if cred else "", int(self.settings.get("wecom.agent_id") or 0))

    def wecom_sign_in(self) -> WeComSignIn | None:
        """WeCom sign-in for the web console when `[web] wecom_login` is on, or exit naming what is missing."""
        from bot.wecom_oauth import WeComSignIn

        if not self.settings.get("web.wecom_login", False):
            return None
        name = str(self.settings.get("wecom.credential"))
        cred = self.secrets.get(name)
        corp_id, agent_id = str(self.settings.get("wecom.corp_id") or ""), int(self.settings.get("wecom.agent_id") or 0)
        if cred is None or not cred.get("secret") or not corp_id or not agent_id:
            fail(tr(f"企业微信登录需要 [wecom] corp_id、agent_id 以及密钥文件中凭据 {name!r} 的 secret",
                    f"WeCom sign-in needs [wecom] corp_id, agent_id and the secret of secrets credential {name!r}"))
        if not str(self.settings.get("web.public_url") or "").startswith(("http://", "https://")):
            fail(tr("企业微信登录需要 [web] public_url（浏览器访问控制台的 http(s) 地址）",
                    "WeCom sign-in needs [web] public_url (the console's http(s) address as browsers reach it)"))
        return WeComSignIn(self.http_client, str(self.settings.get("wecom.api_base")), corp_id, cred.get("secret"),
                           agent_id, login_base=str(self.settings.get("wecom.login_base")),
                           oauth_base=str(self.settings.get("wecom.oauth_base")))

    def late_reply(self, client: httpx.AsyncClient) -> Callable[[str, str], Awaitable[None]]:
        """How the callback sends an answer that missed WeCom's 5-second window: as an app message."""
        from bot.model import Message, Recipient

        sender = self.wecom_app_notifier(client)

        async def send(userid: str, text: str) -> None:
            await sender.send(Message("wecom_app", Recipient("person", None, userid, userid, None), "alert",
                                      "回复", text, "text", (), ""))

        return send


class ScannerProofreader:
    """The bot's `Proofreader` backed by the content scanner: the same hits as ``govmedia content check``."""

    def __init__(self, checker: ContentChecker, today: Callable[[], dt.date]) -> None:
        self.checker, self.today = checker, today

    def proofread(self, text: str) -> ProofReport:
        """Every problem of ``text`` as published today, with line and column."""
        from bot.proofread import ProofHit, ProofReport
        from rules.content.hits import KIND_ZH, SEVERITY_ZH
        from rules.content.scanner import Locator

        hits = self.checker.scanner.scan(text, self.today(), dataclasses.replace(self.checker.context, draft=True))
        where = Locator(text)
        found = tuple(ProofHit(*where.line_col(h.start), SEVERITY_ZH[h.severity], KIND_ZH[h.kind], h.matched,
                               h.suggestion) for h in hits)
        count = {s: sum(1 for h in hits if h.severity == s) for s in ("severe", "warning", "notice")}
        return ProofReport(found, len(text), count["severe"], count["warning"], count["notice"])


def runtime_of(app: App) -> Runtime:
    """The invocation's Runtime for ``app`` (built on first use, kept on the click context)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return Runtime(app)
    meta = ctx.find_root().meta
    rt = meta.get(_KEY)
    if not isinstance(rt, Runtime) or rt.app is not app:
        rt = meta[_KEY] = Runtime(app)
    return rt


def pass_runtime(f: F) -> F:
    """Pass the invocation's Runtime (built from the context's App) as the first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app = click.get_current_context().find_object(App)
        if app is None:  # pragma: no cover - every command that uses it runs under the root group
            raise RuntimeError("no App on the click context")
        return f(runtime_of(app), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def rule_names() -> dict[str, str]:
    """Rule id -> its name in the output language."""
    from rules.config import CATALOGUE

    return {rid: (m.name_en if get_lang() == "en" else m.name_zh) for rid, m in CATALOGUE.items()}


def single_instance_lock(app: App) -> IO[str] | None:
    """On SQLite only one `govmedia run` may work on a database: hold an exclusive lock file."""
    import fcntl

    from registry.db.lifecycle import is_sqlite

    if not is_sqlite(app.db_url):
        return None
    path = Path(app.db_url.removeprefix("sqlite://") + ".run.lock")
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fail(tr(f"另一个 govmedia run 正在使用该 SQLite 数据库（{path}）；SQLite 只支持单进程运行，多进程请使用 PostgreSQL",
                f"another `govmedia run` is using this SQLite database ({path}); use PostgreSQL for several workers"))
    return handle

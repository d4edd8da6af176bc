"""The configuration's one table: every key, its default and its comment in English and Chinese.

`govmedia init` writes the default file from it (Chinese by default, English with --lang en) and
loading takes the defaults from it, so the two languages can never disagree on a key or a value.
The keys are a contract other tools rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomli_w

Comment = str | tuple[str, ...]


@dataclass(frozen=True)
class Key:
    """One leaf key with its default and its comment lines (none when the key above explains it)."""

    name: str
    value: Any
    en: Comment = ()
    zh: Comment = ()


@dataclass(frozen=True)
class Note:
    """Comment lines that belong to no key (the file's header, an example of optional tables)."""

    en: Comment
    zh: Comment


@dataclass(frozen=True)
class Section:
    """A ``[table]`` of the file and its keys, in the order they are written."""

    name: str
    items: tuple[Key | Note, ...]


HEADER = Note(
    en=("govmedia configuration. Every key is shown with its default value.",
        "Environment variables override keys: [database] url -> GOVMEDIA_DATABASE_URL,",
        "[platforms.wechat] api_base -> GOVMEDIA_PLATFORMS_WECHAT_API_BASE, and so on.",
        "Secrets (AppSecrets, tokens, webhook keys) never go here: they live in the secrets file."),
    zh=("govmedia 配置文件。每一项都写出了默认值。",
        "环境变量可覆盖任一项：[database] url -> GOVMEDIA_DATABASE_URL，",
        "[platforms.wechat] api_base -> GOVMEDIA_PLATFORMS_WECHAT_API_BASE，依此类推。",
        "密钥（AppSecret、令牌、Webhook key、Cookie）绝不写在这里：它们只放在密钥文件中。"))

SECTIONS: tuple[Section, ...] = (
    Section("database", (
        Key("url", "sqlite://govmedia.db",
            en="SQLite file (relative to this file) or PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/govmedia",
            zh="SQLite 文件（相对本文件）或 PostgreSQL 地址，例如 postgres://user@127.0.0.1:5432/govmedia"),
    )),
    Section("county", (
        Key("name", "",
            en="Name of the county shown in reports and messages.",
            zh="本县名称，显示在报告和消息中（例如 \"深泽县\"）。"),
        Key("timezone", "Asia/Shanghai",
            en="Time zone of the county calendar; day counts and report months use it.",
            zh="本县日历所用的时区；天数计算和报告月份以它为准。"),
    )),
    Section("platforms.wechat", (
        Key("api_base", "https://api.weixin.qq.com",
            en="WeChat official account API base URL (a proxy, gateway or the sandbox may stand here).",
            zh="微信公众号接口地址（可换成代理、网关或模拟平台）。"),
    )),
    Section("platforms.weibo", (
        Key("api_base", "https://api.weibo.com",
            en="Weibo open API base URL.",
            zh="微博开放平台接口地址。"),
        Key("mobile_base", "https://m.weibo.cn",
            en="m.weibo.cn base URL used by the weibo_public collector.",
            zh="weibo_public 采集方式使用的 m.weibo.cn 地址。"),
        Key("min_interval", 3.0,
            en=("Pacing of the weibo_public lane (m.weibo.cn bans fast callers): minimum seconds between two of its",
                "requests, plus up to `jitter` random seconds. Only that lane waits: other sources on the same host",
                "(a gateway, a proxy, the sandbox) are not slowed. Held across `run --worker` processes on PostgreSQL."),
            zh=("weibo_public 通道的节奏（m.weibo.cn 会封禁过快的访问）：两次请求之间至少间隔的秒数，",
                "另加至多 jitter 秒的随机等待。只有这个通道等待：同一主机上的其他来源（网关、代理、模拟平台）",
                "不受影响。在 PostgreSQL 上多个 `run --worker` 进程共同遵守。")),
        Key("jitter", 2.0),
        Key("max_pages", 10,
            en="Pages of posts read per account and pass at most.",
            zh="每个账号每轮最多读取的微博页数。"),
        Key("cookie_credential", "weibo_cookie",
            en=("Secrets-file credential whose `cookie` reads comments on m.weibo.cn (comments/hotflow needs a login)",
                "for accounts without a credential of their own; absent from the secrets file = comments not read."),
            zh=("密钥文件中用于在 m.weibo.cn 读取评论（comments/hotflow 需要登录）的凭据名，其 cookie",
                "供没有自己凭据的账号使用；密钥文件里没有它 = 不读取评论（回复情况记为未知）。")),
    )),
    Section("platforms.feed", (
        Key("base_url", "",
            en="Base URL that relative feed addresses (订阅地址 starting with \"/\") are joined to, e.g. your RSSHub.",
            zh="以 \"/\" 开头的相对订阅地址拼接到这个地址后面，例如县里自建的 RSSHub 或 we-mp-rss。"),
    )),
    Section("collect", (
        Key("backfill_days", 92,
            en="Days of history fetched the first time an account is collected (>= 90 so a 僵尸号 can be recognised).",
            zh="账号第一次采集时回溯的天数（至少 90，才能认出僵尸号）。"),
        Key("concurrency", 8,
            en="Accounts collected at the same time.",
            zh="同时采集的账号数。"),
        Key("per_host_concurrency", 4,
            en=("Requests in flight per lane at the same time, in each process. Every source has its own lane whatever",
                "host it calls (the key keeps its old name); the paced weibo_public lane goes one by one."),
            zh=("每个进程中每个通道同时进行的请求数。每个来源都有自己的通道，不论它访问哪个主机（名称沿用旧名）；",
                "有节奏限制的 weibo_public 通道逐个进行。")),
        Key("timeout", 20.0,
            en="Seconds before an HTTP call times out.",
            zh="HTTP 请求超时秒数。"),
        Key("retries", 3,
            en="Attempts per call for transient failures (network errors, HTTP 5xx, WeChat -1); others never retry.",
            zh="临时故障（网络错误、HTTP 5xx、微信 -1）的尝试次数；其他错误从不重试。"),
        Key("call_deadline", 120.0,
            en=("Seconds one HTTP call may take in all, from sending to the last byte of its answer (`timeout` is per",
                "read: a server trickling a byte every few seconds never trips it); over it, the account fails (timeout)."),
            zh=("一次 HTTP 请求从发出到收完应答的总秒数上限（`timeout` 只管每次读取：每隔几秒送一个字节的服务器",
                "永远不会触发它）；超过即该账号采集失败（超时）。")),
        Key("account_deadline", 600.0,
            en=("Seconds one account's collection may take in all, and one whole pass: accounts not started in time",
                "are skipped and stay due for the next pass, so a hanging platform never stalls `collect` or `run`."),
            zh="一个账号的采集、一整轮采集的总秒数上限：到时未开始的账号跳过，留待下一轮，平台卡住不会拖住 `collect` 或 `run`。"),
        Key("pass_deadline", 1800.0),
        Key("max_body_mb", 8,
            en="Largest answer read, in MB, from a platform API and from a feed; larger is a parse failure of the account.",
            zh="读取的应答大小上限（MB）：平台接口、订阅源；超过即该账号解析失败。"),
        Key("max_feed_mb", 32),
        Key("lease_minutes", 15.0,
            en="Minutes a worker holds an account's lease; a crashed worker's accounts free up after this.",
            zh="工作进程持有账号租约的分钟数；进程崩溃后，其账号在这段时间后释放。"),
        Key("interval_minutes", 60,
            en="Minutes between collection passes of `govmedia run`.",
            zh="`govmedia run` 两轮采集之间的分钟数。"),
        Key("urgent_interval_minutes", 15,
            en="Accounts 10+ days without a post (nearing the 14-day veto) are polled this often instead.",
            zh="10 天以上未更新（临近 14 天单项否决）的账号改按这个间隔采集。"),
        Key("response_window_days", 30,
            en="Comments and the account's answers are read for posts published within this many days (0 = never).",
            zh="读取这么多天内发布的文章的评论及账号回复（0 = 不读取）。"),
        Key("response_posts_per_cycle", 10,
            en="Comment threads read per account and cycle at most (new posts first, then those still unanswered).",
            zh="每个账号每轮最多读取的评论串数（先新文章，再仍未回复的）。"),
        Note(
            en=("Any lane (wechat_api, weibo_api, weibo_public, feed) may be tuned in a table of its own; these keys",
                "win over the ones above. For example:",
                "[lanes.weibo_api]",
                "min_interval = 0.0       # seconds between two calls on the lane, 0-3600 (across workers on PostgreSQL)",
                "jitter = 0.0             # plus up to this many random seconds, 0-3600",
                "concurrency = 4          # calls in flight per process, 1-256",
                "per_credential = false   # true: one lane per credential (per-account quotas)"),
            zh=("每个通道（wechat_api、weibo_api、weibo_public、feed）都可以单独调整；这里的设置优先于上面的。",
                "例如：",
                "[lanes.weibo_api]",
                "min_interval = 0.0       # 通道上两次调用之间的秒数，0-3600（PostgreSQL 上跨进程生效）",
                "jitter = 0.0             # 另加至多这么多秒的随机等待，0-3600",
                "concurrency = 4          # 每个进程同时进行的调用数，1-256",
                "per_credential = false   # true：每个凭据一个通道（按账号计配额时）")),
    )),
    Section("wecom", (
        Key("api_base", "https://qyapi.weixin.qq.com",
            en="WeCom (企业微信) API base URL.",
            zh="企业微信接口地址。"),
        Key("corp_id", "",
            en="Corp ID of the county's WeCom (not a secret).",
            zh="本县企业微信的企业ID（不是密钥）。"),
        Key("agent_id", 0,
            en="Agent ID of the self-built app that sends warnings.",
            zh="发送预警的自建应用的 AgentId。"),
        Key("credential", "",
            en="Name of the secrets-file credential holding the app secret (and callback token and aes_key).",
            zh="密钥文件中保存应用 Secret（以及回调 Token 和 EncodingAESKey）的凭据名。"),
        Key("login_base", "https://login.work.weixin.qq.com",
            en="WeCom's QR login page (web console sign-in with WeCom, [web] wecom_login).",
            zh="企业微信扫码登录页地址（网页控制台企业微信登录，见 [web] wecom_login）。"),
        Key("oauth_base", "https://open.weixin.qq.com",
            en="WeCom's page authorisation inside the WeCom app (the same sign-in, without a QR code).",
            zh="企业微信内网页授权地址（在企业微信里打开控制台时免扫码登录）。"),
    )),
    Section("notify", (
        Key("channel", "",
            en="wecom_app (when [wecom] corp_id and credential are set) or console (print only). Empty = automatic.",
            zh="wecom_app（已设置 [wecom] corp_id 和 credential 时）或 console（只打印）。留空 = 自动选择。"),
        Key("office_users", [],
            en="WeCom userids of the county office (政务公开办) staff: they get escalations, data gaps and ledger problems.",
            zh="县政务公开办工作人员的企业微信 userid：他们接收升级提醒、数据中断和台账问题。"),
        Key("escalate_head_days", 3,
            en="Days a finding stays open before the unit head (负责人), then the county office, hear of it too.",
            zh="问题持续未解决多少天后，依次告知单位负责人和县政务公开办。"),
        Key("escalate_office_days", 7),
        Key("quiet_hours", "18:00-08:30",
            en="No messages in these hours (held until the next window); \"\" = none.",
            zh="这段时间内不发消息（留到下一个时段发送）；\"\" = 不限制。"),
        Key("working_days_only", True,
            en="Hold messages on weekends and public holidays.",
            zh="周末和法定节假日暂不发送。"),
        Key("veto_bypass_quiet", False,
            en="Let veto-level (单项否决) warnings through quiet hours.",
            zh="单项否决级别的预警不受免打扰时段限制。"),
        Key("repeat_hours", 24,
            en="Hours before an unchanged set of problems is sent again as a reminder (1-8784).",
            zh="问题没有变化时，隔多少小时再提醒一次（1-8784）。"),
        Key("msgtype", "text",
            en="Message type of WeCom app messages: text (shows in personal WeChat too) or markdown.",
            zh="企业微信应用消息类型：text（个人微信里也能显示）或 markdown。"),
        Key("office_robot", "",
            en="Secrets-file credential (webhook_key) of the county office's group robot; \"\" = none.",
            zh="县政务公开办群机器人的凭据名（密钥文件中的 webhook_key）；\"\" = 不使用。"),
    )),
    Section("reports", (
        Key("out_dir", "reports",
            en="Where `govmedia run` writes the monthly review (relative to this file).",
            zh="`govmedia run` 写月度报告的目录（相对本文件）。"),
        Key("monthly_time", "09:00",
            en=("Time of day (county time) on the first working day of each month at which `govmedia run` writes",
                "last month's review and sends the county office a short WeCom summary."),
            zh=("每月第一个工作日的这个时间（本县时间），`govmedia run` 生成上月报告并给县政务公开办发送",
                "企业微信摘要。")),
    )),
    Section("content", (
        Key("lexicons", [],
            en=("Content safety (错敏 and privacy checks, docs/content.md). The county's own lexicon files, relative",
                "to this file: TOML ([[entry]] term/suggestion/severity) or one term a line (term<TAB>suggestion<TAB>severity).",
                "govmedia ships outdated official names and a starter list of misspellings; no sensitive-word list."),
            zh=("内容安全检查（错敏表述和隐私，见 docs/content.md）。本县自己的词表文件，相对本文件：",
                "TOML（[[entry]] term/suggestion/severity）或每行一个词（词<TAB>建议<TAB>级别）。",
                "govmedia 自带过时的规范名称和一份常见错别字；不带敏感词表。")),
        Key("hotlines", [],
            en=("The units' own published phone numbers, never reported as an individual's mobile number (drafts and",
                "published posts alike). The ledger's head/operator phones are people's numbers, never hotlines."),
            zh="本单位公开的电话号码，不会被当作个人手机号报告。"),
        Key("privacy_severity", "warning",
            en=("Severity of a personal mobile number found in a text: severe | warning | notice. In `content check` an ID",
                "or bank card number is always severe (exit 1)."),
            zh=("文本中发现个人手机号时的级别：severe | warning | notice。`content check` 中身份证号、银行卡号一律为",
                "severe（退出码 1）。")),
        Key("leaders", [],
            en=("The county's leaders files (its own and its superiors' leaders, with titles and dates; docs/content.md):",
                "a near miss of a listed name is severe, a title not held on the text's date a warning."),
            zh=("本县领导名单文件（本级及上级领导的姓名、职务和任职日期，格式见 docs/content.md）：姓名写错为严重，",
                "职务与文章日期不符为一般。")),
    )),
    Section("web", (
        Key("public_url", "http://127.0.0.1:8000",
            en=("The console's address as browsers reach it (behind nginx: the https address). WeCom sends the",
                "browser back to <public_url>/login/wecom/callback: its domain must be the app's trusted domain."),
            zh=("浏览器访问网页控制台的地址（经 nginx 时为 https 地址）。企业微信登录后回到",
                "<public_url>/login/wecom/callback，其域名须设为自建应用的可信域名。")),
        Key("wecom_login", False,
            en=("Offer 企业微信登录 on the login page: members sign in as the web user linked to their userid",
                "(`govmedia web user link NAME USERID`). Needs [wecom] corp_id, agent_id and credential."),
            zh=("登录页提供“企业微信登录”：成员以关联其企业微信账号的网页用户身份登录",
                "（`govmedia web user link 用户名 企业微信账号`）。需要 [wecom] corp_id、agent_id 和 credential。")),
        Key("secure_cookies", False,
            en="Send the session cookie over https only (on when served behind https).",
            zh="会话 Cookie 只经 https 发送（经 https 提供服务时打开）。"),
        Key("idle_minutes", 30,
            en="Minutes of inactivity after which a console session ends.",
            zh="网页会话闲置多少分钟后失效。"),
        Key("secret_key_file", "web-session.key",
            en="File of the key that signs session cookies (made, mode 0600, on first use; relative to this file).",
            zh="签名会话 Cookie 的密钥文件（首次使用时生成，权限 0600；相对本文件）。"),
    )),
    Section("secrets", (
        Key("file", "secrets.toml",
            en="Secrets file (TOML, [credentials.NAME] tables); must not be readable by group or others.",
            zh="密钥文件（TOML，[credentials.名称] 表）；同组用户和其他用户不得可读。"),
    )),
)


def _comment(text: Comment) -> list[str]:
    lines = (text,) if isinstance(text, str) else text
    return ["# " + line if line else "#" for line in lines]


def _value(value: Any) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def render(lang: str) -> str:
    """The commented default file in ``lang`` ("zh" or "en")."""
    def text(item: Key | Note) -> Comment:
        return item.zh if lang == "zh" else item.en

    out = _comment(text(HEADER))
    for section in SECTIONS:
        out += ["", f"[{section.name}]"]
        for item in section.items:
            if isinstance(item, Note):
                out += ["", *_comment(text(item))]
            else:
                out += [*_comment(text(item)), f"{item.name} = {_value(item.value)}"]
    return "\n".join(out) + "\n"


def values() -> dict[str, Any]:
    """The defaults as a nested dict (``{"platforms": {"weibo": {"min_interval": 3.0, …}}, …}``)."""
    tree: dict[str, Any] = {}
    for section in SECTIONS:
        table = tree
        for part in section.name.split("."):
            table = table.setdefault(part, {})
        table.update({item.name: item.value for item in section.items if isinstance(item, Key)})
    return tree

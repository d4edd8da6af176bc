"""The use cases that span features (collect pass, check, notify cycle, monthly review, the daemon
cycle) and the scheduler's job table as data. Commands and the demo call these; none call each other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_commands.app import fail, log
from cli_commands.runtime import Runtime
from cli_commands.storage import notify_storage
from registry.config.i18n import tr

if TYPE_CHECKING:
    from bot.outbox import CycleResult
    from collectors.run import PassSummary, Progress
    from registry.ops.leader import Leadership
    from reports.monthly_model import MonthlyReport
    from rules.evaluate import CheckSummary


async def collect_pass(rt: Runtime, *, account_ids: Sequence[int] | None = None, platform: str | None = None,
                       since: dt.date | None = None, progress: Progress | None = None,
                       due_interval: dt.timedelta | None = None) -> PassSummary:
    """One collection pass over the (due) accounts, on a client from the runtime's factory."""
    from collectors.service import collect
    from rules.config import near_veto_days

    # Accounts nearing the veto are polled more often from the county's own early-warning threshold.
    urgent_after = near_veto_days(rt.rule_settings) if due_interval is not None else None
    async with rt.http_client() as client:
        return await collect(rt.settings, rt.secrets, client, account_ids=account_ids, platform=platform,
                             since=since, progress=progress, due_interval=due_interval,
                             urgent_after_days=urgent_after)


async def check(rt: Runtime, now: dt.datetime) -> CheckSummary:
    """Evaluate every account at ``now``; open, refresh and resolve findings and reviews."""
    from rules.evaluate import run_check

    summary = await run_check(now, rt.rule_settings, rt.content_checker)
    try:
        await record_closed_month(rt, now)
    except Exception as exc:  # the check itself is done; the next check records the month
        log.warning("month-end snapshot not recorded: %s: %s", type(exc).__name__, exc)
    return summary


async def record_closed_month(rt: Runtime, now: dt.datetime) -> str | None:
    """Once a month has closed, record its trend figures and verdicts (once) for the monthly reviews to come."""
    from reports.monthly_build import record_closed_month as record
    from rules.config import BLIND_RULE, CATALOGUE

    # The whole catalogue: the next review's 复核 list names every problem of last month's failing accounts.
    return await record(tz=rt.tz, now=now, evaluate=evaluator(rt), rules=list(CATALOGUE.values()),
                        blind_rule=BLIND_RULE)


async def notify_cycle(rt: Runtime, dry_run: bool, now: dt.datetime | None = None) -> CycleResult:
    """Run one notification cycle through the configured channels."""
    from bot.cycle import run_cycle

    ns = rt.notify_settings
    rt.secrets  # noqa: B018 - a refused secrets file fails before any client is made
    async with rt.http_client() as client:
        chans = rt.notifiers(client)
        return await run_cycle(now or rt.now(), ns, chans, notify_storage(), dry_run=dry_run,
                               is_working_day=rt.is_working_day)


def evaluator(rt: Runtime, only: tuple[str, ...] | None = None) -> Callable[[dt.datetime], Awaitable[Any]]:
    """The rule catalogue at a moment, for reports; ``only`` runs just those rules."""
    from rules.evaluate import evaluate_at

    settings = rt.rule_settings

    async def evaluate(moment: dt.datetime) -> Any:
        return await evaluate_at(moment, settings, only=only)

    return evaluate


async def build_monthly(rt: Runtime, month: str) -> MonthlyReport:
    """The monthly review of ``month`` (YYYY-MM) from stored data."""
    from reports.monthly_build import build_monthly as build
    from rules.config import BLIND_RULE, CATALOGUE, rules_where

    return await build(month, county=rt.county_name, tz=rt.tz, now=rt.now(), evaluate=evaluator(rt),
                       rules=list(CATALOGUE.values()), blind_rule=BLIND_RULE,
                       evaluate_trend=evaluator(rt, tuple(sorted(rules_where("trend")))))


def write_review_files(rt: Runtime, month: str, out: Path, formats: list[str]) -> list[Path]:
    """Build the monthly review and write its files; the paths written."""
    from reports.monthly_files import write_monthly

    try:
        rep = rt.app.run(lambda: build_monthly(rt, month))
    except ValueError as exc:
        fail(str(exc))
    return write_monthly(rep, out, formats)


def first_working_day(month_start: dt.date, is_working_day: Callable[[dt.date], bool]) -> dt.date:
    """The first working day of the month that starts on ``month_start``."""
    d = month_start
    while not is_working_day(d):
        d += dt.timedelta(days=1)
    return d


async def monthly_review(rt: Runtime, now: dt.datetime, *, force: bool = False) -> str | None:
    """Write last month's review and tell the office (once); None when today is not the day."""
    from bot.model import ReportSummary
    from bot.report_notice import send_report_notice
    from reports.monthly_files import headline, write_monthly

    today = now.date()
    if not force and today != first_working_day(today.replace(day=1), rt.is_working_day):
        return None
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    rep = await build_monthly(rt, month)
    paths = write_monthly(rep, rt.reports_dir)
    checked, failed, problems = headline(rep)
    summary = ReportSummary(month, checked, failed, problems, url=str(paths[0]))
    ns = rt.notify_settings
    async with rt.http_client() as client:
        await send_report_notice(summary, ns, rt.notifiers(client), now, notify_storage().outbox)
    return str(paths[0])


class Daemon:
    """The scheduled jobs of `govmedia run`, sharing the leadership and the set of running cycles."""

    def __init__(self, rt: Runtime, leader: Leadership) -> None:
        self.rt = rt
        self.leader = leader
        self.running: set[asyncio.Task[Any]] = set()
        self.stopping = False  # set on SIGTERM/SIGINT: a cancelled cycle then stops quietly

    async def cycle(self) -> None:
        """One collection pass, then the check; a failure is reported and the next cycle retries."""
        rt = self.rt
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
        try:
            summary = await collect_pass(rt, due_interval=dt.timedelta(minutes=rt.interval_minutes))
            counts = summary.counts
            if not await self.leader.try_acquire():
                # Another worker leads: it runs the check, the warnings and the monthly review.
                click.echo(tr(f"[{rt.now():%m-%d %H:%M}] 采集 成功{counts.get('ok', 0)} "
                              f"失败{counts.get('failed', 0)}（检查与预警由主进程负责）",
                              f"[{rt.now():%m-%d %H:%M}] collect ok={counts.get('ok', 0)} "
                              f"failed={counts.get('failed', 0)} (the leader checks and notifies)"))
                return
            result = await check(rt, rt.now())
            sent = await notify_cycle(rt, dry_run=False)
            click.echo(tr(f"[{rt.now():%m-%d %H:%M}] 采集 成功{counts.get('ok', 0)} 失败{counts.get('failed', 0)} "
                          f"新文章{summary.new_posts}；检查 问题{len(result.drafts)}（新{len(result.sync.opened)} "
                          f"解除{len(result.sync.resolved)}）；预警 发送{len(sent.sent)}",
                          f"[{rt.now():%m-%d %H:%M}] collect ok={counts.get('ok', 0)} "
                          f"failed={counts.get('failed', 0)} new posts={summary.new_posts}; check findings="
                          f"{len(result.drafts)} (new {len(result.sync.opened)}, resolved {len(result.sync.resolved)}); "
                          f"sent {len(sent.sent)}"))
        except asyncio.CancelledError:
            if self.stopping:  # a clean stop (SIGTERM/SIGINT): say so quietly, no traceback from the scheduler
                log.info("cycle stopped by a stop signal; its leases expire as designed")
                return
            raise
        except Exception as exc:  # keep the daemon alive
            log.error("cycle failed: %s: %s", type(exc).__name__, exc)
        finally:
            if task is not None:
                self.running.discard(task)

    async def monthly(self) -> None:
        """On the first working day of a month: last month's review, and a WeCom summary to the office."""
        try:
            if not await self.leader.try_acquire():
                return
            sent = await monthly_review(self.rt, self.rt.now())
            if sent is not None:
                click.echo(tr(f"月度报告已生成并通知：{sent}", f"monthly review written and announced: {sent}"))
        except Exception as exc:
            log.error("monthly review failed: %s: %s", type(exc).__name__, exc)


@dataclass(frozen=True)
class Job:
    """One row of the scheduler's job table: its id, when it runs, what it runs."""

    id: str
    trigger: Callable[[Runtime], Any]
    body: Callable[[Daemon], Callable[[], Awaitable[None]]]
    first_run_now: bool = False


def _every_cycle(rt: Runtime) -> Any:
    from apscheduler.triggers.interval import IntervalTrigger

    # Poll often; only due accounts are collected, so each is collected once per interval.
    return IntervalTrigger(minutes=min(rt.interval_minutes, 5))


def _daily_at_monthly_time(rt: Runtime) -> Any:
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = rt.monthly_time
    return CronTrigger(hour=hour, minute=minute, timezone=str(rt.tz))


#: The scheduler's jobs (`govmedia run`); `--once` runs the first one once.
JOBS: tuple[Job, ...] = (
    Job("cycle", _every_cycle, lambda d: d.cycle, first_run_now=True),
    Job("monthly", _daily_at_monthly_time, lambda d: d.monthly),
)


async def run_daemon(rt: Runtime, *, once: bool) -> None:
    """Run the daemon until SIGTERM/SIGINT (or one cycle with ``once``), releasing the leadership after."""
    from registry.ops.leader import Leadership

    daemon = Daemon(rt, Leadership(rt.app.db_url))
    try:
        if once:
            await daemon.cycle()
            return
        await _schedule(daemon)
    finally:
        await daemon.leader.release()


async def _schedule(daemon: Daemon) -> None:
    import signal

    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    rt = daemon.rt
    scheduler = AsyncIOScheduler(timezone=str(rt.tz), job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
    for job in JOBS:
        extra = {"next_run_time": rt.now()} if job.first_run_now else {}
        scheduler.add_job(job.body(daemon), job.trigger(rt), id=job.id, **extra)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    scheduler.start()
    click.echo(tr(f"govmedia 已启动：每 {rt.interval_minutes} 分钟采集并检查一次（Ctrl-C 停止）",
                  f"govmedia running: collect and check every {rt.interval_minutes} minutes (Ctrl-C stops)"), err=True)
    await stop.wait()
    scheduler.shutdown(wait=False)
    daemon.stopping = True
    # Finish no job half-way on a closed database: cancel running cycles (their transactions
    # roll back; leases expire) and wait for them before the database closes.
    for task in list(daemon.running):
        task.cancel()
    await asyncio.gather(*daemon.running, return_exceptions=True)
    click.echo(tr("已停止", "stopped"), err=True)


@dataclass(frozen=True)
class Resolution:
    """What `accounts resolve` found for one pending account."""

    account_id: int
    name: str
    platform: str
    unit: str
    uid: str | None
    applied: bool
    reason: str
    candidates: int = 0


#: Where to find an id the tool cannot look up (platform -> (zh, en)).
_WHERE_TO_FIND = {
    "wechat": ("没有公开接口可按微信号查原始ID：请该单位登录 mp.weixin.qq.com，在「设置与开发 → 公众号设置 → 注册信息」"
               "查看原始ID（gh_开头），填入台账后重新导入",
               "no public lookup by WeChat alias: the unit finds the original id (gh_…) at mp.weixin.qq.com → "
               "Settings → Account info; add it to the ledger and import again"),
    "douyin": ("打开抖音号主页，「抖音号」即账号ID", "open the profile: the 抖音号 is the id"),
    "toutiao": ("打开头条号主页，地址中 /c/user/ 后的数字即账号ID", "open the profile: the digits after /c/user/"),
}
_WHERE_DEFAULT = ("在该平台的账号主页或后台查看账号ID，填入台账后重新导入",
                  "find the id on the account's profile or back office, add it to the ledger and import again")


async def resolve_identities(rt: Runtime, *, apply: bool) -> list[Resolution]:
    """Look up ids for pending accounts (Weibo by name); with ``apply`` write the unambiguous matches, audited."""
    from collectors.errors import ErrorKind, PlatformError
    from collectors.parse_weibo_search import choose
    from collectors.weibo_search import WeiboUserSearch
    from registry.ledger.accounts import Invalid
    from registry.ledger.completeness import PENDING_UNIT
    from registry.ledger.identity import complete_identity, pending_accounts

    out: list[Resolution] = []
    accounts = await pending_accounts()
    blocked = ""
    async with rt.http_client() as client:
        search = WeiboUserSearch(rt.settings, client)
        for a in accounts:
            unit = "" if a.unit.name == PENDING_UNIT else a.unit.name
            if a.uid:  # the id is known, only the unit is missing
                out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=a.uid, applied=False,
                                      reason=tr("缺主办单位：在台账中填写后重新导入", "no owner unit: fill it in the ledger")))
                continue
            if a.platform != "weibo":
                zh, en = _WHERE_TO_FIND.get(a.platform, _WHERE_DEFAULT)
                hint = tr(f"微信号 {a.alias}；", f"alias {a.alias}; ") if a.alias else ""
                out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=None, applied=False, reason=hint + tr(zh, en)))
                continue
            if blocked:
                out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=None, applied=False, reason=blocked))
                continue
            try:
                found = await search.search(a.alias or a.name)
            except PlatformError as exc:
                reason = tr(f"微博搜索失败：{exc.message}", f"Weibo search failed: {exc.message}")
                if exc.kind is ErrorKind.QUOTA:  # throttled: says nothing about whether the account exists
                    reason = tr(f"微博限制了查询频率，未能查找，请稍后再试（{exc.message}）",
                                f"Weibo throttled the lookups; not looked up, try again later ({exc.message})")
                if exc.cooldown_s:
                    blocked = reason
                out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=None, applied=False, reason=reason))
                continue
            match = choose(found, a.alias or a.name, unit)
            reason = tr(match.reason_zh, match.reason_en)
            if match.chosen is None:
                out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=None, applied=False, reason=reason, candidates=len(match.candidates)))
                continue
            if apply:
                note = tr(f"accounts resolve：{match.reason_zh}（{match.chosen.verified_reason}）",
                          f"accounts resolve: {match.reason_en} ({match.chosen.verified_reason})")
                try:
                    await complete_identity(a.id, match.chosen.uid, actor=rt.app.actor, note=note)
                except Invalid as exc:
                    out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=None, applied=False, reason=str(exc.errors[0])))
                    continue
            out.append(Resolution(a.id, a.name, a.platform, a.unit.name, uid=match.chosen.uid, applied=apply, reason=reason,
                                  candidates=len(match.candidates)))
    return out

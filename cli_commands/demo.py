"""The demo and the sandbox."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from cli_commands import jobs
from cli_commands.app import EXIT_FAILED, App, Progress, emit, fail, format_options
from cli_commands.runtime import Runtime, rule_names
from registry.config.i18n import tr
from registry.config.settings import Settings, load, write_default
from registry.ledger.files import import_ledger
from reports import collection as collection_view
from reports.output import Field

DEMO_PORT = 8765


def _demo_faults() -> list[Any]:
    from sandbox.faults import Fault

    # A flaky platform the collectors ride out (retries), and one feed host that stays down.
    return [Fault(kind="errcode", platform="wechat", code=-1, rate=0.03),
            Fault(kind="http_status", platform="feed", uid="gh_34f5b291c0b0", status=503)]


def demo_config(directory: Path, base: str, county: Any) -> Settings:
    """The demo's config: a county pointed at the sandbox at ``base``."""
    import base64
    import hashlib
    import os

    import tomli_w

    from sandbox.content import HOTLINES
    from sandbox.county import OFFICE_USER, SIM_WEIBO_PACING, demo_secrets

    config = directory / "govmedia.toml"
    # m.weibo.cn answers 418 to callers faster than 3-5 s, so its lane is paced that way by default. The
    # demo talks to the local simulator, which has no such limit: its weibo_public lane is still paced
    # (serial calls, the lane machinery as in production) but 0.3-0.5 s apart, or the demo's ~150
    # m.weibo.cn calls (profiles, pages, comment threads) would take ten minutes.
    write_default(config, overrides={
        **SIM_WEIBO_PACING,
        "county.name": "滹沱县", "platforms.wechat.api_base": base, "platforms.weibo.api_base": base,
        "platforms.weibo.mobile_base": base,
        "platforms.feed.base_url": base, "wecom.api_base": base + "/wecom", "wecom.corp_id": county.wecom.corp_id,
        "wecom.agent_id": county.wecom.agent_id, "wecom.credential": "wecom_app", "collect.concurrency": 12,
        "notify.office_users": [OFFICE_USER], "notify.quiet_hours": "", "notify.working_days_only": False,
        "content.hotlines": list(HOTLINES),
    })
    creds = demo_secrets(county)
    # The callback's token and EncodingAESKey (43 characters) for `govmedia bot serve` in the demo.
    creds["wecom_app"] = {"secret": county.wecom.corp_secret, "token": "hutuoDemoCallback",
                          "aes_key": base64.b64encode(hashlib.sha256(b"govmedia-demo").digest()).decode()[:43]}
    secrets_path = directory / "secrets.toml"
    secrets_path.write_text(tomli_w.dumps({"credentials": creds}), encoding="utf-8")
    os.chmod(secrets_path, 0o600)
    return load(config)


def _demo_collect(rt: Runtime) -> None:
    summary = rt.app.run(lambda: jobs.collect_pass(rt, progress=Progress()))
    counts = summary.counts
    click.echo(tr(f"② 采集：{len(summary.outcomes)} 个账号，成功 {counts.get('ok', 0)}，失败 {counts.get('failed', 0)}，"
                  f"新发现文章 {summary.new_posts} 篇（手工报送账号不自动采集）",
                  f"2. collected {len(summary.outcomes)} accounts: {counts.get('ok', 0)} ok, "
                  f"{counts.get('failed', 0)} failed, {summary.new_posts} new posts"))
    for line in collection_view.failure_lines(summary.outcomes):
        click.echo(line)


def _demo_check(rt: Runtime) -> None:
    now = rt.now()
    summary = rt.app.run(lambda: jobs.check(rt, now))
    names = rule_names()
    click.echo(tr(f"③ 检查：发现问题 {len(summary.drafts)} 项，新立关停整合复核 {len(summary.sync.reviews_opened)} 件",
                  f"3. check: {len(summary.drafts)} findings, {len(summary.sync.reviews_opened)} shutdown reviews opened"))
    for rule, n in sorted(summary.by_rule.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {names.get(rule, rule)}（{rule}）：{n}")


def _demo_notify(rt: Runtime, base: str) -> None:
    from sandbox.county import OFFICE_USER
    from sandbox.server import fetch_messages

    result = rt.app.run(lambda: jobs.notify_cycle(rt, dry_run=False))
    click.echo(tr(f"④ 预警：写入 {result.written} 条，经企业微信发送成功 {len(result.sent)} 条，失败 {len(result.failed)} 条",
                  f"4. warnings: {result.written} written, {len(result.sent)} sent over WeCom, {len(result.failed)} failed"))
    delivered = [m for m in fetch_messages(base, "wecom_app") if m["status"] == "delivered"]
    for m in [d for d in delivered if d["to"] != OFFICE_USER][:1] + [d for d in delivered if d["to"] == OFFICE_USER][:1]:
        payload = m["payload"] if isinstance(m["payload"], dict) else {}
        body = str(payload.get("content") or payload.get("description") or "")
        click.echo(tr(f"  —— 发给 {m['to']} 的消息 ——", f"  -- message to {m['to']} --"))
        for line in body.splitlines()[:8]:
            click.echo("  │ " + line)


def _demo_reports(rt: Runtime, directory: Path) -> None:
    today = rt.app.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    paths = jobs.write_review_files(rt, last_month, directory / "reports", ["html", "xlsx", "docx"])
    paths += jobs.write_review_files(rt, today.strftime("%Y-%m"), directory / "reports", ["html", "xlsx", "docx"])
    click.echo(tr(f"⑤ 月度健康度报告（{last_month} 及本月截至今日）：", f"5. monthly reviews ({last_month} and this month to date):"))
    for p in paths:
        click.echo(f"  {p}")


def _demo_ledger(rt: Runtime) -> None:
    from importlib.resources import as_file, files

    app = rt.app
    with as_file(files("registry") / "data" / "sample-ledger.csv") as ledger:
        result = app.run(lambda: import_ledger(ledger, actor="demo", today=app.today()))
    plan = result.plan
    assert plan is not None and not result.errors
    click.echo(tr(f"① 导入示例台账：{result.rows} 个账号（新增 {len(plan.added)}，变更 {len(plan.changed)}）",
                  f"1. sample ledger: {result.rows} accounts ({len(plan.added)} added, {len(plan.changed)} changed)"))


@contextlib.contextmanager
def _demo_sandbox(port: int) -> Iterator[Any]:
    """The sandbox on ``port``, or on a free one when it is taken."""
    from sandbox.server import running_sandbox

    try:
        ctx = running_sandbox(seed=7, faults=_demo_faults(), port=port)
        sb = ctx.__enter__()
    except OSError:
        ctx = running_sandbox(seed=7, faults=_demo_faults())
        sb = ctx.__enter__()
    try:
        yield sb
    finally:
        ctx.__exit__(None, None, None)


@click.command()
@click.option("--dir", "directory", default="govmedia-demo", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", default=DEMO_PORT, show_default=True, help="Sandbox port (a free one if taken).")
def demo(directory: Path, port: int) -> None:
    """Run the whole product on a sample county: its own config, SQLite database and sandbox."""
    directory.mkdir(parents=True, exist_ok=True)
    click.echo(tr(f"演示目录：{directory.resolve()}", f"demo directory: {directory.resolve()}"))
    with _demo_sandbox(port) as sb:
        click.echo(tr(f"模拟平台（微信、微博、企业微信）已启动：{sb.base_url}", f"platform sandbox running at {sb.base_url}"))
        settings = demo_config(directory, sb.base_url, sb.county)
        rt = Runtime(App(settings=settings, db_url=settings.database_url, actor="demo"))
        _demo_ledger(rt)
        _demo_collect(rt)
        _demo_check(rt)
        _demo_notify(rt, sb.base_url)
        _demo_reports(rt, directory)
        used_port = urlsplit(sb.base_url).port or port  # the config points at this port, not always --port
    click.echo(tr("\n继续查看（在演示目录中运行）：", "\nlook further (run inside the demo directory):"))
    serve_hint = tr(f"govmedia sandbox serve --port {used_port}   # 另开终端，之后可运行 govmedia collect",
                    f"govmedia sandbox serve --port {used_port}   # in another terminal; then govmedia collect")
    admin = tr("printf '%s\\n' '至少10个字符的密码' | govmedia web user add 管理员 --role admin --password-stdin   # 第一个网页管理员",
               "printf '%s\\n' 'a-password-of-10+' | govmedia web user add admin --role admin --password-stdin   # the first web admin")
    web_hint = tr("govmedia web serve --port 8000   # 网页控制台：浏览器打开 http://127.0.0.1:8000/",
                  "govmedia web serve --port 8000   # web console: open http://127.0.0.1:8000/")
    for cmd in ("govmedia findings", "govmedia review list", "govmedia notify log", "govmedia report matrix", serve_hint,
                admin, web_hint):
        click.echo(f"  cd {directory} && {cmd}")


@click.group()
def sandbox() -> None:
    """The local platform simulator (WeChat, Weibo, WeCom, feeds)."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True)
@click.option("--seed", default=7, show_default=True, help="Seed of the generated county.")
@click.option("--faults", "faults_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file of faults to inject.")
def sandbox_serve(host: str, port: int, seed: int, faults_file: Path | None) -> None:
    """Serve the simulator until Ctrl-C."""
    from sandbox.server import serve

    serve(host, port, seed, faults_file)


@sandbox.command("messages")
@click.option("--url", default=f"http://127.0.0.1:{DEMO_PORT}", show_default=True, help="Sandbox base URL.")
@click.option("--channel", help="wecom_app, wecom_robot or mp_template.")
@format_options
def sandbox_messages(url: str, channel: str | None, fmt: str, out: Path | None) -> None:
    """List what the bot sent to the sandbox."""
    from sandbox.server import fetch_messages

    try:
        messages = fetch_messages(url, channel)
    except Exception as exc:  # connection refused etc.: say so plainly
        fail(tr(f"无法连接模拟平台 {url}：{type(exc).__name__}", f"cannot reach the sandbox at {url}: {type(exc).__name__}"),
             EXIT_FAILED)
    fields = [Field(k, k) for k in ("seq", "channel", "at", "to", "msgtype", "status", "reason")]
    emit(messages, fields, fmt, out, sheet="messages")


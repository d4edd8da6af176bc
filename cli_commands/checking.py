"""Checks, findings, the rule catalogue and shutdown reviews."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_commands import jobs
from cli_commands.app import App, emit, fail, format_options, pass_app, platform_option
from cli_commands.runtime import Runtime, pass_runtime, rule_names
from registry.config.i18n import get_lang, tr
from registry.ledger import accounts as store
from reports import findings_view
from reports.output import Field, render

if TYPE_CHECKING:
    from rules.evaluate import CheckSummary


def as_of_time(app: App, value: dt.datetime | None) -> dt.datetime:
    """The evaluation moment: --as-of in the county zone, else now."""
    if value is None:
        return dt.datetime.now(app.tz)
    return value.replace(tzinfo=app.tz) if value.tzinfo is None else value


DATETIME = click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"])


@click.command()
@click.option("--as-of", "as_of", type=DATETIME, help="Evaluate as at this time (county time zone).")
@click.option("--fail-on", type=click.Choice(["veto", "warning"]), help="Exit 1 when findings of this level exist.")
@pass_runtime
def check(rt: Runtime, as_of: dt.datetime | None, fail_on: str | None) -> None:
    """Evaluate every account, open/refresh/resolve findings, open shutdown reviews."""
    rt.rule_settings  # noqa: B018 - a config error before the database opens
    now = as_of_time(rt.app, as_of)
    summary = rt.app.run(lambda: jobs.check(rt, now))
    _print_check(now, summary)
    severities = summary.by_severity
    if fail_on == "veto" and severities.get("veto"):
        sys.exit(1)
    if fail_on == "warning" and (severities.get("veto") or severities.get("warning")):
        sys.exit(1)


def _print_check(now: dt.datetime, summary: CheckSummary) -> None:
    """The check's summary: accounts, findings by rule, what changed."""
    names = rule_names()
    click.echo(tr(f"检查时间：{now:%Y-%m-%d %H:%M}，账号 {summary.accounts} 个（在用 {summary.active} 个）",
                  f"checked at {now:%Y-%m-%d %H:%M}: {summary.accounts} accounts ({summary.active} active)"))
    rows = [{"rule": rid, "name": names.get(rid, rid), "count": n} for rid, n in sorted(summary.by_rule.items())]
    click.echo(render(rows, [Field("rule", tr("规则", "Rule")), Field("name", tr("问题", "Problem")),
                             Field("count", tr("账号数", "Accounts"), True)], "table"))
    sync = summary.sync
    click.echo(tr(f"新发现 {len(sync.opened)}，持续 {len(sync.refreshed)}，已解除 {len(sync.resolved)}，"
                  f"因采集中断暂缓判断 {len(sync.kept_blind)}，新立关停整合复核 {len(sync.reviews_opened)}",
                  f"{len(sync.opened)} new, {len(sync.refreshed)} ongoing, {len(sync.resolved)} resolved, "
                  f"{len(sync.kept_blind)} held while blind, {len(sync.reviews_opened)} reviews opened"))


@click.command("findings")
@click.option("--state", type=click.Choice(["open", "resolved", "all"]), default="open", show_default=True)
@click.option("--rule", help="Only this rule id.")
@click.option("--unit", help="Unit name (substring).")
@click.option("--account", "ref", help="Only this account (REF).")
@platform_option
@format_options
@pass_app
def findings_cmd(app: App, state: str, rule: str | None, unit: str | None, ref: str | None, platform: str | None,
                 fmt: str, out: Path | None) -> None:
    """List findings (JSON keys are stable for other tools)."""
    from registry.findings.checks import findings as load_findings

    names = rule_names()

    async def use_case() -> list[dict[str, Any]]:
        ids = [(await store.find_account(ref)).id] if ref else None
        found = await load_findings(state=state, rule=rule, unit=unit, account_ids=ids)
        return [findings_view.finding_record(f, names) for f in found
                if platform is None or (f.account is not None and f.account.platform == platform)]

    records = app.run(use_case)
    if fmt == "table" and out is None:
        rows = findings_view.finding_table_rows(records, app.tz, app.today())
        click.echo(render(rows, findings_view.finding_table_fields(), "table"))
        click.echo(tr(f"共 {len(records)} 条", f"{len(records)} findings"))
    else:
        emit(records, findings_view.finding_fields(), fmt, out, sheet="findings")


@click.group()
def rules() -> None:
    """The rule catalogue."""


@rules.command("list")
@format_options
@pass_runtime
def rules_list(rt: Runtime, fmt: str, out: Path | None) -> None:
    """Each rule, its Chinese name, severity and effective settings."""
    from rules.config import describe

    infos = describe(rt.rule_settings)
    records = [{"id": i.id, "name": i.name_zh if get_lang() == "zh" else i.name_en,
                "severity": findings_view.severity_label(i.severity),
                "settings": ", ".join(f"{k}={v}" for k, v in i.settings.items()),
                "overrides": ", ".join(f"{kind}: {v}" for kind, v in i.overrides.items())} for i in infos]
    fields = [Field("id", "ID"), Field("name", tr("名称", "Name")), Field("severity", tr("级别", "Severity")),
              Field("settings", tr("设置", "Settings")), Field("overrides", tr("按单位类型覆盖", "Overrides"))]
    emit(records, fields, fmt, out, sheet="rules")


@click.group()
def review() -> None:
    """Shutdown review cases (关停整合)."""


@review.command("list")
@click.option("--state", type=click.Choice(["open", "decided", "all"]), default="open", show_default=True)
@format_options
@pass_app
def review_list(app: App, state: str, fmt: str, out: Path | None) -> None:
    """List review cases."""
    from registry.ledger.reviews import list_reviews

    names = rule_names()

    async def use_case() -> list[dict[str, Any]]:
        return [findings_view.review_record(r, names) for r in await list_reviews(state)]

    emit(app.run(use_case), findings_view.review_fields(), fmt, out, sheet="reviews")


@review.command("show")
@click.argument("ref")
@pass_app
def review_show(app: App, ref: str) -> None:
    """Show one review case (its number, or an account REF)."""
    from registry.ledger.reviews import find_review

    names = rule_names()

    async def use_case() -> dict[str, Any]:
        return findings_view.review_record(await find_review(ref), names)

    record = app.run(use_case)
    for field in [*findings_view.review_fields(), Field("reason", tr("理由", "Reason"))]:
        click.echo(f"{field.header}: {record[field.key]}")


@review.command("dossier")
@click.argument("ref")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="HTML file (default dossier-<id>.html).")
@pass_app
def review_dossier(app: App, ref: str, out: Path | None) -> None:
    """Write the decision packet of a review case (printable HTML)."""
    from registry.ledger.reviews import find_review
    from registry.views.dossier_data import build_dossier
    from reports.dossier import render_dossier

    async def use_case() -> tuple[int, str]:
        r = await find_review(ref)
        return r.id, render_dossier(await build_dossier(r, dt.datetime.now(app.tz)))

    review_id, html = app.run(use_case)
    path = out or Path(f"dossier-{review_id}.html")
    path.write_text(html, encoding="utf-8")
    click.echo(tr(f"已写入复核材料：{path}", f"wrote dossier: {path}"))


@review.command("decide")
@click.argument("ref")
@click.option("--decision", required=True, type=click.Choice(["保留整改", "整合", "关停", "注销"]))
@click.option("--reason", required=True)
@click.option("--merge-into", "merge_into", help="Account REF that absorbs this one (整合).")
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), help="Rectification deadline (保留整改).")
@pass_app
def review_decide(app: App, ref: str, decision: str, reason: str, merge_into: str | None,
                  deadline: dt.datetime | None) -> None:
    """Decide a review case; the account's status changes through the audit trail."""
    from registry.ledger.reviews import decide

    try:
        r = app.run(lambda: decide(ref, decision, reason, actor=app.actor, today=app.today(), merge_into=merge_into,
                                   deadline=deadline.date() if deadline else None))
    except ValueError as exc:
        fail(str(exc))
    extra = tr(f"，整改期限 {r.deadline}", f", deadline {r.deadline}") if r.deadline else ""
    click.echo(tr(f"复核案件 #{r.id}（{r.account.name}）已决定：{decision}{extra}",
                  f"review #{r.id} ({r.account.name}) decided: {decision}{extra}"))

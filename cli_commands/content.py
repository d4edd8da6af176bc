"""`govmedia content check`: 错敏 and privacy check of a draft before it is published."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_commands.app import App, fail, pass_app
from registry.config.i18n import tr

if TYPE_CHECKING:
    from rules.content.draft import DraftReport
    from rules.content.hits import Severity

# rules.content is imported inside the command, so that other commands do not pay for it at start-up.
FORMATS = ("txt", "md", "html", "docx")  # rules.content.extract.FORMATS


@click.group()
def content() -> None:
    """内容安全：发布前检查错敏表述与个人隐私。"""


@content.command("check")
@click.argument("source", metavar="FILE|-")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--input-format", type=click.Choice(FORMATS), help="Format of the input (default: by suffix; stdin: txt).")
@click.option("--date", "published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date (default today).")
@click.option("--hotline", multiple=True, help="The unit's own published number (allowed); repeatable.")
@click.option("--lexicon", multiple=True, type=click.Path(path_type=Path), help="Extra lexicon file; repeatable.")
@click.option("--fail-on", type=click.Choice(["severe", "warning"]), default="severe", show_default=True,
              help="Exit 1 when problems at least this serious are found.")
@pass_app
def check_cmd(app: App, source: str, fmt: str, input_format: str | None, published: dt.datetime | None,
              hotline: tuple[str, ...], lexicon: tuple[Path, ...], fail_on: str) -> None:
    """Check a draft (txt, md, html, docx; - for stdin) for outdated names, 错别字/敏感词 and personal numbers."""
    from rules.content.draft import check_draft
    from rules.content.extract import ExtractError, format_of
    from rules.content.hits import ScanContext, parse_severity
    from rules.content.lexicon import LexiconError

    data = _read(source)
    cfg = app.settings.section("content")
    lexicons = [app.settings.base_dir / str(p) for p in cfg.get("lexicons", [])] + list(lexicon)
    leaders = [app.settings.base_dir / str(p) for p in cfg.get("leaders", [])]
    severity = parse_severity(str(cfg.get("privacy_severity", "warning")))
    if severity is None:
        fail(tr(f"配置 [content] privacy_severity 无效：{cfg.get('privacy_severity')!r}（severe/warning/notice）",
                f"config [content] privacy_severity is invalid: {cfg.get('privacy_severity')!r} (severe/warning/notice)"))
    context = ScanContext.of([*map(str, cfg.get("hotlines", [])), *hotline], severity, draft=True)
    try:
        report = check_draft(data, input_format or format_of(source), lexicons=lexicons, leaders=leaders,
                             published_on=published.date() if published else app.today(), context=context)
    except (ExtractError, LexiconError) as exc:
        fail(f"{source}: {exc}" if isinstance(exc, ExtractError) else str(exc))
    if fmt == "json":
        click.echo(json.dumps(_as_json(source, report), ensure_ascii=False, indent=1))
    else:
        _print(report)
    if report.worst_at_least(parse_severity(fail_on) or "severe"):
        sys.exit(1)


def _read(source: str) -> bytes:
    """The draft's bytes, refused (exit 2) past MAX_DRAFT_BYTES without reading further (/dev/zero, say)."""
    from rules.content.extract import MAX_DRAFT_BYTES

    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_DRAFT_BYTES + 1)
        else:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_DRAFT_BYTES + 1)
    except OSError as exc:
        fail(tr(f"无法读取文件 {source}：{exc.strerror or exc}", f"cannot read {source}: {exc.strerror or exc}"))
    if len(data) > MAX_DRAFT_BYTES:
        mb = MAX_DRAFT_BYTES // (1024 * 1024)
        fail(tr(f"{source}：文件过大（超过 {mb} MB），不是一篇稿件", f"{source}: larger than {mb} MB, not a draft"))
    return data


def _severity_label(severity: Severity) -> str:
    from rules.content.hits import SEVERITY_ZH

    return tr(SEVERITY_ZH[severity], severity)


def _as_json(source: str, report: DraftReport) -> dict[str, Any]:
    from rules.content.scanner import Locator

    where = Locator(report.text)
    hits = []
    for h in report.hits:
        line, col = where.line_col(h.start)
        hits.append({"line": line, "column": col, **dataclasses.asdict(h)})
    return {"file": source, "chars": len(report.text),
            "counts": {s: report.count(s) for s in ("severe", "warning", "notice")}, "hits": hits}


def _print(report: DraftReport) -> None:
    from rules.content.hits import KIND_EN, KIND_ZH
    from rules.content.scanner import Locator

    where = Locator(report.text)
    for h in report.hits:
        line, col = where.line_col(h.start)
        zh, en = KIND_ZH[h.kind], KIND_EN[h.kind]
        cat = f"（{h.category}）" if h.category and h.category != zh else ""
        click.echo(tr(f"第{line}行第{col}列 [{_severity_label(h.severity)}] {zh}{cat}：「{h.matched}」 建议：{h.suggestion or '—'}",
                      f"line {line} col {col} [{h.severity}] {en}: \"{h.matched}\" suggestion: {h.suggestion or '—'}"))
        click.echo(tr(f"    上下文：{h.context}", f"    context: {h.context}"))
        click.echo(tr(f"    依据：{h.source}", f"    source: {h.source}"))
    if not report.hits:
        click.echo(tr(f"未发现问题（共检查 {len(report.text)} 字）", f"no problems found ({len(report.text)} characters checked)"))
        return
    click.echo(tr(f"共发现 {len(report.hits)} 处问题：严重 {report.count('severe')}，一般 {report.count('warning')}，"
                  f"提示 {report.count('notice')}（共检查 {len(report.text)} 字）",
                  f"{len(report.hits)} problems: {report.count('severe')} severe, {report.count('warning')} warning, "
                  f"{report.count('notice')} notice ({len(report.text)} characters checked)"))

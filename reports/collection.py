"""Collection summaries and status tables (`govmedia collect`, `collect status`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from registry.config.i18n import tr
from registry.observations.store import StatusRow
from reports.output import Field
from reports.registry_lists import platform_label

ERROR_LABELS = {
    "auth": ("认证失败", "auth"),
    "quota": ("超出频率/配额", "quota"),
    "gone": ("账号不存在或已删除", "gone"),
    "network": ("网络或平台故障", "network"),
    "parse": ("数据格式异常", "parse"),
    "unauthorized": ("接口未授权", "unauthorized"),
}


def error_label(kind: str | None) -> str:
    """An error kind in the current language."""
    if not kind:
        return ""
    zh, en = ERROR_LABELS.get(kind, (kind, kind))
    return tr(f"{zh}（{kind}）", en)


class OutcomeLike(Protocol):
    """What the summary needs of one account's outcome."""

    status: str
    error_kind: str | None
    message: str
    new_posts: int
    calls: int

    @property
    def target(self) -> Any: ...


def summary_fields() -> list[Field]:
    """Columns of the pass summary."""
    return [Field("method", tr("采集方式", "Method")), Field("accounts", tr("账号", "Accounts"), True),
            Field("ok", tr("成功", "OK"), True), Field("failed", tr("失败", "Failed"), True),
            Field("skipped", tr("跳过", "Skipped"), True), Field("new_posts", tr("新发现文章", "New posts"), True),
            Field("calls", tr("接口调用", "Calls"), True)]


def summary_records(outcomes: Sequence[OutcomeLike]) -> list[dict[str, Any]]:
    """One row per collection method plus a total row."""
    rows: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        method = o.target.method
        row = rows.setdefault(method, {"method": method, "accounts": 0, "ok": 0, "failed": 0, "skipped": 0,
                                       "new_posts": 0, "calls": 0})
        row["accounts"] += 1
        row[o.status] = row.get(o.status, 0) + 1
        row["new_posts"] += o.new_posts
        row["calls"] += o.calls
    out = [rows[k] for k in sorted(rows)]
    if out:
        total = {"method": tr("合计", "total")}
        for key in ("accounts", "ok", "failed", "skipped", "new_posts", "calls"):
            total[key] = sum(r[key] for r in out)
        out.append(total)
    return out


def failure_lines(outcomes: Sequence[OutcomeLike]) -> list[str]:
    """One line per failed account."""
    lines = []
    for o in outcomes:
        if o.status == "failed":
            t = o.target
            lines.append(f"  ✗ {t.name}（{platform_label(t.platform)} {t.uid}）{error_label(o.error_kind)}：{o.message}")
    return lines


def status_fields() -> list[Field]:
    """Columns of `collect status`."""
    return [Field("ref", tr("账号", "Account")), Field("name", tr("名称", "Name")), Field("method", tr("方式", "Method")),
            Field("last_success", tr("最近成功", "Last success")), Field("last_attempt", tr("最近尝试", "Last attempt")),
            Field("error", tr("最近错误", "Last error")), Field("posts", tr("文章数", "Posts"), True),
            Field("last_post", tr("最新文章", "Last post")), Field("known_until", tr("数据截至", "Known until"))]


def _t(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def status_records(rows: Sequence[StatusRow]) -> list[dict[str, Any]]:
    """Records of `collect status`."""
    return [{"ref": r.ref, "name": r.name, "method": r.method, "last_success": _t(r.last_success_at),
             "last_attempt": _t(r.last_attempt_at), "error": error_label(r.last_error_kind) if r.last_error_kind else "",
             "error_message": r.last_error, "posts": r.posts, "last_post": _t(r.last_post_at),
             "known_until": _t(r.known_until)} for r in rows]

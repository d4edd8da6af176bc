"""Render a review dossier (关停整合复核材料) as one self-contained, printable HTML page."""

from __future__ import annotations

import statistics
from html import escape

from registry.ledger.columns import COLUMNS
from registry.views.dossier_data import Dossier
from reports.registry_lists import platform_label, status_label

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#222;line-height:1.5}
h1{font-size:22px;text-align:center}h2{font-size:17px;border-left:4px solid #b22;padding-left:8px;margin-top:24px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}td,th{border:1px solid #999;padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f2f2f2}.num{text-align:right}.muted{color:#777}
@page{size:A4;margin:18mm}@media print{h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _fig(value: int | None) -> object:
    return "—" if value is None else value  # unknown is never 0


def _rows(pairs: list[tuple[str, object]]) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in pairs)


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body or '<tr><td colspan=99 class=muted>无</td></tr>'}</table>"


def peer_medians(totals: list[tuple[int, int | None]]) -> dict[str, float]:
    """Medians over the peers' (posts, reads) of 90 days: posts, and reads per post over the peers whose
    reads are known (a key is absent when nothing is known: unknown is never a median of zeros)."""
    if not totals:
        return {}
    out = {"posts_90d": float(statistics.median(n for n, _ in totals))}
    per_post = [r / n for n, r in totals if r is not None and n]
    if per_post:
        out["reads_per_post_90d"] = statistics.median(per_post)
    return out


def _followers(d: Dossier) -> str:
    # An abbreviated platform figure ("693.2万") is shown as approximate, never as an exact count.
    if d.followers is None:
        return "未知"
    return f"≈{d.followers / 10_000:.1f}万" if d.followers_approx else str(d.followers)


_COVERAGE = {"full": "全文", "digest": "摘要或部分正文", "title": "仅标题"}


def _content_findings(d: Dossier) -> str:
    """The account's content findings (错敏, personal data) with their posts; numbers stay masked."""
    rows: list[list[object]] = []
    for f in d.findings:
        hits = f.evidence.get("hits") if isinstance(f.evidence, dict) else None
        if not isinstance(hits, list) or "post" not in f.evidence:
            continue  # only content findings carry the problems of one post
        problems = "；".join(f"「{h.get('matched', '')}」→{h.get('suggestion', '') or '核实'}" for h in hits)
        post = f"{f.evidence.get('published_on', '')} 《{f.evidence.get('title', '')}》 {f.evidence.get('url', '')}"
        rows.append([f.id, post, problems, _COVERAGE.get(str(f.evidence.get("coverage")), "仅标题"),
                     "持续" if f.state == "open" else "已解除"])
    known = "，".join(f"{_COVERAGE[k]} {n} 篇" for k, n in d.coverage.items() if n) or "无发文"
    return (f"<h2>四（附）、内容安全问题</h2><p>已采集文章的可查文字：{escape(known)}（只检查已取得的文字）</p>"
            + _table(["编号", "文章", "问题与建议", "检查范围", "状态"], rows))


def render_dossier(d: Dossier) -> str:
    """The dossier as HTML (Chinese)."""
    a, r = d.account, d.review
    title = f"{a.name}（{platform_label(a.platform)}）关停整合复核材料"
    parts = [f"<h1>{escape(title)}</h1>",
             f"<p class=muted>复核案件 #{r.id}，立案 {r.opened_at:%Y-%m-%d}，触发规则 {escape(r.rule)}，"
             f"当前状态 {escape(status_label(a.status))}</p>"]
    parts.append("<h2>一、台账信息</h2><table>" + _rows([(c.header, d.ledger.get(c.key, "")) for c in COLUMNS]) + "</table>")
    last = d.last_post
    parts.append("<h2>二、更新与传播</h2>")
    parts.append("<p>最近一篇：" + (escape(f"{last['published_at']:%Y-%m-%d} 《{last['title']}》") if last else "采集范围内无发文")
                 + f"；粉丝数：{_followers(d)}</p>")
    parts.append(_table(["时间范围", "发文数", "阅读数", "互动数", "篇均阅读"],
                        [[f"近{w.days}天", w.posts, _fig(w.reads), _fig(w.interactions),
                          "—" if w.reads_per_post is None else f"{w.reads_per_post:.0f}"] for w in d.windows]))
    medians = "；".join(f"{k}: {v:.1f}" for k, v in peer_medians(d.peer_totals).items()) or "无可比账号"
    parts.append(f"<p>同平台同类单位账号（{len(d.peer_totals)}个）近90天中位数：{escape(medians)}</p>")
    parts.append("<h2>三、同单位同平台的其他账号</h2>" + _table(
        ["账号", "账号ID", "状态"], [[s.name, s.uid or "—", status_label(s.status)] for s in d.siblings]))
    parts.append("<h2>四、问题记录</h2>" + _table(
        ["编号", "规则", "情况", "首次发现", "状态"],
        [[f.id, f.rule, f.summary_zh, f"{f.first_seen:%Y-%m-%d}", "持续" if f.state == "open" else "已解除"] for f in d.findings]))
    parts.append(_content_findings(d))
    parts.append("<h2>五、预警推送与回复</h2>" + _table(
        ["时间", "渠道", "接收人", "类型", "状态"],
        [[f"{n.created_at:%Y-%m-%d %H:%M}", n.channel, n.recipient, n.kind, n.state] for n in d.notifications]))
    parts.append("<h2>六、豁免</h2>" + _table(
        ["起", "止", "申请人", "理由", "状态"],
        [[f"{s.starts_at:%Y-%m-%d}", f"{s.ends_at:%Y-%m-%d}", s.author, s.reason, s.state] for s in d.silences]))
    parts.append("<h2>七、台账变更记录</h2>" + _table(
        ["时间", "操作人", "动作", "说明"], [[f"{e.at:%Y-%m-%d %H:%M}", e.actor, e.action, e.note] for e in d.audit]))
    parts.append("<h2>八、决定</h2><p>□ 保留整改（期限：______）　□ 整合（并入：______）　□ 关停　□ 注销</p>"
                 "<p>审批意见：</p><p style='height:80px'></p><p>分管领导签字：________　日期：________</p>")
    return f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{escape(title)}</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>"

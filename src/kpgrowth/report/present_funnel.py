"""Funnel and retention as people read them: localized charts and table rows.

Shared by the dashboard's ``/funnel`` and ``/retention`` pages and the report's
funnel and retention sections, so both show the same numbers and charts in 中文
or English. Labels used only here (keys ``fu.*`` and ``ret.*``) are registered on
import.

Examples
--------
>>> step_label("trailer_view", "zh"), step_label("purchase[product_id=p1]", "en")
('试听', 'purchase[product_id=p1]')
>>> fmt_duration(95, "en"), fmt_duration(5400, "zh"), fmt_duration(3 * 86400, "en")
('1.6 min', '1.5小时', '3.0 d')
>>> fmt_ci(0.25, 0.2, 0.31)
('25.0%', '20.0–31.0%')
"""

from __future__ import annotations

import re
from typing import Any

from kpgrowth.report.i18n import add_labels, currency_symbol, fmt_count, platform_name, t
from kpgrowth.report.present import FONT

_EVENTS_ZH = {
    "impression": "曝光", "view": "浏览", "like": "点赞", "comment": "评论", "share": "转发",
    "save": "收藏", "follow": "关注", "unfollow": "取消关注", "click": "点击",
    "landing": "落地页", "trailer_view": "试听", "signup": "注册", "add_to_cart": "加购",
    "coupon_claim": "领券", "purchase": "购买", "refund": "退款", "lesson_start": "开始学习",
    "lesson_complete": "完课", "community_join": "入群", "community_leave": "退群",
    "community_message": "群内发言", "referral_invite": "邀请好友",
}

LABELS: dict[str, tuple[str, str]] = {
    **{f"fu.ev.{k}": (v, k.replace("_", " ")) for k, v in _EVENTS_ZH.items()},
    "fu.title": ("转化漏斗", "Conversion funnel"),
    "fu.steps": ("漏斗步骤（按顺序）", "Funnel steps (in order)"),
    "fu.none": ("（不使用）", "(none)"),
    "fu.add_step": ("添加步骤", "Add step"),
    "fu.remove": ("删除", "Remove"),
    "fu.up": ("上移", "Move up"),
    "fu.down": ("下移", "Move down"),
    "fu.window": ("转化窗口", "Conversion window"),
    "fu.window_hint": ("如 14d、12h、30m", "e.g. 14d, 12h, 30m"),
    "fu.order": ("步骤顺序", "Step order"),
    "fu.order.sequential": ("依次发生（中间可有其他行为）", "Sequential (other events may happen between)"),
    "fu.order.strict": ("严格连续（中间不能有其他行为）", "Strict (nothing in between)"),
    "fu.order.any": ("任意顺序", "Any order"),
    "fu.breakdown": ("细分维度", "Breakdown"),
    "fu.bd.none": ("不细分", "No breakdown"),
    "fu.bd.platform": ("平台", "Platform"),
    "fu.bd.campaign_id": ("投放活动", "Campaign"),
    "fu.bd.post_id": ("作品", "Post"),
    "fu.bd.product_id": ("商品", "Product"),
    "fu.bd.community_id": ("事件所在社群", "Community of the event"),
    "fu.bd.kol": ("带来用户的账号 / KOL", "Account / KOL that brought them"),
    "fu.bd.promoter": ("分销推广人", "Promoter (referrer)"),
    "fu.bd.community": ("所在社群", "Community they were in"),
    "fu.bd.users.first_channel": ("获客渠道", "Acquisition channel"),
    "fu.bd.users.first_platform": ("首次接触平台", "First platform"),
    "fu.bd.users.region": ("地区", "Region"),
    "fu.chart": ("各步骤转化率（误差线为 95% 置信区间）",
                 "Conversion by step (error bars: 95% confidence interval)"),
    "fu.ci_hint": (("误差线是 Wilson 95% 置信区间：人数少时区间很宽，两个数字的差异可能只是偶然。"),
                   ("Error bars are Wilson 95% intervals: with few people they are wide, and a "
                    "difference between two numbers may be chance.")),
    "fu.table": ("步骤明细", "Step details"),
    "fu.step": ("步骤", "Step"),
    "fu.people": ("人数", "People"),
    "fu.conv_prev": ("较上一步", "From previous step"),
    "fu.conv_first": ("较第一步", "From first step"),
    "fu.dropped": ("流失", "Dropped"),
    "fu.median": ("距上一步用时（中位数）", "Median time from previous step"),
    "fu.p90": ("距上一步用时（90% 分位）", "90th percentile time"),
    "fu.export": ("流失用户 CSV", "Dropped users CSV"),
    "fu.export_hint": (("「流失用户 CSV」下载到达这一步但没有进入下一步的用户（含最近活跃时间），"
                        "可直接用于再营销。"),
                       ("“Dropped users CSV” downloads the people who reached a step but not the "
                        "next (with their latest activity), ready for retargeting.")),
    "fu.by": ("分组对比", "Breakdown"),
    "fu.ttc": ("转化时长分布（距上一步）", "Time to convert (from the previous step)"),
    "fu.duration": ("时长", "Time"),
    "fu.bad_input": ("参数有误", "Please check the parameters"),
    "fu.no_entries": ("这段时间没有人完成漏斗的第一步。",
                      "Nobody did the funnel's first step in this period."),
    "fu.missing": ("（缺失）", "(missing)"),
    "fu.other": ("（其他）", "(other)"),
    "fu.report_hint": ("步骤：曝光 → 点击 → 试听 → 购买 → 完课 → 转发，转化窗口 14 天。",
                       ("Steps: impression → click → trailer view → purchase → lesson complete "
                        "→ share, within 14 days.")),
    "ret.title": ("留存与生命周期价值", "Retention and lifetime value"),
    "ret.period": ("周期", "Period"),
    "ret.p.day": ("天", "Day"), "ret.p.week": ("周", "Week"), "ret.p.month": ("月", "Month"),
    "ret.k.day": ("第{k}天", "Day {k}"), "ret.k.week": ("第{k}周", "Week {k}"),
    "ret.k.month": ("第{k}月", "Month {k}"),
    "ret.periods": ("周期数", "Periods"),
    "ret.cohort_by": ("分组方式", "Cohort by"),
    "ret.cb.first_event": ("首次行为", "First event"),
    "ret.cb.signup": ("注册", "Signup"),
    "ret.cb.first_purchase": ("首次购买", "First purchase"),
    "ret.cb.channel": ("获客渠道", "Acquisition channel"),
    "ret.cb.community": ("所在社群", "Community"),
    "ret.mode": ("计算口径", "Counting"),
    "ret.mode.on": ("当期回访", "Returned in period k"),
    "ret.mode.on_or_after": ("当期或之后仍回访", "Returned in k or later"),
    "ret.heatmap": ("同期群留存", "Cohort retention"),
    "ret.hint": ("第 0 期为 100%；空白格表示这个同期群还没到那一期。",
                 "Period 0 is 100%; blank cells are periods a cohort has not reached yet."),
    "ret.capped": ("只显示最近 {n} 个同期群（共 {total} 个）；平均曲线包含全部。",
                   "Showing the latest {n} of {total} cohorts; the average curve uses all."),
    "ret.cohort": ("同期群", "Cohort"),
    "ret.size": ("人数", "Size"),
    "ret.curve": ("平均留存曲线（按人数加权）", "Average retention (weighted by cohort size)"),
    "ret.rate": ("留存率", "Retained"),
    "ret.average": ("平均", "average"),
    "ret.ltv": ("累计人均营收（LTV 曲线）", "Cumulative revenue per person (LTV curves)"),
    "ret.ltv_axis": ("人均累计净营收", "Net revenue per person"),
    "ret.ltv_hint": ("每个同期群的人在入组后 k 期内平均带来的净营收（已扣退款）。",
                     ("Net revenue (refunds deducted) per cohort member up to k periods "
                      "after entry.")),
    "ret.ltv_report": ("按首次购买分组：每位客户入组后各周的累计净营收（已扣退款）。",
                       ("Cohorts by first purchase: cumulative net revenue per customer by week "
                        "(refunds deducted).")),
    "ret.no_orders": ("还没有订单，无法计算 LTV。", "No orders yet, so no LTV."),
    "ret.lifecycle": ("用户生命周期", "Lifecycle"),
    "ret.new": ("新用户", "new"), "ret.returning": ("持续活跃", "returning"),
    "ret.resurrecting": ("回流", "resurrecting"), "ret.dormant": ("沉睡", "dormant"),
    "ret.dau": ("日活 DAU", "DAU"), "ret.wau": ("周活 WAU", "WAU"), "ret.mau": ("月活 MAU", "MAU"),
    "ret.dau_mau": ("粘性 DAU/MAU", "Stickiness DAU/MAU"),
    "ret.as_of": ("截至 {day}", "As of {day}"),
    "ret.no_cohorts": ("所选时间段内没有同期群。", "No cohorts start in the chosen dates."),
    "ret.no_data": (("还没有行为或订单数据，无法计算留存。请先在「数据」页导入导出文件。"),
                    ("No events or orders yet, so no retention. Import your exports on the Data "
                     "page first.")),
}
"""Labels of the funnel and retention views (``fu.*``, ``ret.*``): ``key -> (中文, English)``."""

add_labels(LABELS)

_LAYOUT = {"margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "font": {"family": FONT},
           "hoverlabel": {"font": {"family": FONT}}, "title": None}


def step_label(name: str, lang: str) -> str:
    """A step's display name: the event type in ``lang``, else the step's own label."""
    key = f"fu.ev.{name}"
    return t(key, lang) if key in LABELS else name


def segment_label(value: Any, breakdown: str | None, lang: str) -> str:
    """A breakdown value as read: platforms by name, missing and pooled values translated."""
    if value is None:
        return t("fu.missing", lang)
    if value == "(other)":
        return t("fu.other", lang)
    if breakdown in ("platform", "users.first_platform"):
        return platform_name(value, lang)
    return str(value)


def fmt_duration(seconds: float | None, lang: str) -> str:
    """Seconds as the largest sensible unit (``–`` for None)."""
    if seconds is None:
        return "–"
    for size, zh, en in ((86400, "天", " d"), (3600, "小时", " h"), (60, "分钟", " min")):
        if seconds >= size:
            return f"{seconds / size:.1f}{zh if lang == 'zh' else en}"
    return f"{seconds:.0f}{'秒' if lang == 'zh' else ' s'}"


def fmt_ci(p: float | None, lo: float | None, hi: float | None) -> tuple[str, str]:
    """``(rate, interval)`` as percentages; ``("–", "")`` when there is no rate."""
    if p is None:
        return "–", ""
    return f"{100 * p:.1f}%", "" if lo is None else f"{100 * lo:.1f}–{100 * hi:.1f}%"


def _axis(res: Any, lang: str) -> list[str]:
    return [f"{k + 1}. {step_label(s, lang)}" for k, s in enumerate(res.steps)]


def _bars(go: Any, x: list[str], rows: list[dict[str, Any]], name: str | None, lang: str) -> Any:
    """Bars of conversion from step 1 (%) with Wilson error bars; counts as text."""
    y = [100.0 if r["step"] == 1 and r["count"] else
         None if r["conv_first"] is None else 100 * r["conv_first"] for r in rows]
    up = [0 if v is None or r["conv_first_hi"] is None else 100 * r["conv_first_hi"] - v
          for v, r in zip(y, rows)]
    down = [0 if v is None or r["conv_first_lo"] is None else v - 100 * r["conv_first_lo"]
            for v, r in zip(y, rows)]
    return go.Bar(x=x, y=y, name=name,
                  error_y={"type": "data", "array": up, "arrayminus": down, "visible": True},
                  customdata=[[fmt_count(r["count"], lang)] for r in rows],
                  hovertemplate=f"%{{x}}<br>{t('fu.people', lang)}: %{{customdata[0]}}"
                                f"<br>{t('fu.conv_first', lang)}: %{{y:.1f}}%<extra></extra>")


def funnel_figure(res: Any, lang: str, *, top: int = 8) -> Any:
    """Conversion from step 1 per step with 95 % error bars (one bar group per segment).

    ``res`` is a :class:`~kpgrowth.analytics.funnel.FunnelResult`; with a breakdown the
    ``top`` largest segments are drawn next to each other.
    """
    import plotly.graph_objects as go

    x = _axis(res, lang)
    if not (res.breakdown and res.by):
        fig = go.Figure(_bars(go, x, res.overall, None, lang))
    else:
        fig = go.Figure([_bars(go, x, [r for r in res.by if r["breakdown"] == value],
                               segment_label(value, res.breakdown, lang), lang)
                         for value in list(dict.fromkeys(r["breakdown"] for r in res.by))[:top]])
        fig.update_layout(barmode="group", legend_title_text=t(f"fu.bd.{res.breakdown}", lang))
    people = t("fu.people", lang)
    fig.update_layout(**_LAYOUT, height=380, yaxis_title=t("fu.conv_first", lang),
                      yaxis_ticksuffix="%", yaxis_range=[0, 105], showlegend=bool(res.breakdown))
    fig.update_xaxes(tickvals=x, ticktext=[f"{s}<br>{people} {fmt_count(r['count'], lang)}"
                                           for s, r in zip(x, res.overall)])
    return fig


def funnel_rows(res: Any, lang: str) -> list[dict[str, Any]]:
    """The step table: raw numbers plus their formatted forms (``*_fmt``, ``*_ci``)."""
    out = []
    for r in res.overall:
        prev, prev_ci = fmt_ci(r["conv_prev"], r["conv_prev_lo"], r["conv_prev_hi"])
        first, first_ci = fmt_ci(r["conv_first"], r["conv_first_lo"], r["conv_first_hi"])
        out.append({**r, "label": step_label(r["name"], lang),
                    "count_fmt": fmt_count(r["count"], lang),
                    "prev_fmt": prev, "prev_ci": prev_ci, "first_fmt": first, "first_ci": first_ci,
                    "dropped_fmt": "–" if r["dropped"] is None else fmt_count(r["dropped"], lang),
                    "median_fmt": fmt_duration(r["median_s_prev"], lang),
                    "p90_fmt": fmt_duration(r["p90_s_prev"], lang)})
    return out


def breakdown_rows(res: Any, lang: str) -> list[dict[str, Any]]:
    """One row per segment: ``label``, ``entered`` and per step ``cells`` (count, from step 1)."""
    out: dict[Any, dict[str, Any]] = {}
    for r in res.by:
        row = out.setdefault(r["breakdown"], {
            "value": r["breakdown"], "label": segment_label(r["breakdown"], res.breakdown, lang),
            "entered": r["count"], "cells": []})
        row["cells"].append({"count": r["count"], "count_fmt": fmt_count(r["count"], lang),
                             "first_fmt": fmt_ci(r["conv_first"], None, None)[0]
                             if r["step"] > 1 else ""})
    return list(out.values())


def _bin_label(label: str, lang: str) -> str:
    if lang != "zh":
        return label
    return re.sub(r"(\d)([mhd])", lambda m: m.group(1) + {"m": "分钟", "h": "小时", "d": "天"}[
        m.group(2)], label)


def ttc_figure(res: Any, lang: str, basis: str = "previous") -> Any:
    """Time-to-convert histogram: one bar series per step after the first."""
    import plotly.graph_objects as go

    fig = go.Figure()
    names = _axis(res, lang)
    for k in range(2, len(res.steps) + 1):
        bins = [h for h in res.histogram if h["step"] == k and h["basis"] == basis]
        fig.add_trace(go.Bar(x=[_bin_label(h["bin"], lang) for h in bins],
                             y=[h["count"] for h in bins], name=names[k - 1]))
    fig.update_layout(**_LAYOUT, height=320, barmode="group", xaxis_title=t("fu.duration", lang),
                      yaxis_title=t("fu.people", lang))
    return fig


def period_label(period: str, k: int, lang: str) -> str:
    """``第3周`` / ``Week 3``."""
    return t(f"ret.k.{period}", lang).format(k=k)


def latest(cohorts: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The ``n`` latest cohorts (of every group), oldest first."""
    keep = sorted({c["cohort"] for c in cohorts})[-n:]
    return [c for c in cohorts if c["cohort"] in keep]


def _cohort_name(c: dict[str, Any], many: bool) -> str:
    return f"{c['group']} · {c['cohort']}" if many else c["cohort"]


def retention_figure(res: Any, lang: str, *, limit: int = 30) -> Any:
    """Cohort heatmap (% retained, period 0 = 100 %) of the ``limit`` latest cohorts."""
    import plotly.graph_objects as go

    cohorts = latest(res.cohorts, limit)
    many = len({c["group"] for c in res.cohorts}) > 1
    z = [[None if r is None else round(100 * r, 1) for r in c["rates"]] for c in cohorts]
    size = t("ret.size", lang)
    fig = go.Figure(go.Heatmap(
        z=z, x=[period_label(res.period, k, lang) for k in range(res.periods)],
        y=[f"{_cohort_name(c, many)} ({size} {fmt_count(c['size'], lang)})" for c in cohorts],
        colorscale="Blues", zmin=0, zmax=100, xgap=1, ygap=1,
        text=[["" if v is None else f"{v:.0f}%" for v in row] for row in z],
        texttemplate="%{text}", colorbar={"ticksuffix": "%"},
        hovertemplate="%{y}<br>%{x}: %{z:.1f}%<extra></extra>"))
    fig.update_layout(**_LAYOUT, height=120 + 26 * max(len(cohorts), 1), plot_bgcolor="#fff",
                      yaxis={"autorange": "reversed", "type": "category"})
    fig.update_layout(margin={"l": 10})
    fig.update_yaxes(automargin=True)
    return fig


def curve_figure(res: Any, lang: str) -> Any:
    """The size-weighted average retention curve (one line per group)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for g in dict.fromkeys(p["group"] for p in res.curve):
        pts = [p for p in res.curve if p["group"] == g and p["rate"] is not None]
        fig.add_trace(go.Scatter(x=[period_label(res.period, p["k"], lang) for p in pts],
                                 y=[100 * p["rate"] for p in pts], mode="lines+markers",
                                 name=t("ret.average", lang) if g == "all" else str(g)))
    fig.update_layout(**_LAYOUT, height=320, yaxis_title=t("ret.rate", lang),
                      yaxis_ticksuffix="%", yaxis_range=[0, 105])
    return fig


def ltv_figure(rr: Any, lang: str, *, limit: int = 12) -> Any:
    """LTV curves of a :class:`RevenueRetentionResult`: the latest cohorts and the average."""
    import plotly.graph_objects as go

    many = len({c["group"] for c in rr.cohorts}) > 1
    x = [period_label(rr.period, k, lang) for k in range(rr.periods)]
    fig = go.Figure()
    for c in latest(rr.cohorts, limit):
        fig.add_trace(go.Scatter(x=x, y=c["ltv"], mode="lines", opacity=0.55,
                                 name=_cohort_name(c, many)))
    for g in dict.fromkeys(p["group"] for p in rr.curve):
        pts = [p for p in rr.curve if p["group"] == g]
        fig.add_trace(go.Scatter(x=[x[p["k"]] for p in pts], y=[p["ltv"] for p in pts],
                                 mode="lines+markers", line={"width": 4},
                                 name=t("ret.average", lang) + ("" if g == "all" else f" ({g})")))
    fig.update_layout(**_LAYOUT, height=340, yaxis_title=t("ret.ltv_axis", lang),
                      yaxis_tickprefix=currency_symbol(rr.currency))
    return fig


def lifecycle_figure(lc: Any, lang: str, *, limit: int = 30) -> Any:
    """New / returning / resurrecting above zero, dormant below, per period."""
    fig = lc.figure()
    rows = lc.rows[-limit:]
    for trace in fig.data:
        trace.y = [r[trace.name] for r in rows]
        trace.x = [r["period"] for r in rows]
        trace.name = t(f"ret.{trace.name}", lang)
    fig.update_layout(**_LAYOUT, height=320, yaxis_title=t("fu.people", lang),
                      xaxis_type="category")
    return fig

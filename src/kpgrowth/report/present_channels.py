"""Channels, attribution and paths before purchase as people read them.

Localized figures and formatted table rows shared by the dashboard's ``/channels`` page
and the report's channels section, so both show the same numbers, labels and charts in
中文 or English. Labels only these faces use are in :data:`LABELS` (prefix ``ch.``); event
types read as in the funnel (``fu.ev.*`` of :mod:`kpgrowth.report.present_funnel`).
:mod:`kpgrowth.report.present_content` does the same for content and community.

Examples
--------
>>> from kpgrowth.analytics.channels import ChannelResult
>>> res = ChannelResult("platform", [{"key": "douyin", "name": None, "tier": None,
...     "orders": 2, "buyers": 2, "gross_revenue": 300.0, "refunds": 0.0, "revenue": 300.0,
...     "spend": 0.0, "commission": 0.0, "cost": 0.0, "roi": None, "roas": None,
...     "cpa": None, "members": None, "conversion": None}])
>>> row = roi_table(res, "zh")["rows"][0]
>>> row["label"], [(c["col"], c["text"]) for c in row["cells"]][-3:]
('抖音', [('roi', '—'), ('roas', '—'), ('cpa', '—')])
>>> path_label(["…", "click@douyin", "trailer_view@?"], "type@platform", "zh")
'… → 点击@抖音 → 试听'
"""

from __future__ import annotations

from typing import Any

from kpgrowth.analytics.attribution_paths import ELLIPSIS
from kpgrowth.report.i18n import (
    add_labels,
    currency_symbol,
    fmt_count,
    fmt_money,
    fmt_pct,
    platform_name,
    t,
)
from kpgrowth.report.present import FONT
from kpgrowth.report.present_funnel import step_label as event_label

_MODEL_NAMES = {
    "first": ("首次触点", "First touch"), "last": ("末次触点", "Last touch"),
    "linear": ("线性平均", "Linear"), "time_decay": ("时间衰减", "Time decay"),
    "position": ("位置加权（U 型）", "Position-based (U-shaped)"),
    "markov": ("马尔可夫链", "Markov chain"), "shapley": ("沙普利值", "Shapley value")}
_MODEL_HELP = {
    "first": ("全部功劳给订单前的第一个触点：看谁把人第一次带进来。",
              "All credit to the first touch before the order: who brought people in."),
    "last": ("全部功劳给下单前的最后一个触点：看谁促成了成交。",
             "All credit to the last touch before the order: who closed the sale."),
    "linear": ("路径上每个触点平分功劳。", "Every touch on the path gets an equal share."),
    "time_decay": ("越接近下单的触点功劳越大（半衰期 7 天）。",
                   "Touches closer to the order count more (half-life 7 days)."),
    "position": ("首末触点各 40%，中间触点平分 20%。",
                 "40% to the first and the last touch, 20% shared by the ones between."),
    "markov": ("按“去掉这个渠道会少多少转化”（移除效应）分配，基于全部路径。",
               "Shares by removal effect: how many conversions are lost without the channel."),
    "shapley": ("合作博弈的沙普利值：渠道在所有组合中的平均边际贡献。",
                ("Shapley value: the channel's average marginal contribution over all "
                 "combinations of channels."))}
_SALES_CHANNELS = {
    "organic": ("自然流量", "Organic"), "paid": ("付费投放", "Paid"),
    "referral": ("分销转介绍", "Referral"), "community": ("社群", "Community"),
    "kol": ("达人 / KOL", "KOL"), "search": ("搜索", "Search"), "direct": ("直接访问", "Direct"),
    "email": ("邮件", "Email"), "feed": ("信息流", "Feed")}
LABELS: dict[str, tuple[str, str]] = {
    **{f"ch.model.{k}": v for k, v in _MODEL_NAMES.items()},
    **{f"ch.model.{k}.help": v for k, v in _MODEL_HELP.items()},
    **{f"ch.channel.{k}": v for k, v in _SALES_CHANNELS.items()},
    "ch.by": ("统计维度", "Group by"), "ch.by.platform": ("平台", "Platform"),
    "ch.by.campaign": ("投放计划", "Campaign"),
    "ch.by.channel": ("销售渠道", "Sales channel"), "ch.by.post": ("作品", "Post"),
    "ch.by.promoter": ("分销推广员", "Promoter (referral)"), "ch.by.community": ("社群", "Community"),
    "ch.roi_title": ("各渠道投入产出", "Return on investment by channel"),
    "ch.roi_chart": ("净营收与成本（投放 + 佣金）", "Net revenue and cost (spend + commission)"),
    "ch.cost": ("成本", "Cost"), "ch.spend": ("投放花费", "Ad spend"),
    "ch.commission": ("分销佣金", "Commission"), "ch.roi": ("ROI", "ROI"),
    "ch.roas": ("ROAS", "ROAS"), "ch.cpa": ("CPA（单均成本）", "CPA"),
    "ch.members": ("成员数", "Members"), "ch.total": ("合计", "Total"),
    "ch.none": ("（未标记）", "(none)"),
    "ch.tier.referrer": ("一级", "tier 1"), "ch.tier.superior": ("上级（二级）", "tier 2 (upline)"),
    "ch.defs": (("净营收 = 营收 − 退款；成本 = 投放花费 + 分销佣金；ROI = (净营收 − 成本) / 成本；"
                 "ROAS = 净营收 / 投放花费；CPA = 成本 / 订单数。“—”表示无法计算：没有成本，"
                 "或（按平台、计划、渠道统计时）没有投放花费。"),
                ("Net revenue = revenue − refunds; cost = ad spend + commission; "
                 "ROI = (net revenue − cost) / cost; ROAS = net revenue / ad spend; "
                 "CPA = cost / orders. “—”: not defined, as there is no cost or (by platform, "
                 "campaign or channel) no ad spend.")),
    "ch.no_orders": ("这段时间没有已支付的订单。导入订单后，这里会显示各渠道的营收与 ROI。",
                     ("No paid orders in this period. Import orders to see revenue and ROI "
                      "per channel.")),
    "ch.attr_title": ("归因模型对比", "Attribution models compared"),
    "ch.dimension": ("归因到", "Credit goes to"), "ch.lookback": ("回溯窗口", "Lookback"),
    "ch.days": ("天", "days"), "ch.channel": ("渠道", "Channel"),
    "ch.share": ("订单功劳占比", "Share of credited orders"),
    "ch.attributed": ("已归因订单", "Attributed orders"),
    "ch.unattributed": ("窗口内无触点的订单", "Orders without a touch in the window"),
    "ch.no_paths": ("没有可归因的订单：订单前的回溯窗口内没有曝光、播放或点击等触点。",
                    ("No order can be attributed: there are no impressions, views or clicks "
                     "in the lookback window before the orders.")),
    "ch.top_n": ("按各模型功劳合计显示前 {n} 个（共 {total} 个）。",
                 "Showing the top {n} of {total} by summed credit."),
    "ch.models_how": ("各模型的含义", "What the models mean"),
    "ch.bad_input": ("参数有误", "Invalid parameter"),
    "ch.bad_day": ("日期应为 YYYY-MM-DD 格式的有效日期", "Days are real dates written YYYY-MM-DD"),
    "ch.paths_title": ("购买前路径", "Paths before purchase"),
    "ch.step": ("路径步骤", "A step is"), "ch.step.type": ("行为类型", "Event type"),
    "ch.step.type@platform": ("行为@平台", "Event on platform"),
    "ch.step.platform": ("平台", "Platform"), "ch.step.channel": ("销售渠道", "Sales channel"),
    "ch.path": ("路径", "Path"), "ch.purchases": ("购买数", "Purchases"),
    "ch.purchase_share": ("占全部购买", "Share of purchases"),
    "ch.non_converting": ("同路径未购买", "Same path, no purchase"),
    "ch.path_conversion": ("路径转化率", "Path conversion"),
    "ch.paths_totals": (("共 {purchases} 笔购买，其中 {without} 笔在回溯窗口内没有触点"
                         "（直接购买）；共 {distinct} 条不同路径。"),
                        ("{purchases} purchases, {without} of them without a touch in the "
                         "lookback (direct); {distinct} distinct paths.")),
    "ch.paths_hint": (("路径 = 购买前回溯窗口内、上一次购买之后的触点，按时间顺序，连续重复只记一次；"
                       "超过 6 步只保留最后 6 步（以 … 开头）。路径转化率 = 购买 /（购买 + "
                       "走了同样路径但还没有购买的人）。"),
                      ("A path is the touches in the lookback before a purchase and after the "
                       "previous one, in time order, a run of one step counted once; longer "
                       "than 6 steps it keeps the last 6 (after …). Path conversion = "
                       "purchases / (purchases + people on the same path who have not bought).")),
    "ch.no_purchase_paths": ("没有可展示的购买路径：这段时间没有购买，或购买前的回溯窗口内没有触点。",
                             ("No path to show: no purchases in this period, or no touches in "
                              "the lookback before them.")),
}
"""Labels only the channels faces use: ``key -> (中文, English)``."""

add_labels(LABELS)

DASH = "—"
LAYOUT = {"title": None, "font": {"family": FONT}, "hoverlabel": {"font": {"family": FONT}},
          "margin": {"l": 50, "r": 10, "t": 10, "b": 40}}


def layout(fig: Any, *, height: int = 360, **kw: Any) -> Any:
    """The shared look of these charts (CJK font, no title, tight margins)."""
    fig.update_layout(**{**LAYOUT, **kw}, height=height)
    return fig


def key_label(by: str, key: Any, name: Any, lang: str) -> str:
    """How a channel key reads: platform and sales-channel names translated, else its name."""
    if key is None or key == "(none)":
        return t("ch.none", lang)
    if by == "platform":
        return platform_name(str(key), lang)
    if by == "channel" and f"ch.channel.{key}" in LABELS:
        return t(f"ch.channel.{key}", lang)
    return str(name or key)


def cell(col: str, text: str, value: Any) -> dict[str, Any]:
    """A table cell: column, formatted ``text`` and raw ``value`` ("" for None)."""
    return {"col": col, "text": text, "value": "" if value is None else value}


#: ROI table columns: (result field, label key, kind)
ROI_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("orders", "orders", "count"), ("buyers", "buyers", "count"),
    ("gross_revenue", "revenue", "money"), ("refunds", "refunds", "money"),
    ("revenue", "net_revenue", "money"), ("spend", "ch.spend", "money"),
    ("commission", "ch.commission", "money"), ("roi", "ch.roi", "pct"),
    ("roas", "ch.roas", "ratio"), ("cpa", "ch.cpa", "money"))


def fmt_value(kind: str, v: Any, currency: str, lang: str) -> str:
    """``v`` formatted as a ``count``, ``money``, ``pct`` or ``ratio``; "—" for None."""
    if v is None:
        return DASH
    return {"count": lambda: fmt_count(v, lang), "money": lambda: fmt_money(v, currency, lang),
            "pct": lambda: fmt_pct(v), "ratio": lambda: f"{v:,.2f}"}[kind]()


#: dimensions whose cost includes ad spend: without spend their ratios are not comparable
SPEND_DIMENSIONS = ("platform", "campaign", "channel")


def ratios(by: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with ROI, ROAS and CPA as shown: None (read "—") where the library has none,
    and, for the dimensions with ad spend, where the spend is 0 or unknown (a commission
    alone would make an unpaid platform's ROI look huge)."""
    if by in SPEND_DIMENSIONS and not row.get("spend"):
        return {**row, "roi": None, "roas": None, "cpa": None}
    return row


def roi_table(res: Any, lang: str) -> dict[str, Any]:
    """Header and rows of a :class:`~kpgrowth.analytics.channels.ChannelResult` for ``lang``.

    Each row has ``key``, ``label`` and ``cells`` (``col``, formatted ``text``, raw
    ``value``); undefined ratios read "—" (:func:`ratios`). ``total`` sums rows only
    where they split the orders (platform, campaign, channel, post).
    """
    cols = list(ROI_COLUMNS)
    if res.by == "community":
        cols += [("members", "ch.members", "count"), ("conversion", "conversion", "pct")]
    rows = []
    for r in (ratios(res.by, r) for r in res.rows):
        label = key_label(res.by, r["key"], r.get("name"), lang)
        if r.get("tier"):
            label += f" · {t('ch.tier.' + r['tier'], lang)}"
        rows.append({"key": r["key"], "label": label,
                     "cells": [cell(c, fmt_value(k, r.get(c), res.currency, lang), r.get(c))
                               for c, _, k in cols]})
    total = None
    if res.by in ("platform", "campaign", "channel", "post") and rows:
        tot = res.totals
        total = [cell(c, fmt_value(k, tot.get(c), res.currency, lang) if c in tot else "",
                      tot.get(c)) for c, _, k in cols]
    return {"columns": [(c, label) for c, label, _ in cols], "rows": rows, "total": total}


def roi_figure(res: Any, lang: str, *, top: int = 12) -> Any:
    """Net revenue and cost (spend + commission) per key, ROI written on the bars."""
    import plotly.graph_objects as go

    rows = res.rows[:top]
    x = [key_label(res.by, r["key"], r.get("name"), lang)
         + (f" · {t('ch.tier.' + r['tier'], lang)}" if r.get("tier") else "") for r in rows]
    roi = ["" if r["roi"] is None else f"ROI {fmt_pct(r['roi'])}"
           for r in (ratios(res.by, r) for r in rows)]
    fig = go.Figure([
        go.Bar(name=t("net_revenue", lang), x=x, y=[r["revenue"] for r in rows], text=roi,
               textposition="outside", cliponaxis=False),
        go.Bar(name=t("ch.cost", lang), x=x, y=[r["cost"] for r in rows])])
    fig.update_yaxes(tickprefix=currency_symbol(res.currency))
    return layout(fig, barmode="group", legend={"orientation": "h", "y": 1.12})


def _channels_by_share(cmp: Any, top: int | None = None) -> list[str]:
    total: dict[str, float] = {}
    for r in cmp.rows:
        total[r["channel"]] = total.get(r["channel"], 0.0) + r["share"]
    return sorted(total, key=lambda c: (-total[c], str(c)))[:top]


def attribution_figure(cmp: Any, lang: str, *, top: int = 12,
                       names: dict[Any, Any] | None = None) -> Any:
    """Grouped bars: each model's share of credited orders per channel (the ``top``
    channels by summed share; ``names`` maps keys such as post ids to titles)."""
    import plotly.graph_objects as go

    chans = _channels_by_share(cmp, top)
    share = {(r["model"], r["channel"]): r["share"] for r in cmp.rows}
    x = [key_label(cmp.dimension, c, (names or {}).get(c), lang) for c in chans]
    fig = go.Figure([go.Bar(name=t(f"ch.model.{m}", lang), x=x,
                            y=[share.get((m, c), 0.0) for c in chans]) for m in cmp.models])
    fig.update_yaxes(tickformat=".0%", title_text=t("ch.share", lang))
    return layout(fig, barmode="group", legend={"orientation": "h", "y": 1.15})


def attribution_table(cmp: Any, lang: str, *, top: int = 12,
                      names: dict[Any, Any] | None = None) -> dict[str, Any]:
    """Channels × models table of credited shares (``models``: ``(model, label)``)."""
    share = {(r["model"], r["channel"]): r["share"] for r in cmp.rows}
    rows = [{"key": c, "label": key_label(cmp.dimension, c, (names or {}).get(c), lang),
             "cells": [cell(m, fmt_pct(share.get((m, c), 0.0)), share.get((m, c), 0.0))
                       for m in cmp.models]} for c in _channels_by_share(cmp, top)]
    return {"models": [(m, t(f"ch.model.{m}", lang)) for m in cmp.models], "rows": rows,
            "channels": len(_channels_by_share(cmp)),
            "help": [(t(f"ch.model.{m}", lang), t(f"ch.model.{m}.help", lang))
                     for m in cmp.models],
            "attributed": fmt_count(cmp.attributed_orders, lang),
            "unattributed": fmt_count(cmp.unattributed_orders, lang)}


# -- paths before purchase (analytics.paths.PathsResult) ------------------------------------

STEP_KINDS = ("type", "type@platform", "platform", "channel")
"""The step kinds the dashboard offers (the library also has campaign and post)."""
ARROW = " → "


def step_name(step: str, kind: str, lang: str) -> str:
    """One step of a path as read: event types and platforms translated (``click@douyin``
    -> 点击@抖音; ``click@?``: no platform -> 点击), sales channels named."""
    if step == ELLIPSIS:
        return step
    if kind == "type":
        return event_label(step, lang)
    if kind == "type@platform":
        ev, _, plat = step.partition("@")
        name = event_label(ev, lang)
        return f"{name}@{platform_name(plat, lang)}" if plat and plat != "?" else name
    return key_label(kind, step, None, lang)


def path_label(steps: list[str], kind: str, lang: str, *, wrap: int | None = None) -> str:
    """A path's steps as read, joined by arrows (a ``<br>`` after every ``wrap`` steps)."""
    names = [step_name(s, kind, lang) for s in steps]
    if not wrap:
        return ARROW.join(names)
    lines = [ARROW.join(names[i:i + wrap]) for i in range(0, len(names), wrap)]
    return " →<br>".join(lines)


def paths_table(res: Any, lang: str, currency: str) -> dict[str, Any]:
    """The top paths of a :class:`~kpgrowth.analytics.paths.PathsResult` formatted: ``rows``
    (``key`` = rank, ``label``, ``cells``) and the ``totals`` sentence."""
    cols = (("purchases", "count"), ("share", "pct"), ("revenue", "money"),
            ("non_converting", "count"), ("conversion_rate", "pct"))
    rows = [{"key": r["rank"], "label": path_label(r["steps"], res.step, lang),
             "cells": [cell(c, fmt_value(k, r[c], currency, lang), r[c]) for c, k in cols]}
            for r in res.rows]
    totals = t("ch.paths_totals", lang).format(
        purchases=fmt_count(res.purchases, lang), without=fmt_count(res.without_touch, lang),
        distinct=fmt_count(res.distinct_paths, lang))
    return {"columns": [c for c, _ in cols], "rows": rows, "totals": totals}


def paths_figure(res: Any, lang: str) -> Any:
    """Horizontal bars of the top paths' purchases, the most common on top."""
    import plotly.graph_objects as go

    y = [path_label(r["steps"], res.step, lang, wrap=3) for r in res.rows]
    text = [fmt_pct(r["share"]) for r in res.rows]
    conv = [DASH if r["conversion_rate"] is None else fmt_pct(r["conversion_rate"])
            for r in res.rows]
    fig = go.Figure(go.Bar(
        x=[r["purchases"] for r in res.rows], y=y, orientation="h", text=text,
        textposition="auto", customdata=conv,
        hovertemplate=f"%{{y}}<br>{t('ch.purchases', lang)} %{{x}} (%{{text}})"
                      f"<br>{t('ch.path_conversion', lang)} %{{customdata}}<extra></extra>"))
    fig.update_xaxes(title_text=t("ch.purchases", lang))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return layout(fig, height=max(300, 56 * len(y) + 80),
                  margin={"l": 10, "r": 10, "t": 10, "b": 40})


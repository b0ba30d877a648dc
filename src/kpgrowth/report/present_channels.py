"""Channels, attribution, content and community results as people read them.

Localized figures and formatted table rows shared by the dashboard pages
(``/channels``, ``/content``, ``/community``) and the report's sections, so both
show the same numbers, labels and charts in 中文 or English. Labels only these
faces use are in :data:`LABELS` (prefixes ``ch.``, ``cm.``, ``ct.``).

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
>>> t("ch.model.markov", "en"), weekday(0, "zh"), weekday(6, "en")
('Markov chain', '周一', 'Sun')
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kpgrowth.report.i18n import (
    add_labels,
    currency_symbol,
    fmt_count,
    fmt_datetime,
    fmt_money,
    fmt_pct,
    platform_name,
    t,
)
from kpgrowth.report.present import FONT

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
_FORMATS = {
    "short_video": ("短视频", "Short video"), "video": ("视频", "Video"),
    "article": ("图文", "Article"), "image": ("图片", "Image"), "note": ("笔记", "Note"),
    "live": ("直播", "Live"), "text": ("文字", "Text"), "audio": ("音频", "Audio"),
    "other": ("其他", "Other")}

LABELS: dict[str, tuple[str, str]] = {
    **{f"ch.model.{k}": v for k, v in _MODEL_NAMES.items()},
    **{f"ch.model.{k}.help": v for k, v in _MODEL_HELP.items()},
    **{f"ch.channel.{k}": v for k, v in _SALES_CHANNELS.items()},
    **{f"ct.format.{k}": v for k, v in _FORMATS.items()},
    "ch.by": ("统计维度", "Group by"),
    "ch.by.platform": ("平台", "Platform"), "ch.by.campaign": ("投放计划", "Campaign"),
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
    "ch.days": ("天", "days"),
    "ch.share": ("订单功劳占比", "Share of credited orders"),
    "ch.channel": ("渠道", "Channel"),
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
    "ct.title": ("内容表现", "Content"),
    "ct.best": ("互动率最高的作品", "Best posts by engagement rate"),
    "ct.worst": ("互动率最低的作品", "Worst posts by engagement rate"),
    "ct.post": ("作品", "Post"), "ct.format": ("内容形式", "Format"),
    "ct.posted": ("发布时间", "Published"), "ct.views": ("播放 / 阅读", "Views"),
    "ct.likes": ("点赞", "Likes"), "ct.comments": ("评论", "Comments"),
    "ct.shares": ("转发", "Shares"), "ct.posts": ("作品数", "Posts"),
    "ct.rate": ("互动率", "Engagement rate"),
    "ct.rate_def": ("互动率 = (点赞 + 评论 + 转发) / 播放。",
                    "Engagement rate = (likes + comments + shares) / views."),
    "ct.min_views": ("最少播放", "Min. views"), "ct.n": ("显示条数", "Rows"),
    "ct.none_ranked": ("没有播放达到 {n} 的作品，可以调低“最少播放”。",
                       "No post has {n} views or more; lower “Min. views”."),
    "ct.min_views_hint": ("播放少于该值的作品不参与排名，避免一两次播放造成的偶然高低。",
                          ("Posts with fewer views are not ranked, so one or two views "
                           "cannot make a post look best or worst.")),
    "ct.by": ("分组", "Group by"), "ct.by.platform": ("平台", "Platform"),
    "ct.by.format": ("内容形式", "Format"), "ct.by.tag": ("标签", "Tag"),
    "ct.groups": ("分组表现", "Performance by group"),
    "ct.heatmap": ("发布时段与互动率", "Engagement rate by hour of week posted"),
    "ct.heatmap_hint": ("按作品发布时间所在的星期与小时（工作区时区）分组；空白表示该时段没有发布。",
                        ("Posts grouped by weekday and hour they were published (workspace time "
                         "zone); blank cells had no posts.")),
    "ct.hour": ("小时", "Hour"),
    "ct.best_hours": ("最佳发布时段", "Best hours to post"), "ct.slot": ("时段", "Time slot"),
    "ct.best_hours_hint": ("至少发布过 2 条作品的时段中互动率最高的。",
                           "Highest engagement rate among hours with at least 2 posts."),
    "ct.no_posts": ("这段时间没有发布的作品。导入作品及其互动数据后，这里会显示内容表现。",
                    ("No posts published in this period. Import posts and their engagement "
                     "to see how content performs.")),
    "cm.period": ("统计周期", "Period"), "cm.period.week": ("按周", "Weekly"),
    "cm.period.month": ("按月", "Monthly"), "cm.metric": ("图表指标", "Chart metric"),
    "cm.community": ("社群", "Community"), "cm.period_start": ("周期开始", "Period from"),
    "cm.members": ("成员数", "Members"), "cm.active_members": ("活跃成员", "Active members"),
    "cm.active_share": ("活跃占比", "Active share"),
    "cm.messages_per_member": ("人均消息", "Messages per member"),
    "cm.buyers": ("付费成员", "Buyers"), "cm.conversion": ("转化率 r_k", "Conversion r_k"),
    "cm.retention": ("周期留存", "Period retention"),
    "cm.dau_mau": ("DAU/MAU 黏性", "DAU/MAU stickiness"),
    "cm.trend": ("社群健康趋势", "Community health over time"),
    "cm.latest": ("各社群最新周期", "Latest period of each community"),
    "cm.defs": (("活跃占比 = 本周期发过言的成员 / 成员数；转化率 r_k = 本周期在群内下单的成员 / 成员数；"
                 "周期留存 = 上周期成员中本周期仍在群的比例 n_k(t)/n_k(t−1)。最新周期可能尚未结束。"),
                ("Active share = members who posted a message / members; conversion r_k = "
                 "members who bought while in the community / members; period retention = share "
                 "of last period's members still there, n_k(t)/n_k(t−1). The latest period may "
                 "still be running.")),
    "cm.no_data": ("还没有社群成员数据。导入 communities 与 memberships 后，这里会显示社群健康。",
                   ("No community membership data yet. Import communities and memberships to "
                    "see community health.")),
}
"""Labels only the channels, content and community faces use: ``key -> (中文, English)``."""

add_labels(LABELS)

DASH = "—"
MIN_VIEWS = 10
"""Posts with fewer views are not ranked best or worst by default."""
WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def weekday(i: int, lang: str) -> str:
    """Name of weekday ``i`` (0 = Monday) in ``lang``."""
    return WEEKDAYS["zh" if lang == "zh" else "en"][i]


def layout(fig: Any, *, height: int = 360, **kw: Any) -> Any:
    """The shared look of these charts (CJK font, no title, tight margins)."""
    fig.update_layout(title=None, height=height, font={"family": FONT},
                      hoverlabel={"font": {"family": FONT}},
                      margin={"l": 50, "r": 10, "t": 10, "b": 40}, **kw)
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


def _cell(col: str, text: str, value: Any) -> dict[str, Any]:
    return {"col": col, "text": text, "value": "" if value is None else value}


#: ROI table columns: (result field, label key, kind)
ROI_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("orders", "orders", "count"), ("buyers", "buyers", "count"),
    ("gross_revenue", "revenue", "money"), ("refunds", "refunds", "money"),
    ("revenue", "net_revenue", "money"), ("spend", "ch.spend", "money"),
    ("commission", "ch.commission", "money"), ("roi", "ch.roi", "pct"),
    ("roas", "ch.roas", "ratio"), ("cpa", "ch.cpa", "money"))


def _fmt(kind: str, v: Any, currency: str, lang: str) -> str:
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
                     "cells": [_cell(c, _fmt(k, r.get(c), res.currency, lang), r.get(c))
                               for c, _, k in cols]})
    total = None
    if res.by in ("platform", "campaign", "channel", "post") and rows:
        tot = res.totals
        total = [_cell(c, _fmt(k, tot.get(c), res.currency, lang) if c in tot else "", tot.get(c))
                 for c, _, k in cols]
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
             "cells": [_cell(m, fmt_pct(share.get((m, c), 0.0)), share.get((m, c), 0.0))
                       for m in cmp.models]} for c in _channels_by_share(cmp, top)]
    return {"models": [(m, t(f"ch.model.{m}", lang)) for m in cmp.models], "rows": rows,
            "channels": len(_channels_by_share(cmp)),
            "help": [(t(f"ch.model.{m}", lang), t(f"ch.model.{m}.help", lang))
                     for m in cmp.models],
            "attributed": fmt_count(cmp.attributed_orders, lang),
            "unattributed": fmt_count(cmp.unattributed_orders, lang)}


def _local(v: Any, tz: str) -> Any:
    from zoneinfo import ZoneInfo

    return v.astimezone(ZoneInfo(tz)) if hasattr(v, "astimezone") and v.tzinfo else v


def format_label(fmt: Any, lang: str) -> str:
    """A post format as sellers call it (``short_video`` -> 短视频 / Short video)."""
    key = f"ct.format.{fmt}"
    return t(key, lang) if key in LABELS else str(fmt or "")


def post_rows(rows: list[dict[str, Any]], tz: str, lang: str) -> list[dict[str, Any]]:
    """Per-post rows of a ``ContentResult`` with platform, format, local time and numbers
    formatted (``rate_value`` keeps the raw engagement rate)."""
    return [{"key": r["key"], "title": r.get("title") or r["key"],
             "platform": platform_name(r.get("platform"), lang),
             "format": format_label(r.get("format"), lang),
             "posted": fmt_datetime(_local(r.get("posted_at"), tz), lang),
             **{m: fmt_count(r[m], lang) for m in ("views", "likes", "comments", "shares")},
             "rate": DASH if r["engagement_rate"] is None else fmt_pct(r["engagement_rate"]),
             "rate_value": r["engagement_rate"]} for r in rows]


def group_rows(res: Any, lang: str) -> list[dict[str, Any]]:
    """Rows of a ``ContentResult`` grouped by platform, format or tag, formatted."""
    name = {"platform": platform_name, "format": format_label}.get(res.by)
    return [{"key": r["key"],
             "label": t("ch.none", lang) if r["key"] == "(none)"
             else name(r["key"], lang) if name else str(r["key"]),
             **{m: fmt_count(r[m], lang) for m in ("posts", "views", "likes", "comments",
                                                    "shares")},
             "rate": DASH if r["engagement_rate"] is None else fmt_pct(r["engagement_rate"]),
             "rate_value": r["engagement_rate"]} for r in res.rows]


def group_figure(res: Any, lang: str, *, top: int = 15) -> Any:
    """Engagement rate per group (the groups with most engagements)."""
    import plotly.graph_objects as go

    rows = group_rows(res, lang)[:top]
    fig = go.Figure(go.Bar(x=[r["label"] for r in rows], y=[r["rate_value"] for r in rows],
                           customdata=[r["views"] for r in rows],
                           hovertemplate=f"%{{x}}<br>{t('ct.rate', lang)} %{{y:.1%}}"
                                         f"<br>{t('ct.views', lang)} %{{customdata}}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%", title_text=t("ct.rate", lang))
    return layout(fig, height=320)


def hour_grid(res: Any, metric: str = "engagement_rate") -> list[list[Any]]:
    """7 × 24 values of ``metric`` from a ``by="hour_of_week"`` result (None: no posts).

    Examples
    --------
    >>> from kpgrowth.analytics.content import ContentResult
    >>> g = hour_grid(ContentResult("hour_of_week", [{"key": 33, "engagement_rate": 0.5}]))
    >>> len(g), len(g[0]), g[1][9]
    (7, 24, 0.5)
    """
    z: list[list[Any]] = [[None] * 24 for _ in range(7)]
    for r in res.rows:
        z[int(r["key"]) // 24][int(r["key"]) % 24] = r[metric]
    return z


def heatmap_figure(res: Any, lang: str) -> Any:
    """Engagement rate by weekday × hour of publication, weekday names in ``lang``."""
    import plotly.graph_objects as go

    posts, z = hour_grid(res, "posts"), hour_grid(res)
    values = sorted(v for row in z for v in row if v is not None)
    top = values[int(0.95 * (len(values) - 1))] if values else None  # one outlier: no washout
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(24)), y=list(WEEKDAYS["zh" if lang == "zh" else "en"]),
        customdata=posts, colorscale="YlOrRd", zmin=0, zmax=top or None, hoverongaps=False,
        colorbar={"title": {"text": t("ct.rate", lang)}, "tickformat": ".0%"},
        hovertemplate=f"%{{y}} %{{x}}:00<br>{t('ct.rate', lang)} %{{z:.1%}}"
                      f"<br>{t('ct.posts', lang)} %{{customdata}}<extra></extra>"))
    fig.update_xaxes(title_text=f"{t('ct.hour', lang)} ({res.tz})", dtick=2)
    return layout(fig, height=330, yaxis_autorange="reversed")


def best_hours(res: Any, lang: str, *, n: int = 5, min_posts: int = 2) -> list[dict[str, Any]]:
    """The ``n`` hours of the week with the highest engagement rate among those with at
    least ``min_posts`` posts."""
    rows = [r for r in res.rows if r["posts"] >= min_posts and r["engagement_rate"] is not None]
    rows.sort(key=lambda r: (-r["engagement_rate"], -r["views"], r["key"]))
    return [{"key": r["key"], "slot": f"{weekday(r['key'] // 24, lang)} "
                                      f"{r['key'] % 24:02d}:00–{r['key'] % 24 + 1:02d}:00",
             "rate": fmt_pct(r["engagement_rate"]), "rate_value": r["engagement_rate"],
             "posts": fmt_count(r["posts"], lang)} for r in rows[:n]]


#: community metrics in table order: (field, kind)
CM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("members", "count"), ("active_members", "count"), ("active_share", "pct"),
    ("messages_per_member", "ratio"), ("buyers", "count"), ("conversion", "pct"),
    ("retention", "pct"))
#: shown when the rows of a newer ``CommunityResult`` carry them
CM_OPTIONAL: tuple[tuple[str, str], ...] = (("dau_mau", "pct"),)


def community_columns(res: Any) -> list[tuple[str, str]]:
    """:data:`CM_COLUMNS` and those of :data:`CM_OPTIONAL` that ``res``'s rows have."""
    have = set(res.rows[0]) if res.rows else set()
    return [*CM_COLUMNS, *(c for c in CM_OPTIONAL if c[0] in have)]


def community_latest(res: Any, lang: str) -> dict[str, Any]:
    """Each community's latest period of a ``CommunityResult``, formatted: ``columns``
    (fields) and ``rows`` (``key``, ``label``, ``period``, ``period_fmt``, ``cells``, and
    the library's whole row as ``raw``), largest community first."""
    cols = community_columns(res)
    last: dict[Any, dict[str, Any]] = {}
    for r in res.rows:
        if r["community_id"] not in last or r["period"] >= last[r["community_id"]]["period"]:
            last[r["community_id"]] = r
    rows = [{"key": cid, "label": r.get("name") or str(cid), "period": r["period"],
             "period_fmt": fmt_datetime(dt.date.fromisoformat(r["period"]), lang), "raw": r,
             "cells": [_cell(c, _fmt(k, r.get(c), "", lang), r.get(c)) for c, k in cols]}
            for cid, r in sorted(last.items(), key=lambda kv: (-kv[1]["members"], str(kv[0])))]
    return {"columns": [c for c, _ in cols], "rows": rows}


def community_figure(res: Any, lang: str, metric: str = "active_share", *,
                     last: int | None = None) -> Any:
    """One line per community of ``metric`` over the periods (only the ``last`` ones)."""
    import plotly.graph_objects as go

    keep = set(sorted({r["period"] for r in res.rows})[-last:] if last else
               (r["period"] for r in res.rows))
    series: dict[Any, list[dict[str, Any]]] = {}
    for r in res.rows:
        if r["period"] in keep:
            series.setdefault(r["community_id"], []).append(r)
    fig = go.Figure([go.Scatter(x=[r["period"] for r in rs], y=[r.get(metric) for r in rs],
                                mode="lines+markers", name=rs[0].get("name") or str(cid))
                     for cid, rs in sorted(series.items(), key=lambda kv: str(kv[0]))])
    kind = dict(CM_COLUMNS + CM_OPTIONAL).get(metric)
    fig.update_yaxes(title_text=t(f"cm.{metric}", lang),
                     tickformat=".0%" if kind == "pct" else None)
    fig.update_xaxes(title_text=t("cm.period_start", lang))
    if lang == "zh":
        fig.update_xaxes(tickformat="%Y年%m月%d日")
    return layout(fig, height=360, legend={"orientation": "h", "y": -0.2})

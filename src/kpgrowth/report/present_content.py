"""Content and community results as people read them.

Localized figures and formatted table rows shared by the dashboard's ``/content`` and
``/community`` pages and the report's content and community sections, so both show the
same numbers, labels and charts in 中文 or English. Labels only these faces use are in
:data:`LABELS` (prefixes ``ct.`` and ``cm.``); the shared helpers (cells, formats, chart
look) are those of :mod:`kpgrowth.report.present_channels`.

Examples
--------
>>> weekday(0, "zh"), weekday(6, "en"), format_label("short_video", "zh")
('周一', 'Sun', '短视频')
>>> from kpgrowth.analytics.community_activity import MemberRetentionResult
>>> curve = [{"group": g, "k": k, "size": 10, "retained": n, "rate": n / 10}
...          for g, ns in (("members", (10, 8)), ("non-members", (10, 6)))
...          for k, n in enumerate(ns)]
>>> res = MemberRetentionResult([], curve, "week", 2, "on_or_after", loss_ratio=0.5)
>>> loss_sentence(res, "zh")
'社群成员流失率是非成员的 50.0%。第 1 周留存：社群成员 80.0%，非成员 60.0%。'
>>> loss_sentence(res, "en")[:45]
'Members churn 50.0% as often as non-members. '
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kpgrowth.report.i18n import add_labels, fmt_count, fmt_datetime, fmt_pct, platform_name, t
from kpgrowth.report.present_channels import DASH, cell, fmt_value, layout

_FORMATS = {
    "short_video": ("短视频", "Short video"), "video": ("视频", "Video"),
    "article": ("图文", "Article"), "image": ("图片", "Image"), "note": ("笔记", "Note"),
    "live": ("直播", "Live"), "text": ("文字", "Text"), "audio": ("音频", "Audio"),
    "other": ("其他", "Other")}

LABELS: dict[str, tuple[str, str]] = {
    **{f"ct.format.{k}": v for k, v in _FORMATS.items()},
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
    "cm.activity": ("每日活跃（DAU / WAU / MAU）", "Daily activity (DAU / WAU / MAU)"),
    "cm.activity_metric": ("活跃指标", "Activity metric"),
    "cm.dau": ("日活 DAU", "DAU (daily active)"), "cm.wau": ("周活 WAU", "WAU (weekly active)"),
    "cm.mau": ("月活 MAU", "MAU (monthly active)"),
    "cm.activity_hint": (("活跃 = 当天在群内发过言；WAU、MAU = 截至当天 7 天、30 天内发过言的人数；"
                          "DAU/MAU 越接近 100%，成员越是天天来。没有选择开始日期时最多显示最近 {days} 天，"
                          "从第一次有人发言的那天开始。"),
                         ("Active = posted a message in the community that day; WAU and MAU = "
                          "people who posted in the 7 and 30 days up to that day; the closer "
                          "DAU/MAU is to 100%, the more members come every day. Without a "
                          "start day, at most the last {days} days are shown, from the first "
                          "message on.")),
    "cm.stickiness_title": ("各社群黏性", "Stickiness of each community"),
    "cm.days": ("天数", "Days"), "cm.avg_dau": ("平均日活", "Average DAU"),
    "cm.avg_mau": ("平均月活", "Average MAU"), "cm.stickiness": ("黏性 DAU/MAU", "Stickiness"),
    "cm.stickiness_hint": ("黏性 = 平均日活 / 平均月活，只计有月活的日子。",
                           "Stickiness = average DAU / average MAU, over the days with a MAU."),
    "cm.no_activity": ("这段时间没有群内发言。", "No community messages in this period."),
    "cm.no_data_period": ("这段时间没有社群数据。", "No community data in this period."),
    "cm.members_title": ("社群成员与非成员的留存", "Retention: community members vs non-members"),
    "cm.group.members": ("社群成员", "Members"), "cm.group.non-members": ("非成员", "Non-members"),
    "cm.retained": ("留存率", "Retained"),
    "cm.after.week": ("进入后第几周", "Weeks after entry"),
    "cm.after.month": ("进入后第几个月", "Months after entry"),
    "cm.loss": ("社群成员流失率是非成员的 {ratio}。", "Members churn {ratio} as often as non-members."),
    "cm.period1.week": ("第 1 周留存：社群成员 {members}，非成员 {others}。",
                        "Week-1 retention: members {members}, non-members {others}."),
    "cm.period1.month": ("第 1 个月留存：社群成员 {members}，非成员 {others}。",
                         "Month-1 retention: members {members}, non-members {others}."),
    "cm.loss_hint": (("流失按进入后各周期合并计算，是否为成员以进入当期为准。这是相关而非因果："
                      "入群的人和不入群的人本来就不一样（比如往往更活跃）。"),
                     ("Churn is pooled over the periods after entry; membership is taken at "
                      "entry. This is correlation, not cause: people who join communities differ "
                      "from those who don't (they tend to be more engaged).")),
    "cm.no_members": (("还不能比较社群成员与非成员的留存：进入时在社群里的人太少，"
                       "或进入后还没有一个有数据的周期。"),
                      ("Members and non-members cannot be compared yet: too few people were in a "
                       "community when they arrived, or no period after entry has data yet.")),
}
"""Labels only the content and community faces use: ``key -> (中文, English)``."""

add_labels(LABELS)

MIN_VIEWS = 10
"""Posts with fewer views are not ranked best or worst by default."""
WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def weekday(i: int, lang: str) -> str:
    """Name of weekday ``i`` (0 = Monday) in ``lang``."""
    return WEEKDAYS["zh" if lang == "zh" else "en"][i]


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
                           hovertemplate=f"%{{x}}<br>{t('ct.rate', lang)} %{{y:.1%}}<br>"
                                         f"{t('ct.views', lang)} %{{customdata}}<extra></extra>"))
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
             "cells": [cell(c, fmt_value(k, r.get(c), "", lang), r.get(c)) for c, k in cols]}
            for cid, r in sorted(last.items(), key=lambda kv: (-kv[1]["members"], str(kv[0])))]
    return {"columns": [c for c, _ in cols], "rows": rows}


def community_lines(rows: list[dict[str, Any]], x: str, metric: str, lang: str, *,
                    pct: bool, mode: str = "lines") -> Any:
    """One line per community (rows of a community in ``x`` order) of ``metric``."""
    import plotly.graph_objects as go

    series: dict[Any, list[dict[str, Any]]] = {}
    for r in rows:
        series.setdefault(r["community_id"], []).append(r)
    fig = go.Figure([go.Scatter(x=[r[x] for r in rs], y=[r.get(metric) for r in rs], mode=mode,
                                name=rs[0].get("name") or str(cid))
                     for cid, rs in sorted(series.items(), key=lambda kv: str(kv[0]))])
    fig.update_yaxes(title_text=t(f"cm.{metric}", lang), tickformat=".0%" if pct else None)
    if lang == "zh":
        fig.update_xaxes(tickformat="%Y年%m月%d日")
    return layout(fig, height=360, legend={"orientation": "h", "y": -0.2})


def community_figure(res: Any, lang: str, metric: str = "active_share", *,
                     last: int | None = None) -> Any:
    """One line per community of ``metric`` over the periods (only the ``last`` ones)."""
    keep = set(sorted({r["period"] for r in res.rows})[-last:] if last else
               (r["period"] for r in res.rows))
    kind = dict(CM_COLUMNS + CM_OPTIONAL).get(metric)
    fig = community_lines([r for r in res.rows if r["period"] in keep], "period", metric, lang,
                          pct=kind == "pct", mode="lines+markers")
    fig.update_xaxes(title_text=t("cm.period_start", lang))
    return fig.update_layout(legend_y=-0.3)  # below the axis title


# -- daily activity and members vs non-members (analytics.community_activity) --------------

ACTIVITY_METRICS = ("dau_mau", "dau", "wau", "mau")
"""What the daily activity chart can show."""


def activity_figure(res: Any, lang: str, metric: str = "dau_mau") -> Any:
    """One line per community of ``metric`` per local day of a ``CommunityActivityResult``."""
    return community_lines(res.rows, "day", metric, lang, pct=metric == "dau_mau")


def stickiness_rows(res: Any, lang: str) -> list[dict[str, Any]]:
    """Each community's ``summary`` row formatted (``key``, ``label``, ``cells``), the
    stickiest first (communities without a MAU last)."""
    cols = (("days", "count"), ("avg_dau", "ratio"), ("avg_mau", "ratio"),
            ("stickiness", "pct"))
    rows = sorted(res.summary, key=lambda r: (r["stickiness"] is None, -(r["stickiness"] or 0),
                                              str(r["community_id"])))
    return [{"key": r["community_id"], "label": r.get("name") or str(r["community_id"]),
             "cells": [cell(c, fmt_value(k, r[c], "", lang), r[c]) for c, k in cols]}
            for r in rows]


MEMBER_GROUPS = ("members", "non-members")


def member_curves(res: Any) -> dict[str, list[dict[str, Any]]]:
    """The pooled curve of a ``MemberRetentionResult`` per group, up to the last period
    any group has a rate for (later periods have no cohort yet)."""
    known = [r["k"] for r in res.curve if r["rate"] is not None]
    last = max(known, default=-1)
    return {g: [r for r in res.curve if r["group"] == g and r["k"] <= last]
            for g in MEMBER_GROUPS if any(r["group"] == g for r in res.curve)}


def member_figure(res: Any, lang: str) -> Any:
    """Retention curves of community members and non-members (people at risk on hover)."""
    import plotly.graph_objects as go

    fig = go.Figure([go.Scatter(
        x=[r["k"] for r in rows], y=[r["rate"] for r in rows], mode="lines+markers",
        name=t(f"cm.group.{g}", lang), customdata=[r["size"] for r in rows],
        hovertemplate="%{x}: %{y:.1%} (n = %{customdata})")
        for g, rows in member_curves(res).items()])
    fig.update_xaxes(title_text=t(f"cm.after.{res.period}", lang), dtick=1)
    fig.update_yaxes(title_text=t("cm.retained", lang), tickformat=".0%", rangemode="tozero")
    return layout(fig, height=340, legend={"orientation": "h", "y": 1.12})


def loss_sentence(res: Any, lang: str) -> str | None:
    """"Members churn X% as often as non-members" and both groups' period-1 retention of a
    ``MemberRetentionResult`` (week or month periods), in ``lang``; None when the two groups
    cannot be compared."""
    if res.loss_ratio is None:
        return None
    one = {r["group"]: r["rate"] for r in res.curve if r["k"] == 1}
    members, others = (DASH if one.get(g) is None else fmt_pct(one[g]) for g in MEMBER_GROUPS)
    first = t(f"cm.period1.{res.period}", lang).format(members=members, others=others)
    return t("cm.loss", lang).format(ratio=fmt_pct(res.loss_ratio)) + (
        "" if lang == "zh" else " ") + first

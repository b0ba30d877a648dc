"""``/community``: 社群 health per community and period, daily activity (DAU/MAU), and the
retention of community members vs non-members.

GET parameters: ``period`` (week, month: the health periods and the retention periods),
``metric`` (the health chart's measure), ``activity`` (the daily chart's measure: dau_mau,
dau, wau, mau), ``start`` and ``end`` (local days; empty = from the first membership on,
the health chart showing the last :data:`LAST` periods and the daily chart the last
:data:`ACTIVITY_DAYS` days, from the first with a monthly active member on).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kpgrowth.report.present_content import ACTIVITY_METRICS  # (also registers the labels)
from kpgrowth.web.pages.channels import DayParam, parse_days
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("community", "/community", router)

PERIODS = ("week", "month")
LAST = 12
"""Periods the chart shows when no start day is chosen."""
ACTIVITY_DAYS = 90
"""Days the daily activity chart and the stickiness table cover when no start day is chosen."""
RETENTION_PERIODS = {"week": 8, "month": 6}
"""Periods k = 0..n-1 of the members vs non-members retention curves."""
METRICS = ("active_share", "members", "active_members", "messages_per_member", "buyers",
           "conversion", "retention", "dau_mau")
ActivityParam = Annotated[Literal[ACTIVITY_METRICS], Query()]  # type: ignore[valid-type]


def activity_start(res: Any, start: str | None, days: int = ACTIVITY_DAYS) -> str | None:
    """The first day the daily chart shows: ``start`` if chosen, else the later of ``days``
    days before the last day of ``res`` (a ``CommunityActivityResult``) and its first day
    with a monthly active member; None when it has no days.

    Examples
    --------
    >>> from kpgrowth.analytics.community_activity import CommunityActivityResult
    >>> res = CommunityActivityResult([{"day": "2025-10-01", "mau": 0},
    ...     {"day": "2026-01-01", "mau": 1}, {"day": "2026-03-31", "mau": 2}])
    >>> activity_start(res, None, days=365), activity_start(res, None, days=30)
    ('2026-01-01', '2026-03-02')
    >>> activity_start(res, "2026-02-01")
    '2026-02-01'
    """
    if start or not res.rows:
        return start
    day = dt.date.fromisoformat
    last = max(day(r["day"]) for r in res.rows)
    active = min((day(r["day"]) for r in res.rows if r["mau"]), default=last)
    return max(last - dt.timedelta(days=days - 1), active).isoformat()


@router.get("/community", response_class=HTMLResponse)
def community_page(request: Request,
                   period: Annotated[Literal[PERIODS], Query()] = "week",  # type: ignore[valid-type]
                   metric: Annotated[Literal[METRICS], Query()] = "active_share",  # type: ignore[valid-type]
                   activity: ActivityParam = "dau_mau",
                   start: DayParam = None, end: DayParam = None) -> HTMLResponse:
    """The community health page."""
    from kpgrowth.analytics.community import community_health
    from kpgrowth.analytics.community_activity import community_activity, member_retention
    from kpgrowth.errors import InputError
    from kpgrowth.report.present import chart_html
    from kpgrowth.report.present_content import (
        activity_figure,
        community_figure,
        community_latest,
        loss_sentence,
        member_figure,
        stickiness_rows,
    )

    user, lang, ws, g = current_user(request), lang_of(request), workspace(request), gate(request)
    (start, end), error = parse_days(start, end, lang)
    ctx: dict[str, Any] = {"period": period, "periods": PERIODS, "metric": metric,
                           "metrics": METRICS, "activity": activity,
                           "activities": ACTIVITY_METRICS, "activity_days": ACTIVITY_DAYS,
                           "start": start or "", "end": end or "", "error": error,
                           "latest": None, "chart": None, "activity_chart": None,
                           "members_chart": None, "any_data": False}
    if error:
        return render(request, "community.html.j2", ctx, user=user, status=422)

    def daily(first: str | None) -> Any:
        return g.cached(f"web.community_activity:{first}:{end}",
                        lambda: g.read(community_activity, ws, start=first, end=end))

    try:
        res = g.cached(f"web.community:{period}:{start}:{end}",
                       lambda: g.read(community_health, ws, period=period, start=start, end=end))
        act = daily(start)
        act = daily(activity_start(act, start)) if act.rows and not start else act
        n = RETENTION_PERIODS[period]
        mr = g.cached(f"web.member_retention:{period}:{n}:{start}:{end}",
                      lambda: g.read(member_retention, ws, period=period, periods=n,
                                     start=start, end=end))
    except InputError as exc:
        ctx["error"] = str(exc)
        return render(request, "community.html.j2", ctx, user=user, status=422)
    if res.rows:
        fig = community_figure(res, lang, metric, last=None if start else LAST)
        ctx.update(latest=community_latest(res, lang), tz=res.tz,
                   chart=chart_html(fig, div_id="chart-community"))
    if act.rows:
        fig = activity_figure(act, lang, activity)
        ctx.update(tz=act.tz, activity_from=act.rows[0]["day"], activity_to=act.rows[-1]["day"],
                   stickiness=stickiness_rows(act, lang),
                   activity_chart=chart_html(fig, div_id="chart-activity"))
    if any(r["k"] >= 1 and r["rate"] is not None for r in mr.curve):  # more than entry
        ctx.update(members_chart=chart_html(member_figure(mr, lang), div_id="chart-members"),
                   members_sentence=loss_sentence(mr, lang))
    ctx["any_data"] = bool(res.rows or act.rows or ctx["members_chart"])
    return render(request, "community.html.j2", ctx, user=user)

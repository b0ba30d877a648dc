"""``/community``: 社群 health per community and period, over time and for the latest period.

GET parameters: ``period`` (week, month), ``metric`` (the chart's measure), ``start`` and
``end`` (local days whose periods to show; empty = from the first membership on, the chart
showing the last :data:`LAST` periods).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kpgrowth.report import present_channels  # noqa: F401  (registers the page's labels)
from kpgrowth.web.pages.channels import DayParam, parse_days
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("community", "/community", router)

PERIODS = ("week", "month")
LAST = 12
"""Periods the chart shows when no start day is chosen."""
METRICS = ("active_share", "members", "active_members", "messages_per_member", "buyers",
           "conversion", "retention", "dau_mau")


@router.get("/community", response_class=HTMLResponse)
def community_page(request: Request,
                   period: Annotated[Literal[PERIODS], Query()] = "week",  # type: ignore[valid-type]
                   metric: Annotated[Literal[METRICS], Query()] = "active_share",  # type: ignore[valid-type]
                   start: DayParam = None, end: DayParam = None) -> HTMLResponse:
    """The community health page."""
    from kpgrowth.analytics.community import community_health
    from kpgrowth.errors import InputError
    from kpgrowth.report.present import chart_html
    from kpgrowth.report.present_channels import community_figure, community_latest

    user, lang, ws, g = current_user(request), lang_of(request), workspace(request), gate(request)
    (start, end), error = parse_days(start, end, lang)
    ctx: dict[str, Any] = {"period": period, "periods": PERIODS, "metric": metric,
                           "metrics": METRICS, "start": start or "", "end": end or "",
                           "error": error, "latest": None, "chart": None}
    if error:
        return render(request, "community.html.j2", ctx, user=user, status=422)
    try:
        res = g.cached(f"web.community:{period}:{start}:{end}",
                       lambda: g.read(community_health, ws, period=period, start=start, end=end))
    except InputError as exc:
        ctx["error"] = str(exc)
        return render(request, "community.html.j2", ctx, user=user, status=422)
    if res.rows:
        fig = community_figure(res, lang, metric, last=None if start else LAST)
        ctx.update(latest=community_latest(res, lang), tz=res.tz,
                   chart=chart_html(fig, div_id="chart-community"))
    return render(request, "community.html.j2", ctx, user=user)

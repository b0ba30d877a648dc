"""``/channels``: revenue, cost and ROI per channel, and the attribution models side by side.

GET parameters: ``by`` (platform, campaign, channel, post, promoter, community), ``start``
and ``end`` (``YYYY-MM-DD`` local days, empty = open), for the model comparison
``dimension`` (platform, campaign, channel, post) and ``lookback`` (7d … 90d), and for the
paths before purchase ``step`` (type, type@platform, platform, channel) and
``path_lookback`` (7d … 90d). A day that is not a date gives the page with the reason and
status 422.

Examples
--------
>>> parse_days("2026-01-05", "", "en")
(('2026-01-05', None), None)
>>> parse_days("2026-02-30", "2026-03-01", "zh")
((None, None), "日期应为 YYYY-MM-DD 格式的有效日期: '2026-02-30'")
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kpgrowth.report.present_channels import STEP_KINDS  # (also registers the labels)
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("channels", "/channels", router)

BY = ("platform", "campaign", "channel", "post", "promoter", "community")
DIMENSIONS = ("platform", "campaign", "channel", "post")
LOOKBACKS = ("7d", "14d", "30d", "60d", "90d")
DayParam = Annotated[str | None, Query(max_length=10)]
LookbackParam = Annotated[Literal[LOOKBACKS], Query()]  # type: ignore[valid-type]
StepParam = Annotated[Literal[STEP_KINDS], Query()]  # type: ignore[valid-type]


def parse_days(start: str | None, end: str | None,
               lang: str) -> tuple[tuple[str | None, str | None], str | None]:
    """``((start, end), error)``: empty days become None; days that are not dates give
    ``(None, None)`` and what is wrong, in ``lang``."""
    from kpgrowth.report.i18n import t

    days: list[str | None] = []
    for day in (start, end):
        try:
            days.append(dt.date.fromisoformat(day).isoformat() if day else None)
        except ValueError:
            return (None, None), f"{t('ch.bad_day', lang)}: {day!r}"
    return (days[0], days[1]), None


def _names(g: Any, ws: Any, dimension: str, start: str | None, end: str | None) -> dict:
    """Readable names of attribution keys: post titles, campaign names (else nothing)."""
    from kpgrowth.analytics.channels import channel_performance
    from kpgrowth.analytics.content import content_performance

    if dimension == "post":
        posts = g.cached("web.content:post:None:None:None",
                         lambda: g.read(content_performance, ws, by="post"))
        return {r["key"]: r["title"] for r in posts.rows}
    if dimension == "campaign":
        res = g.cached(f"web.channels:campaign:{start}:{end}",
                       lambda: g.read(channel_performance, ws, by="campaign", start=start,
                                      end=end))
        return {r["key"]: r["name"] for r in res.rows}
    return {}


@router.get("/channels", response_class=HTMLResponse)
def channels_page(request: Request,
                  by: Annotated[Literal[BY], Query()] = "platform",  # type: ignore[valid-type]
                  dimension: Annotated[Literal[DIMENSIONS], Query()] = "platform",  # type: ignore[valid-type]
                  lookback: LookbackParam = "30d", step: StepParam = "type",
                  path_lookback: LookbackParam = "30d",
                  start: DayParam = None, end: DayParam = None) -> HTMLResponse:
    """The channels & attribution page."""
    from kpgrowth.analytics.attribution import compare_models
    from kpgrowth.analytics.channels import channel_performance
    from kpgrowth.analytics.paths import purchase_paths
    from kpgrowth.errors import InputError
    from kpgrowth.report.present import chart_html
    from kpgrowth.report.present_channels import (
        attribution_figure,
        attribution_table,
        paths_figure,
        paths_table,
        roi_figure,
        roi_table,
    )

    user, lang, ws, g = current_user(request), lang_of(request), workspace(request), gate(request)
    (start, end), error = parse_days(start, end, lang)
    ctx: dict[str, Any] = {"by": by, "bys": BY, "dimension": dimension, "dimensions": DIMENSIONS,
                           "lookback": lookback, "lookbacks": LOOKBACKS, "start": start or "",
                           "end": end or "", "step": step, "steps": STEP_KINDS,
                           "path_lookback": path_lookback, "error": error, "roi": None,
                           "attr": None, "paths": None}
    if error:
        return render(request, "channels.html.j2", ctx, user=user, status=422)
    try:
        res = g.cached(f"web.channels:{by}:{start}:{end}",
                       lambda: g.read(channel_performance, ws, by=by, start=start, end=end))
        cmp = g.cached(f"web.attribution:{dimension}:{lookback}:{start}:{end}",
                       lambda: g.read(compare_models, ws, dimension=dimension,
                                      lookback=lookback, start=start, end=end))
        names = _names(g, ws, dimension, start, end) if cmp.rows else {}
        paths = g.cached(f"web.paths:{step}:{path_lookback}:{start}:{end}",
                         lambda: g.read(purchase_paths, ws, step=step, lookback=path_lookback,
                                        start=start, end=end))
    except InputError as exc:
        ctx["error"] = str(exc)
        return render(request, "channels.html.j2", ctx, user=user, status=422)
    if res.rows:
        ctx.update(roi=roi_table(res, lang),
                   roi_chart=chart_html(roi_figure(res, lang), div_id="chart-roi"))
    if cmp.rows:
        ctx.update(attr=attribution_table(cmp, lang, names=names),
                   attr_chart=chart_html(attribution_figure(cmp, lang, names=names),
                                         div_id="chart-attribution"))
    if paths.rows:
        ctx.update(paths=paths_table(paths, lang, ws.settings.currency),
                   paths_chart=chart_html(paths_figure(paths, lang), div_id="chart-paths"))
    return render(request, "channels.html.j2", ctx, user=user)

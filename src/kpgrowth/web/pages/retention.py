"""``/retention``: cohort heatmap, average curve, LTV curves, lifecycle and DAU/WAU/MAU.

GET parameters: ``period`` (day, week, month), ``periods`` (2..60), ``cohort_by``
(first_event, signup, first_purchase, channel, community), ``mode`` (on,
on_or_after), ``start`` and ``end`` (local days bounding the cohorts).

Examples
--------
>>> cohort_rows([{"group": "all", "cohort": "2026-03-02", "size": 4,
...               "rates": [1.0, 0.5, None]}], "en")[0]["cells"]
['100.0%', '50.0%', '']
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

import kpgrowth.report.present_funnel  # noqa: F401  (registers the ret.* labels)
from kpgrowth.analytics.retention import COHORT_BY, MODES
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("retention", "/retention", router)

PERIODS = ("day", "week", "month")
Period = Annotated[Literal[PERIODS], Query()]  # type: ignore[valid-type]
CohortBy = Annotated[Literal[COHORT_BY], Query()]  # type: ignore[valid-type]
Mode = Annotated[Literal[MODES], Query()]  # type: ignore[valid-type]
Day = Annotated[str | None, Query(max_length=10)]
LIMIT = 30
"""Cohorts shown in the heatmap and table (the latest; the average curve uses all)."""


def cohort_rows(cohorts: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Cohorts with their rates as percentages (blank where not observed yet)."""
    from kpgrowth.report.i18n import fmt_count

    return [{**c, "size_fmt": fmt_count(c["size"], lang),
             "cells": ["" if r is None else f"{100 * r:.1f}%" for r in c["rates"]]}
            for c in cohorts]


def analyses(ws: Any, *, period: str, periods: int, cohort_by: str, mode: str,
             start: str | None, end: str | None) -> dict[str, Any]:
    """Everything the page shows, computed in one go (so it is cached as one entry)."""
    from kpgrowth.analytics.lifecycle import active_users, lifecycle
    from kpgrowth.analytics.retention import retention
    from kpgrowth.analytics.revenue_retention import revenue_retention

    ret = retention(ws, period=period, periods=periods, cohort_by=cohort_by, mode=mode,
                    start=start, end=end)
    rr = revenue_retention(ws, period=period, periods=periods, cohort_by=cohort_by,
                           start=start, end=end)
    au = active_users(ws)
    return {"ret": ret, "rr": rr, "lc": lifecycle(ws, period=period, start=start, end=end),
            "au": au.rows[-1] if au.rows else None}


@router.get("/retention", response_class=HTMLResponse)
def retention_page(request: Request, period: Period = "week",
                   periods: Annotated[int, Query(ge=2, le=60)] = 8,
                   cohort_by: CohortBy = "first_event", mode: Mode = "on", start: Day = None,
                   end: Day = None) -> HTMLResponse:
    """The retention page."""
    from kpgrowth.errors import InputError
    from kpgrowth.report.i18n import fmt_count, fmt_pct
    from kpgrowth.report.present import chart_html
    from kpgrowth.report.present_funnel import (
        curve_figure,
        latest,
        lifecycle_figure,
        ltv_figure,
        period_label,
        retention_figure,
    )

    user, lang, ws, g = current_user(request), lang_of(request), workspace(request), gate(request)
    p = {"period": period, "periods": periods, "cohort_by": cohort_by, "mode": mode,
         "start": start or None, "end": end or None}
    ctx: dict[str, Any] = {**p, "choices": {"period": PERIODS, "cohort_by": COHORT_BY,
                                            "mode": MODES},
                           "error": None, "empty": False}
    try:
        got = g.cached("web.retention:" + repr(sorted(p.items(), key=lambda kv: kv[0])),
                       lambda: g.read(analyses, ws, **p))
    except InputError as exc:
        ctx["error"] = str(exc)
        return render(request, "retention.html.j2", ctx, user=user)
    ret, rr, au = got["ret"], got["rr"], got["au"]
    if not ret.cohorts:
        ctx["empty"] = "ret.no_data" if ret.params.get("horizon") is None else "ret.no_cohorts"
        return render(request, "retention.html.j2", ctx, user=user)
    shown = latest(ret.cohorts, LIMIT)
    ctx.update(
        heatmap=chart_html(retention_figure(ret, lang, limit=LIMIT), div_id="chart-retention"),
        curve=chart_html(curve_figure(ret, lang), div_id="chart-curve"),
        ltv=chart_html(ltv_figure(rr, lang), div_id="chart-ltv")
        if any(v for c in rr.cohorts for v in c["revenue"]) else None,
        lifecycle=chart_html(lifecycle_figure(got["lc"], lang, limit=LIMIT),
                             div_id="chart-lifecycle") if got["lc"].rows else None,
        columns=[period_label(period, k, lang) for k in range(periods)],
        rows=cohort_rows(shown, lang), shown=len(shown), total=len(ret.cohorts),
        many=len({c["group"] for c in ret.cohorts}) > 1,
        active=None if au is None else {
            "day": au["day"], "cards": [(k, fmt_count(au[k], lang)) for k in ("dau", "wau", "mau")]
            + [("dau_mau", "–" if au["dau_mau"] is None else fmt_pct(au["dau_mau"]))]})
    return render(request, "retention.html.j2", ctx, user=user)

"""``/forecast``: history and forecast band of a daily metric, and the backtest that chose the model.

GET parameters: ``metric`` (revenue, orders, active_users, engagement) and ``h`` (days).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("forecast", "/forecast", router)

METRICS = ("revenue", "orders", "active_users", "engagement")


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(request: Request,
                  metric: Annotated[Literal[METRICS], Query()] = "revenue",  # type: ignore[valid-type]
                  h: Annotated[int, Query(ge=1, le=90)] = 14) -> HTMLResponse:
    """The forecasts page."""
    from kpgrowth.errors import InputError
    from kpgrowth.forecast import forecast
    from kpgrowth.report.present import chart_html, forecast_figure

    user, lang, ws, g = current_user(request), lang_of(request), workspace(request), gate(request)
    ctx: dict[str, Any] = {"metric": metric, "h": h, "metrics": METRICS, "chart": None,
                           "scores": [], "rows": [], "model": None, "error": None}
    try:
        res = g.cached(f"web.forecast:{metric}:{h}",
                       lambda: g.read(forecast, ws, metric, h=h))
    except InputError as exc:  # e.g. no orders yet
        ctx["error"] = str(exc)
        return render(request, "forecast.html.j2", ctx, user=user)
    ctx.update(model=res.model, chart=chart_html(forecast_figure(res, lang), div_id="chart-forecast"),
               scores=res.backtest.scores if res.backtest else [],
               rows=[{**r, "band80": f"{r['lo-80']:,.1f} – {r['hi-80']:,.1f}",
                      "band95": f"{r['lo-95']:,.1f} – {r['hi-95']:,.1f}"} for r in res.forecast])
    return render(request, "forecast.html.j2", ctx, user=user)

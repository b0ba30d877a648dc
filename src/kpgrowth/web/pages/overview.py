"""``/``: the seller's overview — KPI cards, revenue and active users by platform, top products.

Filters are GET parameters: ``start``, ``end`` (``YYYY-MM-DD``, local days) and
repeated ``platform``. An empty workspace gets the first-run page instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kpgrowth.report.i18n import platform_name
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("overview", "/", router)


def _day(value: str | None) -> tuple[str | None, bool]:
    """``(ISO day or None, was it valid)``."""
    if not value:
        return None, True
    try:
        return dt.date.fromisoformat(value).isoformat(), True
    except ValueError:
        return None, False


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, start: str | None = None, end: str | None = None,
                  platform: Annotated[list[str] | None, Query()] = None) -> HTMLResponse:
    """The overview page."""
    from kpgrowth.analytics.overview import overview
    from kpgrowth.info import workspace_info
    from kpgrowth.report.present import (
        chart_html,
        kpi_cards,
        overview_figures,
        product_rows,
    )

    user = current_user(request)
    lang = lang_of(request)
    ws = workspace(request)
    with gate(request).lock:
        if gate(request).cached("web.info", lambda: workspace_info(ws)).empty:
            return render(request, "first_run.html.j2", {"root": str(ws.root)}, user=user)
        (start, ok_start), (end, ok_end) = _day(start), _day(end)
        chosen = [p for p in platform or [] if p]
        ov = overview(ws, start=start, end=end, platforms=chosen or None)
        every = overview(ws) if (start or end or chosen) else ov
    figs = overview_figures(ov, lang)
    ctx: dict[str, Any] = {
        "cards": kpi_cards(ov.kpis, ov.currency, lang), "start": start or "", "end": end or "",
        "bad_date": not (ok_start and ok_end),
        "platforms": [{"value": p, "label": platform_name(p, lang), "checked": p in chosen}
                      for p in sorted({r["platform"] for r in every.daily} | set(chosen))],
        "days": sorted({r["day"] for r in every.daily}),
        "charts": {k: chart_html(f, div_id=f"chart-{k}") for k, f in figs.items()},
        "has_orders": bool(ov.top_products), "products": product_rows(ov, lang),
    }
    return render(request, "overview.html.j2", ctx, user=user)


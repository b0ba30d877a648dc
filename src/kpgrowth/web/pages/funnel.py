"""``/funnel``: a step builder, conversion by step with 95 % intervals, and dropped-user lists.

GET parameters: repeated ``step`` (event types, in order; blank ones are ignored),
``window`` (``14d``, ``12h``…), ``order`` (sequential, strict, any), ``breakdown``
(an events column or ``users.<column>``), ``start`` and ``end`` (local days).
``/funnel/dropped.csv`` takes the same parameters and ``at=K``: the people who
reached step K but not step K+1, as CSV, for retargeting.

Examples
--------
>>> clean_steps(["impression", "", " click "]), clean_steps(None)[:2]
(['impression', 'click'], ['impression', 'click'])
>>> dropped_query({"step": ["view", "purchase"], "window": "7d", "start": ""}, 1)
'step=view&step=purchase&window=7d&at=1'
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

import kpgrowth.report.present_funnel  # noqa: F401  (registers the fu.* labels)
from kpgrowth.analytics.funnel import BREAKDOWNS as NAMED
from kpgrowth.analytics.funnel import DEFAULT_STEPS
from kpgrowth.analytics.funnel_query import ORDERS
from kpgrowth.schema import EVENT_TYPES
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("funnel", "/funnel", router)

BREAKDOWNS: tuple[str, ...] = (*NAMED, "users.first_channel", "users.first_platform",
                               "users.region")
"""Breakdowns offered in the form (the library accepts any ``users.<column>`` too)."""

Steps = Annotated[list[str] | None, Query(max_length=40)]
Order = Annotated[Literal[ORDERS], Query()]  # type: ignore[valid-type]
Text = Annotated[str | None, Query(max_length=64)]
Window = Annotated[str, Query(max_length=20)]


def clean_steps(steps: list[str] | None) -> list[str]:
    """The chosen steps without blanks; the default funnel when none are chosen."""
    chosen = [s.strip() for s in steps or [] if s and s.strip()]
    return chosen or list(DEFAULT_STEPS)


def dropped_query(params: dict[str, Any], at: int) -> str:
    """The query string of the dropped-user CSV of step ``at`` (empty values left out)."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, vals in params.items()
             for v in (vals if isinstance(vals, list) else [vals]) if v]
    return urlencode([*pairs, ("at", at)])


def _params(step: list[str] | None, window: str, order: str, breakdown: str | None,
            start: str | None, end: str | None) -> dict[str, Any]:
    return {"step": clean_steps(step), "window": (window or "14d").strip(), "order": order,
            "breakdown": breakdown or None, "start": start or None, "end": end or None}


def _compute(request: Request, p: dict[str, Any]) -> Any:
    """The cached :class:`FunnelResult` for the parameters ``p`` (raises InputError)."""
    from kpgrowth.analytics.funnel import funnel

    g, ws = gate(request), workspace(request)
    key = "web.funnel:" + repr(sorted((k, str(v)) for k, v in p.items()))
    return g.cached(key, lambda: g.read(funnel, ws, p["step"], window=p["window"],
                                        order=p["order"], breakdown=p["breakdown"],
                                        start=p["start"], end=p["end"]))


@router.get("/funnel", response_class=HTMLResponse)
def funnel_page(request: Request, step: Steps = None, window: Window = "14d",
                order: Order = "sequential", breakdown: Text = None, start: Text = None,
                end: Text = None) -> HTMLResponse:
    """The funnel page."""
    from kpgrowth.errors import InputError
    from kpgrowth.report.i18n import LABELS, t
    from kpgrowth.report.present import chart_html
    from kpgrowth.report.present_funnel import (
        breakdown_rows,
        funnel_figure,
        funnel_rows,
        step_label,
        ttc_figure,
    )

    user, lang = current_user(request), lang_of(request)
    p = _params(step, window, order, breakdown, start, end)
    ctx: dict[str, Any] = {
        **p, "events": [(e, step_label(e, lang)) for e in EVENT_TYPES], "orders": ORDERS,
        "breakdowns": BREAKDOWNS, "error": None, "empty": False, "rows": [], "by": []}
    try:
        res = _compute(request, p)
    except InputError as exc:
        ctx["error"] = str(exc)
        return render(request, "funnel.html.j2", ctx, user=user)
    ctx.update(
        empty=not res.overall[0]["count"], rows=funnel_rows(res, lang),
        by=breakdown_rows(res, lang) if res.breakdown else [],
        breakdown_label=t(f"fu.bd.{res.breakdown}", lang) if f"fu.bd.{res.breakdown}" in LABELS
        else res.breakdown,
        step_labels=[step_label(s, lang) for s in res.steps],
        chart=chart_html(funnel_figure(res, lang), div_id="chart-funnel"),
        ttc=chart_html(ttc_figure(res, lang), div_id="chart-ttc"),
        csv={k: "/funnel/dropped.csv?" + dropped_query(p, k) for k in range(1, len(res.steps))})
    return render(request, "funnel.html.j2", ctx, user=user)


@router.get("/funnel/dropped.csv")
def dropped_csv(request: Request, at: Annotated[int, Query(ge=1)], step: Steps = None,
                window: Window = "14d", order: Order = "sequential", breakdown: Text = None,
                start: Text = None, end: Text = None) -> Response:
    """People who reached step ``at`` but not the next, as UTF-8 CSV (with a BOM for Excel)."""
    from kpgrowth.errors import InputError

    current_user(request)
    p = _params(step, window, order, breakdown, start, end)
    try:
        res = _compute(request, p)
        table = gate(request).read(res.dropped, at)
    except InputError as exc:
        return PlainTextResponse(str(exc), status_code=422)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v
                         for v in row.values()])
    name = f"dropped_step{at}_{p['step'][at - 1]}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

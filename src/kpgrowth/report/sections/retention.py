"""The report's retention section: weekly cohort heatmap and LTV curves per customer.

Examples
--------
>>> from kpgrowth.store import memory_store
>>> build(memory_store(), "en") is None  # no events or orders: no section
True
"""

from __future__ import annotations

from typing import Any

from kpgrowth.report.present import chart_html
from kpgrowth.report.present_funnel import ltv_figure, period_label, retention_figure

WEEKS = 8
"""Periods (weeks) of the heatmap and the LTV curves."""


def build(ws: Any, lang: str) -> dict[str, Any] | None:
    """Weekly retention by first event and LTV by first-purchase cohort; None without data.

    Parameters
    ----------
    ws : Workspace or Store
        Where the ``events`` and ``orders`` tables are.
    lang : {"zh", "en"}
        Language of labels and numbers.

    Returns
    -------
    dict or None
        ``chart`` (heatmap HTML), ``curve`` (rows ``k, label, rate``), ``ltv`` (HTML, or
        None without paid orders) and ``cohorts`` (how many).
    """
    from kpgrowth.analytics.retention import retention
    from kpgrowth.analytics.revenue_retention import revenue_retention

    ret = retention(ws, period="week", periods=WEEKS)
    if not ret.cohorts:
        return None
    rr = revenue_retention(ws, period="week", periods=WEEKS)
    curve = [{"k": p["k"], "label": period_label("week", p["k"], lang),
              "rate": "–" if p["rate"] is None else f"{100 * p['rate']:.1f}%",
              "cohorts": p["cohorts"]} for p in ret.curve]
    return {"chart": chart_html(retention_figure(ret, lang), div_id="report-retention"),
            "curve": curve, "cohorts": len(ret.cohorts),
            "ltv": chart_html(ltv_figure(rr, lang), div_id="report-ltv")
            if rr.cohorts else None}

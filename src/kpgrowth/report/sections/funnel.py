"""The report's funnel section: the default funnel (impression → … → share, 14 days).

Examples
--------
>>> from kpgrowth.store import memory_store
>>> build(memory_store(), "zh") is None  # no events: no section
True
"""

from __future__ import annotations

from typing import Any

from kpgrowth.report.present import chart_html
from kpgrowth.report.present_funnel import funnel_figure, funnel_rows


def build(ws: Any, lang: str) -> dict[str, Any] | None:
    """The chart and step table of the default funnel; None when nobody entered it.

    Parameters
    ----------
    ws : Workspace or Store
        Where the ``events`` table is.
    lang : {"zh", "en"}
        Language of labels and numbers.

    Returns
    -------
    dict or None
        ``chart`` (HTML), ``rows`` (see :func:`~kpgrowth.report.present_funnel.funnel_rows`)
        and ``window_s``.
    """
    from kpgrowth.analytics.funnel import funnel

    res = funnel(ws)
    if not res.overall[0]["count"]:
        return None
    return {"chart": chart_html(funnel_figure(res, lang), div_id="report-funnel"),
            "rows": funnel_rows(res, lang), "window_s": res.window_s}

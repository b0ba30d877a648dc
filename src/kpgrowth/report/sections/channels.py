"""The report's channels section: revenue, cost and ROI per platform, the attribution
models compared (credit per platform, 30-day lookback), and the :data:`TOP_PATHS` most
common paths of event types before a purchase (30-day lookback).

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> build(ws, "zh") is None  # no orders: nothing to show
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpgrowth.report import present_channels as pc
from kpgrowth.report.present import chart_html

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

TOP_PATHS = 5
"""Paths before purchase listed."""


def build(ws: Workspace, lang: str) -> dict[str, Any] | None:
    """ROI table and chart by platform, the model comparison and the top paths before
    purchase; None without paid orders."""
    from kpgrowth.analytics.attribution import compare_models
    from kpgrowth.analytics.channels import channel_performance
    from kpgrowth.analytics.paths import purchase_paths

    res = channel_performance(ws, by="platform")
    if not res.rows:
        return None
    cmp = compare_models(ws, dimension="platform")
    paths = purchase_paths(ws, top=TOP_PATHS, step="type", lookback="30d")
    return {"paths": pc.paths_table(paths, lang, ws.settings.currency) if paths.rows else None,
            "roi": pc.roi_table(res, lang), "roi_chart": chart_html(pc.roi_figure(res, lang)),
            "attr": pc.attribution_table(cmp, lang) if cmp.rows else None,
            "attr_chart": chart_html(pc.attribution_figure(cmp, lang)) if cmp.rows else None}

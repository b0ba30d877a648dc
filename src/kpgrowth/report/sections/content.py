"""The report's content section: best and worst posts by engagement rate, and the
engagement rate by hour of the week posts were published.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> build(ws, "en") is None  # no posts: nothing to show
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpgrowth.report import present_content as pc
from kpgrowth.report.present import chart_html

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace

N = 5
"""Posts in each of the best and worst lists."""


def build(ws: Workspace, lang: str) -> dict[str, Any] | None:
    """Best/worst posts (at least :data:`~kpgrowth.report.present_content.MIN_VIEWS`
    views) and the hour-of-week heatmap; None without posts."""
    from kpgrowth.analytics.content import content_performance

    posts = content_performance(ws, by="post")
    if not posts.rows:
        return None
    hours = content_performance(ws, by="hour_of_week")
    return {"best": pc.post_rows(posts.best(N, min_views=pc.MIN_VIEWS), hours.tz, lang),
            "worst": pc.post_rows(posts.worst(N, min_views=pc.MIN_VIEWS), hours.tz, lang),
            "min_views": pc.MIN_VIEWS, "tz": hours.tz,
            "heatmap": chart_html(pc.heatmap_figure(hours, lang)),
            "best_hours": pc.best_hours(hours, lang)}

"""The one-file HTML overview: KPIs, charts, top products and data quality.

Self-contained: plotly.js is inlined, so the file opens offline and can be sent
to a colleague. Rendered from :class:`~kpgrowth.analytics.overview.Overview` and
:class:`~kpgrowth.info.WorkspaceInfo`.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> path = write_overview(ws, ws.reports_dir / "overview.html", lang="en")
>>> "no data yet" in path.read_text(encoding="utf-8")
True
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpgrowth.errors import InputError
from kpgrowth.report.i18n import reason_text, t
from kpgrowth.report.sections import build_sections
from kpgrowth.report.present import (
    chart_html,
    kpi_cards,
    overview_figures,
    product_rows,
    table_rows,
)

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace


def render_overview(ws: Workspace, *, lang: str | None = None, start: str | None = None,
                    end: str | None = None, platforms: list[str] | None = None) -> str:
    """Render the overview of ``ws`` as one self-contained HTML string."""
    import jinja2
    from plotly.offline import get_plotlyjs

    from kpgrowth.analytics.overview import overview
    from kpgrowth.info import workspace_info

    lang = lang or ws.settings.locale
    if lang not in ("zh", "en"):
        raise InputError(f"unknown language {lang!r}", hint="use --lang zh or --lang en")
    info = workspace_info(ws)
    ctx: dict[str, Any] = {"info": info, "lang": lang, "t": lambda k: t(k, lang),
                           "reason": lambda r: reason_text(r, lang),
                           "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                           "period": f"{start or ''} – {end or ''}" if (start or end)
                           else t("all_time", lang),
                           "plotly_js": f"<script>{get_plotlyjs()}</script>"}
    ctx["tables"] = table_rows(info, lang)
    if not info.empty:
        ov = overview(ws, start=start, end=end, platforms=platforms)
        ctx["cards"] = kpi_cards(ov.kpis, ov.currency, lang)
        figs = overview_figures(ov, lang)
        ctx["revenue_chart"] = chart_html(figs["revenue"])
        ctx["active_chart"] = chart_html(figs["active_users"])
        ctx["top_products"] = product_rows(ov, lang)
        ctx["forecast"] = _forecast_section(ws, lang)
        ctx["sections"] = build_sections(ws, lang)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kpgrowth.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]))
    return env.get_template("overview.html.j2").render(**ctx)


def _forecast_section(ws: Workspace, lang: str) -> dict[str, Any] | None:
    """Revenue for the next 14 days with the backtest that chose the model (None if no orders)."""
    from kpgrowth.errors import InputError
    from kpgrowth.forecast import forecast
    from kpgrowth.report.present import forecast_figure

    try:
        res = forecast(ws, "revenue", h=14)
    except InputError:
        return None
    return {"model": res.model, "chart": chart_html(forecast_figure(res, lang)),
            "scores": res.backtest.scores if res.backtest else []}


def write_overview(ws: Workspace, path: str | Path, **kw: Any) -> Path:
    """Write the overview of ``ws`` to ``path`` (see :func:`render_overview`); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_overview(ws, **kw), encoding="utf-8")
    return path

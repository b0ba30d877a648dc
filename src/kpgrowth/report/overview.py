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
from kpgrowth.report.i18n import fmt_count, fmt_money, fmt_pct, t

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.workspace import Workspace


def _chart(fig: Any) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False,
                       config={"displaylogo": False, "responsive": True})


def _stamp(v: Any) -> str | None:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    return v.isoformat() if isinstance(v, dt.date) else v


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
                           "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                           "period": f"{start or ''} – {end or ''}" if (start or end)
                           else t("all_time", lang),
                           "plotly_js": f"<script>{get_plotlyjs()}</script>"}
    ctx["tables"] = [{**r, "rows_fmt": fmt_count(r["rows"], lang) if lang == "zh"
                      else f"{r['rows']:,}", "first": _stamp(r["first"]),
                      "last": _stamp(r["last"])} for r in info.tables]
    if not info.empty:
        ov = overview(ws, start=start, end=end, platforms=platforms)
        k, cur = ov.kpis, ov.currency
        ctx["cards"] = [
            ("users", fmt_count(k["users"], lang)),
            ("active_users", fmt_count(k["active_users"], lang)),
            ("buyers", fmt_count(k["buyers"], lang)),
            ("orders", fmt_count(k["orders"], lang)),
            ("revenue", fmt_money(k["revenue"], cur, lang)),
            ("net_revenue", fmt_money(k["net_revenue"], cur, lang)),
            ("aov", fmt_money(k["aov"], cur, lang)),
            ("conversion", fmt_pct(k["conversion"])),
        ]
        rev, act = ov.figure("revenue"), ov.figure("active_users")
        for fig, y in ((rev, "revenue"), (act, "active_users")):
            fig.update_layout(title=None, height=340, margin={"l": 40, "r": 10, "t": 10, "b": 30},
                              xaxis_title=t("day", lang), yaxis_title=t(y, lang),
                              legend_title_text=t("platform", lang))
        ctx["revenue_chart"], ctx["active_chart"] = _chart(rev), _chart(act)
        ctx["top_products"] = [{**p, "revenue_fmt": fmt_money(p["revenue"], cur, lang),
                                "orders_fmt": fmt_count(p["orders"], lang),
                                "buyers_fmt": fmt_count(p["buyers"], lang)}
                               for p in ov.top_products]
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kpgrowth.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]))
    return env.get_template("overview.html.j2").render(**ctx)


def write_overview(ws: Workspace, path: str | Path, **kw: Any) -> Path:
    """Write the overview of ``ws`` to ``path`` (see :func:`render_overview`); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_overview(ws, **kw), encoding="utf-8")
    return path

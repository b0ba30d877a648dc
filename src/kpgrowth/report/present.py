"""Turning Result objects into what people read: KPI cards, table rows, localized charts.

Shared by the one-file report and the web dashboard, so both show the same
labels, numbers and charts in 中文 or English.

Examples
--------
>>> cards = kpi_cards({"users": 123456, "active_users": 9, "buyers": 3, "orders": 4,
...                    "revenue": 417.8, "net_revenue": 218.8, "aov": 104.45,
...                    "conversion": 0.75}, "CNY", "zh")
>>> cards[0], cards[4], cards[-1]
(('users', '12.3万'), ('revenue', '¥417.80'), ('conversion', '75.0%'))
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from kpgrowth.report.i18n import (
    currency_symbol,
    fmt_count,
    fmt_datetime,
    fmt_money,
    fmt_pct,
    platform_name,
    t,
)

if TYPE_CHECKING:  # pragma: no cover
    from kpgrowth.analytics.overview import Overview
    from kpgrowth.info import WorkspaceInfo

#: KPI cards in display order and how each is formatted
KPI_CARDS: tuple[tuple[str, str], ...] = (
    ("users", "count"), ("active_users", "count"), ("buyers", "count"), ("orders", "count"),
    ("revenue", "money"), ("net_revenue", "money"), ("aov", "money"), ("conversion", "pct"),
)

FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif'


def kpi_cards(kpis: dict[str, Any], currency: str, lang: str) -> list[tuple[str, str]]:
    """``(key, formatted value)`` for each KPI card."""
    fmt = {"count": lambda v: fmt_count(v, lang), "pct": fmt_pct,
           "money": lambda v: fmt_money(v, currency, lang)}
    return [(key, fmt[kind](kpis.get(key, 0) or 0)) for key, kind in KPI_CARDS]


def product_rows(ov: Overview, lang: str) -> list[dict[str, Any]]:
    """Top products with their kind translated and numbers formatted."""
    return [{**p, "kind_label": t(f"kind.{p['kind']}", lang) if p.get("kind") else "",
             "revenue_fmt": fmt_money(p["revenue"], ov.currency, lang),
             "orders_fmt": fmt_count(p["orders"], lang),
             "buyers_fmt": fmt_count(p["buyers"], lang)} for p in ov.top_products]


def table_rows(info: WorkspaceInfo, lang: str) -> list[dict[str, Any]]:
    """Tables with row counts and first/last timestamps formatted for ``lang``."""
    return [{**r, "rows_fmt": fmt_count(r["rows"], lang) if lang == "zh" else f"{r['rows']:,}",
             "first_fmt": fmt_datetime(r["first"], lang),
             "last_fmt": fmt_datetime(r["last"], lang)} for r in info.tables]


def _relabel_hover(fig: Any, names: dict[str, str]) -> None:
    for trace in fig.data:
        tpl = getattr(trace, "hovertemplate", None)
        if tpl:
            for raw, label in names.items():
                tpl = tpl.replace(f"{raw}=", f"{label}=")
            trace.hovertemplate = tpl


def overview_figures(ov: Overview, lang: str) -> dict[str, Any]:
    """The overview's charts (``revenue``, ``active_users``, ``products``) in ``lang``.

    Platform names, axis titles, legends and hover labels are translated; the
    numbers are :meth:`Overview.figure`'s own.
    """
    daily = [{**r, "platform": platform_name(r["platform"], lang)} for r in ov.daily]
    local = dataclasses.replace(ov, daily=daily)
    names = {k: t(k, lang) for k in ("day", "platform", "revenue", "active_users", "title")}
    layout = {"title": None, "height": 340, "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
              "font": {"family": FONT}, "legend_title_text": t("platform", lang),
              "hoverlabel": {"font": {"family": FONT}}}
    figs = {}
    for metric in ("revenue", "active_users"):
        fig = local.figure(metric)
        fig.update_layout(**layout, xaxis_title=t("day", lang), yaxis_title=t(metric, lang))
        if metric == "revenue":
            fig.update_yaxes(tickprefix=currency_symbol(ov.currency))
        if lang == "zh":
            fig.update_xaxes(tickformat="%m月%d日", hoverformat="%Y年%m月%d日")
        _relabel_hover(fig, names)
        figs[metric] = fig
    fig = ov.products_figure()
    fig.update_layout(**{**layout, "height": 60 + 28 * max(len(ov.top_products), 1)},
                      xaxis_title=t("revenue", lang), yaxis_title=None,
                      xaxis_tickprefix=currency_symbol(ov.currency))
    _relabel_hover(fig, names)
    figs["products"] = fig
    return figs


def chart_html(fig: Any, div_id: str | None = None) -> str:
    """A figure as an HTML ``<div>`` (plotly.js must be on the page)."""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def forecast_figure(res: Any, lang: str) -> Any:
    """The forecast chart of a :class:`~kpgrowth.forecast.ForecastResult` with translated labels."""
    fig = res.figure()
    names = {"history": t("fc.history", lang), "80% interval": t("fc.band80", lang),
             "95% interval": t("fc.band95", lang)}
    for trace in fig.data:
        trace.name = names.get(trace.name, f"{t('fc.forecast', lang)} ({res.model})")
    fig.update_layout(title=None, height=380, margin={"l": 40, "r": 10, "t": 10, "b": 30},
                      xaxis_title=t("day", lang), yaxis_title=t(res.metric, lang))
    return fig

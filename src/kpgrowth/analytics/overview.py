"""The seller's overview: KPIs, revenue and active users over time, top products.

Pure Ibis over the ``orders``, ``events`` and ``products`` tables, so it runs
the same on DuckDB and Spark.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> ov = overview(ws)
>>> ov.kpis["orders"], ov.kpis["revenue"]
(0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kpgrowth.result import Result
from kpgrowth.timeutil import bounds_span, local_day, time_span, utc_bounds

if TYPE_CHECKING:  # pragma: no cover
    import ibis


class TableSource(Protocol):
    """Anything with ``table(name)`` (a Workspace or a Store)."""

    def table(self, name: str) -> ibis.Table: ...


@dataclass
class Overview(Result):
    """Headline numbers for a period.

    Attributes
    ----------
    kpis : dict
        ``users`` (all known users), ``active_users`` (with any event in the period),
        ``buyers``, ``orders`` (paid), ``revenue`` (paid, in ``currency``),
        ``refunds``, ``net_revenue``, ``aov`` (客单价), ``conversion`` (buyers / active users).
    daily : list of dict
        ``day, platform, revenue, orders, active_users`` per local day and platform.
    top_products : list of dict
        ``product_id, title, kind, revenue, orders, buyers``, by revenue.
    """

    kpis: dict[str, Any]
    daily: list[dict[str, Any]] = field(default_factory=list)
    top_products: list[dict[str, Any]] = field(default_factory=list)
    currency: str = "CNY"
    start: str | None = None
    end: str | None = None
    platforms: list[str] | None = None

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.daily, columns=["day", "platform", "revenue", "orders",
                                                 "active_users"])

    def figure(self, metric: str = "revenue") -> Any:
        """Daily ``metric`` by platform: stacked for revenue and orders (they add up), lines
        for active users (a person active on two platforms counts on both)."""
        import plotly.express as px

        df = self.to_frame()
        plot = px.line if metric == "active_users" else px.area
        fig = plot(df, x="day", y=metric, color="platform") if len(df) else plot()
        fig.update_layout(title=f"{metric} by platform", legend_title_text="platform")
        return fig

    def products_figure(self) -> Any:
        """Horizontal bar chart of the top products by revenue."""
        import pandas as pd
        import plotly.express as px

        df = pd.DataFrame(self.top_products, columns=["title", "revenue"])
        fig = px.bar(df.iloc[::-1], x="revenue", y="title", orientation="h")
        fig.update_layout(title="Top products by revenue", yaxis_title=None)
        return fig


def _filter(t: ibis.Table, ts: str, lo: Any, hi: Any, platforms: list[str] | None) -> ibis.Table:
    import ibis

    if lo is not None:
        t = t.filter(t[ts] >= ibis.literal(lo, type="timestamp('UTC')"))
    if hi is not None:
        t = t.filter(t[ts] < ibis.literal(hi, type="timestamp('UTC')"))
    if platforms:
        t = t.filter(t.platform.isin(platforms))
    return t


def overview(source: TableSource, *, start: str | None = None, end: str | None = None,
             platforms: list[str] | None = None, currency: str | None = None,
             tz: str | None = None, top: int = 10) -> Overview:
    """Compute the overview for local days ``start``..``end`` (inclusive, ISO dates).

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    start, end : str, optional
        First and last local day (``YYYY-MM-DD``); default all time.
    platforms : list of str, optional
        Only these platforms.
    currency : str, optional
        Currency of revenue figures (default: the workspace's); orders in other
        currencies are left out of money figures.
    tz : str, optional
        Time zone of "days" (default: the workspace's); daylight saving time is
        followed (:func:`kpgrowth.timeutil.local_day`).
    top : int
        How many top products.
    """
    import ibis

    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    tz = tz or (settings.timezone if settings else "UTC")
    lo, hi = utc_bounds(start, end, tz)

    orders = _filter(source.table("orders"), "ts", lo, hi, platforms)
    events = _filter(source.table("events"), "ts", lo, hi, platforms)
    paid = orders.filter((orders.status == "paid") & (orders.currency == currency))
    refunded = orders.filter((orders.status == "refunded") & (orders.currency == currency))

    o = paid.aggregate(orders=paid.count(), buyers=paid.user_key.nunique(),
                       revenue=paid.amount.sum().cast("float64")).to_pyarrow().to_pylist()[0]
    r = refunded.aggregate(refunds=refunded.amount.abs().sum().cast("float64")
                           ).to_pyarrow().to_pylist()[0]
    active = int(events.user_key.nunique().execute() or 0)
    n_users = int(source.table("users").count().execute())
    revenue = float(o["revenue"] or 0.0)
    refunds = float(r["refunds"] or 0.0)
    kpis = {
        "users": n_users, "active_users": active, "buyers": int(o["buyers"] or 0),
        "orders": int(o["orders"] or 0), "revenue": round(revenue, 2),
        "refunds": round(refunds, 2), "net_revenue": round(revenue - refunds, 2),
        "aov": round(revenue / o["orders"], 2) if o["orders"] else 0.0,
        "conversion": round((o["buyers"] or 0) / active, 4) if active else 0.0,
    }

    span = bounds_span(lo, hi) or time_span(source, tz)  # queried only for DST zones

    def day_of(t: ibis.Table) -> Any:
        return local_day(t.ts, tz, span).name("day")

    plat = lambda t: t.platform.fill_null("other").name("platform")
    rev = paid.group_by([day_of(paid), plat(paid)]).aggregate(
        revenue=paid.amount.sum().cast("float64"), orders=paid.count())
    act = events.group_by([day_of(events), plat(events)]).aggregate(
        active_users=events.user_key.nunique())
    daily = (act.outer_join(rev, ["day", "platform"])
             .select(day=ibis.coalesce(act.day, rev.day),
                     platform=ibis.coalesce(act.platform, rev.platform),
                     revenue=rev.revenue.fill_null(0.0), orders=rev.orders.fill_null(0),
                     active_users=act.active_users.fill_null(0))
             .order_by(["day", "platform"]))
    daily_rows = daily.to_pyarrow().to_pylist()
    for row in daily_rows:
        row["day"] = row["day"].isoformat()
        row["revenue"] = round(float(row["revenue"]), 2)

    products = source.table("products")
    per = paid.group_by("product_id").aggregate(
        revenue=paid.amount.sum().cast("float64"), orders=paid.count(),
        buyers=paid.user_key.nunique())
    tops = (per.left_join(products.select("product_id", "title", "kind"), "product_id")
            .select("product_id", "title", "kind", "revenue", "orders", "buyers")
            .order_by([ibis.desc("revenue"), "product_id"]).limit(top))
    top_rows = tops.to_pyarrow().to_pylist()
    for row in top_rows:
        row["title"] = row["title"] or row["product_id"]
        row["revenue"] = round(float(row["revenue"]), 2)
    return Overview(kpis, daily_rows, top_rows, currency, start, end, platforms)

"""Channel performance: orders, revenue, spend, ROI and ROAS by platform, campaign, sales
channel, post, 分销 promoter or community.

Definitions (local days ``start``..``end``; one currency, the workspace's by default):

* ``orders``, ``buyers``, ``gross_revenue``: paid orders (``status = 'paid'``), distinct
  buyers and their amount. ``refunds``: the absolute amount of refunded orders in the
  period, grouped like the orders; ``revenue`` = gross − refunds.
* ``spend``: from the ``spend`` table, where the dimension has spend (platform, campaign,
  channel = ``spend.channel`` or else the campaign's channel); null elsewhere.
* ``commission``: 分销 commission of the orders. ``cost`` = spend + commission;
  ``roi`` = (revenue − cost) / cost; ``roas`` = revenue / spend; ``cpa`` = cost / orders
  (null where the denominator is 0 or missing).
* ``by="promoter"``: one row per promoter and tier: ``referrer`` (一级, orders with
  ``referrer_user_key`` = the promoter) and ``superior`` (二级/上级, orders with
  ``superior_user_key`` = the promoter). Orders keep one commission figure for both
  tiers; with ``superior_rate`` (e.g. 0.05) the superior's share, rate × amount, is
  taken from the referrer's and shown on the superior row (else that row's is null).
* ``by="community"``: orders placed by members of the community at the time of the order
  (``joined_at <= ts`` and before ``left_at``), plus ``members`` (stays overlapping the
  period) and ``conversion`` = buyers / members.
* ``by="post"``: orders carry no post, so each paid order goes to the last post its buyer
  clicked (click / landing / trailer_view events with a ``post_id``, up to ``lookback``
  before the order; last-touch of :mod:`kpgrowth.analytics.attribution`); refunds cannot
  be linked to posts and are not subtracted.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> channel_performance(ws, by="campaign").to_frame().shape
(0, 16)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError
from kpgrowth.result import Result
from kpgrowth.timeutil import utc_bounds

if TYPE_CHECKING:  # pragma: no cover
    import ibis

BY: tuple[str, ...] = ("platform", "campaign", "channel", "post", "promoter", "community")
COLUMNS = ["key", "name", "tier", "orders", "buyers", "gross_revenue", "refunds", "revenue",
           "spend", "commission", "cost", "roi", "roas", "cpa", "members", "conversion"]
NONE = "(none)"
"""Key of orders without a value for the dimension (e.g. no campaign)."""


@dataclass
class ChannelResult(Result):
    """Performance per value of one dimension (``rows``, largest revenue first).

    Attributes
    ----------
    by : str
        The dimension.
    rows : list of dict
        One dict per key with the :data:`COLUMNS` (module docstring).
    totals : dict
        ``orders, gross_revenue, refunds, revenue, spend, commission`` over the rows.
    """

    by: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)
    currency: str = "CNY"
    start: str | None = None
    end: str | None = None

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def figure(self, metric: str = "revenue") -> Any:
        """Bar chart of ``metric`` per key (colour = tier for promoters)."""
        import plotly.express as px

        df = self.to_frame()
        df["label"] = df["name"].fillna(df["key"]) if len(df) else df["key"]
        fig = px.bar(df, x="label", y=metric, color="tier" if self.by == "promoter" else None)
        fig.update_layout(title=f"{metric} by {self.by}", xaxis_title=self.by)
        return fig


def _money(x: Any) -> float:
    return round(float(x or 0.0), 2)


def _aggregate(t: ibis.Table, key: Any, *, minus: Any = None) -> dict[Any, dict[str, Any]]:
    """orders, buyers, gross and commission of paid-order rows ``t`` grouped by ``key``."""
    commission = t.commission.cast("float64").fill_null(0.0)
    if minus is not None:
        commission = commission - minus
    rows = t.group_by(k=key).aggregate(
        orders=t.order_id.nunique(), buyers=t.user_key.nunique(),
        gross=t.amount.cast("float64").sum(), commission=commission.sum()).to_pyarrow().to_pylist()
    return {r.pop("k"): r for r in rows}


def _refunds(t: ibis.Table, key: Any) -> dict[Any, float]:
    rows = t.group_by(k=key).aggregate(r=t.amount.cast("float64").abs().sum()).to_pyarrow()
    return {r["k"]: float(r["r"] or 0.0) for r in rows.to_pylist()}


def _spend(source: TableSource, by: str, start: str | None, end: str | None,
           currency: str) -> dict[Any, float]:
    import ibis

    s = source.table("spend")
    s = s.filter(s.currency == currency)
    if start:
        s = s.filter(s.date >= ibis.literal(dt.date.fromisoformat(start)))
    if end:
        s = s.filter(s.date <= ibis.literal(dt.date.fromisoformat(end)))
    if by == "channel":
        c = source.table("campaigns").select(cid="campaign_id", cch="channel")
        s = s.left_join(c, s.campaign_id == c.cid)
        key = ibis.coalesce(s.channel, s.cch)
    else:
        key = s.platform if by == "platform" else s.campaign_id
    rows = s.group_by(k=key).aggregate(x=s.spend.cast("float64").sum()).to_pyarrow().to_pylist()
    return {(r["k"] if r["k"] is not None else NONE): float(r["x"] or 0.0) for r in rows}


def _row(key: Any, stats: dict[str, Any] | None, refunds: float, spend: float | None,
         **extra: Any) -> dict[str, Any]:
    s = stats or {"orders": 0, "buyers": 0, "gross": 0.0, "commission": 0.0}
    gross, commission = float(s["gross"] or 0.0), s["commission"]
    revenue = gross - refunds
    cost = (spend or 0.0) + float(commission or 0.0)
    orders = int(s["orders"] or 0)
    row = {"key": key, "name": None, "tier": None, "orders": orders,
           "buyers": int(s["buyers"] or 0), "gross_revenue": _money(gross),
           "refunds": _money(refunds), "revenue": _money(revenue),
           "spend": None if spend is None else _money(spend),
           "commission": None if commission is None else _money(commission),
           "cost": _money(cost), "roi": (revenue - cost) / cost if cost > 0 else None,
           "roas": revenue / spend if spend else None,
           "cpa": cost / orders if orders and cost > 0 else None,
           "members": None, "conversion": None}
    row.update(extra)
    return row


def _merge(stats: dict, refunds: dict, spend: dict | None, **extra: Any) -> list[dict]:
    keys = set(stats) | set(refunds) | set(spend or {})
    return [_row(k, stats.get(k), refunds.get(k, 0.0),
                 (spend or {}).get(k, 0.0) if spend is not None else None, **extra)
            for k in keys]


def _promoters(paid: ibis.Table, refunded: ibis.Table, rate: float | None) -> list[dict]:
    import ibis

    rows = []
    for tier, col in (("referrer", "referrer_user_key"), ("superior", "superior_user_key")):
        p, r = paid.filter(paid[col].notnull()), refunded.filter(refunded[col].notnull())
        minus = None
        if tier == "referrer" and rate is not None:
            minus = ibis.ifelse(p.superior_user_key.notnull(), p.amount.cast("float64") * rate, 0.0)
        stats = _aggregate(p, p[col], minus=minus)
        if tier == "superior":
            for s in stats.values():
                s["commission"] = None if rate is None else s["gross"] * rate
        rows += _merge(stats, _refunds(r, r[col]), None, tier=tier)
    return rows


def _communities(source: TableSource, paid: ibis.Table, refunded: ibis.Table,
                 lo: Any, hi: Any) -> list[dict]:
    import ibis

    m = source.table("memberships")

    def of_members(t: ibis.Table) -> ibis.Table:
        j = t.join(m, [t.user_key == m.user_key, m.joined_at <= t.ts,
                       m.left_at.isnull() | (t.ts < m.left_at)])
        return j.select("order_id", "user_key", "amount", "commission", "community_id")

    members_paid = of_members(paid)
    stats = _aggregate(members_paid, members_paid.community_id)
    ref = of_members(refunded)
    stay = m
    if hi is not None:
        stay = stay.filter(stay.joined_at < ibis.literal(hi, type="timestamp('UTC')"))
    if lo is not None:
        stay = stay.filter(stay.left_at.isnull()
                           | (stay.left_at >= ibis.literal(lo, type="timestamp('UTC')")))
    members = {r["community_id"]: r["n"] for r in stay.group_by("community_id").aggregate(
        n=stay.user_key.nunique()).to_pyarrow().to_pylist()}
    names = {r["community_id"]: r["name"] for r in
             source.table("communities").select("community_id", "name").to_pyarrow().to_pylist()}
    rows = _merge(stats, _refunds(ref, ref.community_id), None)
    for row in rows:
        row["members"] = int(members.get(row["key"], 0))
        row["conversion"] = row["buyers"] / row["members"] if row["members"] else None
        row["name"] = names.get(row["key"])
    return rows


def _posts(source: TableSource, start: str | None, end: str | None, lookback: str,
           currency: str, tz: str) -> list[dict]:
    from kpgrowth.analytics.attribution import _spec
    from kpgrowth.analytics.attribution_paths import order_touches

    spec = _spec(source, "post", lookback, start, end, ("click", "landing", "trailer_view"),
                 True, False, currency, tz)
    t = order_touches(source, spec)
    t = t.filter(t.pos == t.n - 1)
    rows = t.group_by(k="channel").aggregate(
        orders=t.order_id.nunique(), buyers=t.o_user.nunique(), gross=t.amount.sum(),
        commission=t.amount.sum() * 0.0).to_pyarrow().to_pylist()
    posts = source.table("posts")
    titles = {r["post_id"]: r["title"] for r in posts.select("post_id", "title").to_pyarrow().to_pylist()}
    return [_row(r["k"], r, 0.0, None, name=titles.get(r["k"])) for r in rows]


def channel_performance(source: TableSource, *, by: str = "platform", start: str | None = None,
                        end: str | None = None, currency: str | None = None,
                        tz: str | None = None, superior_rate: float | None = None,
                        lookback: str = "30d") -> ChannelResult:
    """Orders, revenue, spend, commission, ROI, ROAS and CPA per value of ``by``.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    by : {"platform", "campaign", "channel", "post", "promoter", "community"}
        The dimension (module docstring says how each is defined).
    start, end : str, optional
        First and last local day (``YYYY-MM-DD``); default all time.
    currency, tz : str, optional
        Currency of the figures and time zone of days (default: the workspace's).
    superior_rate : float, optional
        The second-tier (上级) commission rate, to split commissions between tiers.
    lookback : str
        How far back a post click may be for ``by="post"``.
    """
    import ibis

    if by not in BY:
        raise InputError(f"unknown channel dimension {by!r}", hint=f"use one of {', '.join(BY)}")
    if superior_rate is not None and not 0 <= superior_rate < 1:
        raise InputError("superior_rate must be in [0, 1)", value=superior_rate)
    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    tz = tz or (settings.timezone if settings else "UTC")
    lo, hi = utc_bounds(start, end, tz)
    o = source.table("orders")
    o = o.filter(o.currency == currency)
    if lo is not None:
        o = o.filter(o.ts >= ibis.literal(lo, type="timestamp('UTC')"))
    if hi is not None:
        o = o.filter(o.ts < ibis.literal(hi, type="timestamp('UTC')"))
    paid, refunded = o.filter(o.status == "paid"), o.filter(o.status == "refunded")
    if by in ("platform", "campaign", "channel"):
        col = {"platform": "platform", "campaign": "campaign_id", "channel": "channel"}[by]
        rows = _merge(_aggregate(paid, paid[col].fill_null(NONE)),
                      _refunds(refunded, refunded[col].fill_null(NONE)),
                      _spend(source, by, start, end, currency))
        if by == "campaign":
            c = source.table("campaigns").select("campaign_id", "name").to_pyarrow().to_pylist()
            names = {r["campaign_id"]: r["name"] for r in c}
            for row in rows:
                row["name"] = names.get(row["key"])
    elif by == "promoter":
        rows = _promoters(paid, refunded, superior_rate)
    elif by == "community":
        rows = _communities(source, paid, refunded, lo, hi)
    else:
        rows = _posts(source, start, end, lookback, currency, tz)
    rows.sort(key=lambda r: (-r["revenue"], -r["orders"], str(r["tier"]), str(r["key"])))
    totals = {k: _money(sum(r[k] or 0.0 for r in rows))
              for k in ("gross_revenue", "refunds", "revenue", "spend", "commission")}
    totals["orders"] = sum(r["orders"] for r in rows)
    return ChannelResult(by, rows, totals, currency, start, end)

"""Revenue retention and LTV curves: what each cohort pays k periods after it started.

Cohorts are first-time cohorts as in :func:`kpgrowth.analytics.retention.retention`
(default: by first paid order). Revenue is net: paid orders add their amount,
refunded orders subtract theirs (``-abs(amount)``, whichever sign the export used),
in the local period of the order. Orders before a person's entry period are left
out. The cumulative revenue per cohort member over k is the cohort's LTV curve.

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> day = lambda d: dt.datetime(2026, 3, d, 12, tzinfo=dt.UTC)
>>> store = memory_store(orders={"order_id": ["1", "2", "3", "4"],
...                              "ts": [day(2), day(2), day(9), day(10)],
...                              "user_key": ["a", "b", "a", "b"], "product_id": ["p"] * 4,
...                              "amount": [100, 50, 30, -50], "currency": ["CNY"] * 4,
...                              "status": ["paid", "paid", "paid", "refunded"]})
>>> r = revenue_retention(store, period="week", periods=2)
>>> r.cohorts[0]["revenue"], r.cohorts[0]["ltv"]
([150.0, -20.0], [75.0, 65.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpgrowth.analytics._periods import Calendar, as_list, resolve_tz
from kpgrowth.analytics.retention import _validate, entries, fetch
from kpgrowth.errors import InputError
from kpgrowth.result import Result


@dataclass
class RevenueRetentionResult(Result):
    """Net revenue per cohort and period, and cumulative revenue per member (LTV).

    Attributes
    ----------
    cohorts : list of dict
        ``group, cohort, size``, ``revenue`` (net, per k), ``per_user`` (revenue / size)
        and ``ltv`` (cumulative per user); ``None`` where not yet observed.
    curve : list of dict
        ``group, k, cohorts, size, revenue, per_user, ltv`` over the cohorts observed
        at k (weighted by size); ``ltv`` sums ``per_user`` over k.
    """

    cohorts: list[dict[str, Any]]
    curve: list[dict[str, Any]]
    period: str = "month"
    periods: int = 12
    cohort_by: str = "first_purchase"
    currency: str = "CNY"
    tz: str = "UTC"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        """One row per cohort and k: ``group, cohort, k, size, revenue, per_user, ltv``."""
        import pandas as pd

        rows = [{"group": c["group"], "cohort": c["cohort"], "k": k, "size": c["size"],
                 "revenue": c["revenue"][k], "per_user": c["per_user"][k], "ltv": c["ltv"][k]}
                for c in self.cohorts for k in range(self.periods)]
        return pd.DataFrame(rows, columns=["group", "cohort", "k", "size", "revenue",
                                           "per_user", "ltv"])

    def figure(self) -> Any:
        """LTV curves: cumulative net revenue per cohort member against k, one per cohort."""
        import plotly.graph_objects as go

        fig = go.Figure()
        many = len({c["group"] for c in self.cohorts}) > 1
        for c in self.cohorts:
            name = f"{c['group']} · {c['cohort']}" if many else c["cohort"]
            fig.add_trace(go.Scatter(x=list(range(self.periods)), y=c["ltv"], mode="lines",
                                     name=name, opacity=0.6))
        for g in sorted({p["group"] for p in self.curve}):
            pts = [p for p in self.curve if p["group"] == g]
            fig.add_trace(go.Scatter(x=[p["k"] for p in pts], y=[p["ltv"] for p in pts],
                                     mode="lines+markers", name=f"average ({g})",
                                     line={"width": 4}))
        fig.update_layout(title=f"Cumulative revenue per user by cohort ({self.currency})",
                          xaxis_title=f"{self.period}s since entry",
                          yaxis_title=f"LTV ({self.currency})")
        return fig


def revenue_retention(source: Any, *, period: str = "month", periods: int = 12,
                      cohort_by: str = "first_purchase",
                      start_event: str | list[str] | None = None, start: str | None = None,
                      end: str | None = None, tz: str | None = None,
                      platforms: list[str] | None = None,
                      currency: str | None = None) -> RevenueRetentionResult:
    """Net revenue per cohort per period and LTV curves.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    period : {"day", "week", "month"}
        Period length in local time (ISO weeks start on Monday).
    periods : int
        Number of periods k = 0..periods-1.
    cohort_by : {"first_purchase", "first_event", "signup", "channel", "community"}
        What enters a (first-time) cohort, as in ``retention``.
    start_event : str or list of str, optional
        Event types entering a cohort for ``first_event``, ``channel``, ``community``.
    start, end : str, optional
        First and last local day of the cohorts' entry periods.
    tz : str, optional
        Time zone of periods (default: the workspace's, else UTC).
    platforms : list of str, optional
        Only events and orders on these platforms.
    currency : str, optional
        Only orders in this currency (default: the workspace's, else CNY).
    """
    import ibis

    func = "revenue_retention"
    _validate(func, period, periods, cohort_by, "on")
    if cohort_by in ("signup", "first_purchase") and start_event is not None:
        raise InputError(f"cohort_by={cohort_by!r} defines the starting action itself",
                         hint="leave start_event unset, or use cohort_by='first_event'")
    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    tz = resolve_tz(source, tz)
    cal = Calendar(source, tz, period)
    platforms = as_list(platforms)
    e = entries(source, cal, cohort_by=cohort_by, start_event=as_list(start_event),
                recurring=False, platforms=platforms, start=start, end=end)
    o = source.table("orders")
    o = o.filter(o.status.isin(["paid", "refunded"]) & (o.currency == currency)
                 & o.user_key.notnull())
    if platforms:
        o = o.filter(o.platform.isin(platforms))
    net = ibis.ifelse(o.status == "paid", o.amount, -o.amount.abs()).cast("float64")
    o = o.select(ou=o.user_key, p=cal.of(o.ts), net=net)
    j = e.join(o, (e.user_key == o.ou) & (o.p >= e.c) & (o.p < e.c + periods))
    rev = j.group_by([j.group, j.c, (j.p - j.c).name("k")]).aggregate(v=j.net.sum())
    sizes = e.group_by(["group", "c"]).aggregate(size=e.count())
    size_rows, rev_rows, h = fetch(source, cal, sizes, rev)
    got: dict[tuple[str, int], list[float]] = {}
    for row in rev_rows:
        got.setdefault((row["group"], int(row["c"])), [0.0] * periods)[int(row["k"])] += \
            row["v"] or 0.0
    cohorts, totals = [], {}
    for row in size_rows:
        g, c, size = row["group"], int(row["c"]), int(row["size"])
        r = got.get((g, c), [0.0] * periods)
        seen = [h is not None and c + k <= h for k in range(periods)]
        revenue = [round(r[k], 2) if seen[k] else None for k in range(periods)]
        per_user = [r[k] / size if seen[k] else None for k in range(periods)]
        ltv, run = [], 0.0
        for v in per_user:
            run += v or 0.0
            ltv.append(None if v is None else round(run, 4))
        cohorts.append({"group": g, "cohort": cal.label(c), "size": size, "revenue": revenue,
                        "per_user": per_user, "ltv": ltv})
        acc = totals.setdefault(g, [[0, 0, 0.0] for _ in range(periods)])
        for k in range(periods):
            if seen[k]:
                acc[k][0] += 1
                acc[k][1] += size
                acc[k][2] += r[k]
    curve = []
    for g, acc in totals.items():
        run = 0.0
        for k, (n, size, revenue) in enumerate(acc):
            per = revenue / size if size else None
            run += per or 0.0
            curve.append({"group": g, "k": k, "cohorts": n, "size": size,
                          "revenue": round(revenue, 2), "per_user": per,
                          "ltv": round(run, 4) if size else None})
    params = {"start_event": as_list(start_event), "start": start, "end": end,
              "platforms": platforms, "horizon": None if h is None else cal.label(h)}
    return RevenueRetentionResult(cohorts, curve, period, periods, cohort_by, currency, tz,
                                  params)

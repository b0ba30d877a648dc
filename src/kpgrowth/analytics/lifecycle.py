"""Lifecycle (new / returning / resurrecting / dormant), stickiness and DAU/WAU/MAU.

All three start from distinct user x local-period (or user x local-day) activity,
computed in Ibis with window functions, so they run the same on DuckDB and Spark
and only per-period counts reach Python. Periods are local to the workspace time
zone (default, else UTC); weeks are ISO weeks, Monday to Sunday.

Lifecycle definitions (PostHog's), for a period p and a person:

* **new** — their first activity ever is in p;
* **returning** — active in p and in p - 1;
* **resurrecting** — active in p, not in p - 1, but active before;
* **dormant** — active in p - 1 but not in p, reported as a negative count.

So new + returning + resurrecting = the active people of p.

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> day = lambda d: dt.datetime(2026, 3, d, 12, tzinfo=dt.UTC)
>>> rows = [("a", 1), ("a", 2), ("b", 1), ("b", 3), ("c", 3)]
>>> store = memory_store(events={"event_id": [str(i) for i in range(5)],
...                              "ts": [day(d) for _, d in rows],
...                              "user_key": [u for u, _ in rows], "type": ["view"] * 5})
>>> [(r["period"], r["new"], r["returning"], r["resurrecting"], r["dormant"])
...  for r in lifecycle(store, period="day").rows]
[('2026-03-01', 2, 0, 0, 0), ('2026-03-02', 0, 1, 0, -1), ('2026-03-03', 1, 0, 1, -1)]
>>> [(r["day"], r["dau"], r["wau"]) for r in active_users(store).rows]
[('2026-03-01', 2, 2), ('2026-03-02', 1, 2), ('2026-03-03', 2, 3)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpgrowth.analytics._periods import (
    PERIODS,
    Calendar,
    activity,
    as_list,
    check_choice,
    period_of_day,
    period_start,
    resolve_tz,
)
from kpgrowth.errors import InputError
from kpgrowth.result import Result

STATUSES = ("new", "returning", "resurrecting", "dormant")


@dataclass
class LifecycleResult(Result):
    """Per period: ``period, new, returning, resurrecting, dormant`` (<= 0), ``active``."""

    rows: list[dict[str, Any]]
    period: str = "week"
    tz: str = "UTC"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["period", *STATUSES, "active"])

    def figure(self) -> Any:
        """Stacked bars: new, returning, resurrecting above zero, dormant below."""
        import plotly.graph_objects as go

        colors = {"new": "#2e7d32", "returning": "#1565c0", "resurrecting": "#f9a825",
                  "dormant": "#c62828"}
        x = [r["period"] for r in self.rows]
        fig = go.Figure([go.Bar(x=x, y=[r[s] for r in self.rows], name=s,
                                marker_color=colors[s]) for s in STATUSES])
        fig.update_layout(barmode="relative", title=f"Lifecycle by {self.period}",
                          yaxis_title="users")
        return fig


@dataclass
class StickinessResult(Result):
    """How many days people are active per period.

    Attributes
    ----------
    rows : list of dict
        ``period, days, users, share`` (share of the period's active people).
    distribution : list of dict
        ``days, users, share`` summed over all periods (person-periods).
    """

    rows: list[dict[str, Any]]
    distribution: list[dict[str, Any]]
    period: str = "week"
    tz: str = "UTC"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["period", "days", "users", "share"])

    def figure(self) -> Any:
        """Bars: share of active person-periods by number of active days."""
        import plotly.graph_objects as go

        d = self.distribution
        fig = go.Figure(go.Bar(x=[r["days"] for r in d], y=[r["share"] for r in d]))
        fig.update_layout(title=f"Stickiness: active days per {self.period}",
                          xaxis_title="active days", yaxis_title="share of active people",
                          yaxis_tickformat=".0%")
        return fig


@dataclass
class ActiveUsersResult(Result):
    """Per local day: ``day, dau, wau, mau`` (rolling 1, 7 and 30 days) and ``dau_mau``."""

    rows: list[dict[str, Any]]
    tz: str = "UTC"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["day", "dau", "wau", "mau", "dau_mau"])

    def figure(self) -> Any:
        """DAU, WAU, MAU lines, with DAU/MAU on a second axis."""
        import plotly.graph_objects as go

        x = [r["day"] for r in self.rows]
        fig = go.Figure([go.Scatter(x=x, y=[r[m] for r in self.rows], name=m.upper())
                         for m in ("dau", "wau", "mau")])
        fig.add_trace(go.Scatter(x=x, y=[r["dau_mau"] for r in self.rows], name="DAU/MAU",
                                 yaxis="y2", line={"dash": "dot"}))
        fig.update_layout(title="Active users", yaxis_title="users",
                          yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%",
                                  "range": [0, 1]})
        return fig


def _setup(func: str, source: Any, period: str, tz: str | None) -> Calendar:
    check_choice("period", period, PERIODS, func)
    return Calendar(source, resolve_tz(source, tz), period)


def lifecycle(source: Any, *, period: str = "week", event: str | list[str] | None = None,
              start: str | None = None, end: str | None = None, tz: str | None = None,
              platforms: list[str] | None = None) -> LifecycleResult:
    """New, returning, resurrecting and dormant people per period.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    period : {"day", "week", "month"}
        Period length in local time (ISO weeks start on Monday).
    event : str or list of str, optional
        Event types that count as activity (default: any event).
    start, end : str, optional
        First and last local day of the reported periods (history before ``start``
        still decides who is new or resurrecting).
    tz : str, optional
        Time zone (default: the workspace's, else UTC).
    platforms : list of str, optional
        Only events on these platforms.
    """
    import ibis

    cal = _setup("lifecycle", source, period, tz)
    a = activity(source, cal, types=as_list(event), platforms=as_list(platforms))
    w = ibis.window(group_by=a.user_key, order_by=a.p)
    a = a.mutate(prev=a.p.lag().over(w), nxt=a.p.lead().over(w))
    status = ibis.cases((a.prev.isnull(), "new"), (a.prev == a.p - 1, "returning"),
                        else_="resurrecting")
    active = a.group_by([a.p, status.name("status")]).aggregate(n=a.count())
    gone = a.filter(a.nxt.isnull() | (a.nxt > a.p + 1))
    dormant = gone.group_by((gone.p + 1).name("p")).aggregate(
        status=ibis.literal("dormant"), n=gone.count())
    rows = ibis.union(active, dormant.select("p", "status", "n")).to_pyarrow().to_pylist()
    last = max((int(r["p"]) for r in rows if r["status"] != "dormant"), default=None)
    lo, hi = cal.bound(start), cal.bound(end)
    by: dict[int, dict[str, int]] = {}
    if last is not None:  # every period from the first activity on, zeros included
        for p in range(min(int(r["p"]) for r in rows), last + 1):
            if (lo is None or p >= lo) and (hi is None or p <= hi):
                by[p] = dict.fromkeys(STATUSES, 0)
    for r in rows:
        p = int(r["p"])
        if p > (last if last is not None else p) or (lo is not None and p < lo) \
                or (hi is not None and p > hi):
            continue
        by[p][r["status"]] = \
            -int(r["n"]) if r["status"] == "dormant" else int(r["n"])
    out = [{"period": cal.label(p), **c, "active": c["new"] + c["returning"] + c["resurrecting"]}
           for p, c in sorted(by.items())]
    return LifecycleResult(out, period, cal.tz, {"event": as_list(event), "start": start,
                                                 "end": end, "platforms": as_list(platforms)})


def stickiness(source: Any, *, period: str = "week", event: str | list[str] | None = None,
               start: str | None = None, end: str | None = None, tz: str | None = None,
               platforms: list[str] | None = None) -> StickinessResult:
    """Distribution of the number of active local days per person and week (or month).

    Parameters are as for :func:`lifecycle`; ``period`` is ``"week"`` or ``"month"``.
    Edge periods only partly covered by the data (or by ``start``/``end``, which
    select whole periods) have fewer possible days.
    """
    if period == "day":
        raise InputError("stickiness counts active days per week or month",
                         hint="use period='week' or period='month'")
    cal = _setup("stickiness", source, period, tz)
    a = activity(source, cal, types=as_list(event), platforms=as_list(platforms), by_day=True)
    per = a.group_by([a.user_key, period_of_day(a.p, period).cast("int64").name("q")]
                     ).aggregate(days=a.count())
    lo, hi = cal.bound(start), cal.bound(end)
    if lo is not None:
        per = per.filter(per.q >= lo)
    if hi is not None:
        per = per.filter(per.q <= hi)
    dist = per.group_by(["q", "days"]).aggregate(users=per.count()).order_by(["q", "days"])
    raw = dist.to_pyarrow().to_pylist()
    tot: dict[int, int] = {}
    for r in raw:
        tot[int(r["q"])] = tot.get(int(r["q"]), 0) + int(r["users"])
    rows = [{"period": cal.label(int(r["q"])), "days": int(r["days"]), "users": int(r["users"]),
             "share": int(r["users"]) / tot[int(r["q"])]} for r in raw]
    overall: dict[int, int] = {}
    for r in rows:
        overall[r["days"]] = overall.get(r["days"], 0) + r["users"]
    n = sum(overall.values())
    distribution = [{"days": d, "users": u, "share": u / n} for d, u in sorted(overall.items())]
    return StickinessResult(rows, distribution, period, cal.tz,
                            {"event": as_list(event), "start": start, "end": end,
                             "platforms": as_list(platforms)})


def active_users(source: Any, *, event: str | list[str] | None = None,
                 start: str | None = None, end: str | None = None, tz: str | None = None,
                 platforms: list[str] | None = None) -> ActiveUsersResult:
    """DAU, WAU and MAU per local day, and DAU/MAU (stickiness ratio).

    WAU and MAU on day d count distinct people active on d or the 6 (29) days before.
    Each person-day of activity covers the days it counts for; overlapping coverage
    of one person is merged with a window function, so the count is exact without
    expanding activity 30-fold.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    event : str or list of str, optional
        Event types that count as activity (default: any event).
    start, end : str, optional
        First and last local day reported (default: the data's first and last day).
    tz : str, optional
        Time zone of days (default: the workspace's, else UTC).
    platforms : list of str, optional
        Only events on these platforms.
    """
    import ibis
    import numpy as np

    cal = _setup("active_users", source, "day", tz)
    a = activity(source, cal, types=as_list(event), platforms=as_list(platforms), by_day=True)
    prev = a.p.lag().over(ibis.window(group_by=a.user_key, order_by=a.p))
    a = a.mutate(prev=prev)
    parts = [a.group_by("p").aggregate(w=ibis.literal(1), delta=a.count())]
    for width in (7, 30):
        s = ibis.greatest(a.p, (a.prev + width).fill_null(a.p))
        parts.append(a.select(w=ibis.literal(width), p=s, one=ibis.literal(1)))
        parts.append(a.select(w=ibis.literal(width), p=a.p + width, one=ibis.literal(-1)))
    dau = parts[0].select("w", "p", "delta")
    roll = ibis.union(*parts[1:])
    roll = roll.group_by(["w", "p"]).aggregate(delta=roll.one.sum())
    rows = ibis.union(dau, roll).to_pyarrow().to_pylist()
    days = [int(r["p"]) for r in rows if r["w"] == 1]
    if not days:
        return ActiveUsersResult([], cal.tz, {"start": start, "end": end})
    first, last = min(days), max(days)
    lo = cal.bound(start) if start else first
    hi = cal.bound(end) if end else last
    span = last + 31 - first
    series = {w: np.zeros(span, dtype=np.int64) for w in (1, 7, 30)}
    for r in rows:
        series[int(r["w"])][int(r["p"]) - first] += int(r["delta"])
    counts = {1: series[1], 7: np.cumsum(series[7]), 30: np.cumsum(series[30])}
    out = []
    for d in range(lo, hi + 1):
        i = d - first
        dau_, wau, mau = (int(counts[w][i]) if 0 <= i < span else 0 for w in (1, 7, 30))
        out.append({"day": period_start(d, "day"), "dau": dau_, "wau": wau, "mau": mau,
                    "dau_mau": dau_ / mau if mau else None})
    return ActiveUsersResult(out, cal.tz, {"event": as_list(event), "start": start,
                                           "end": end, "platforms": as_list(platforms)})

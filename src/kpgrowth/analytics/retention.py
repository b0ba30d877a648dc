"""Cohort retention (留存): who comes back k periods after they started, and what they pay.

People enter a **cohort** in the local period (day, ISO week starting Monday, or
calendar month of the workspace time zone) of their starting action and are
**retained in period k** when they do the return action ``k`` periods later:

* **first-time** cohorts (default): a person enters once, in the period of their
  first starting action ever (before ``start`` too); period 0 is 100 % by definition.
* **recurring** cohorts: a person enters a cohort in every period in which they do
  the starting action (PostHog's "recurring"); period 0 is again the whole cohort.
* ``mode="on"``: returned in exactly period k; ``mode="on_or_after"``: in k or later
  (the share still around, never below "on").

A cohort is *observed* for period k when ``cohort + k`` is not after the last period
holding any event or order (that last period may be partial). Unobserved cells are
``None`` and left out of the averaged curve, which weights cohorts by their size.
Cohorts by acquisition channel (``users.first_channel``) or community
(``memberships``: the community a person was in during their entry period, the
earliest joined; ``(none)`` otherwise) are breakdowns of the same computation.

Everything is Ibis (user x period activity first, then joins), so it runs the same
on DuckDB and Spark; only per-cohort counts reach Python.

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> day = lambda d: dt.datetime(2026, 3, d, 12, tzinfo=dt.UTC)
>>> rows = [("a", 2), ("a", 3), ("b", 2), ("b", 5), ("c", 3)]
>>> store = memory_store(events={"event_id": [str(i) for i in range(5)],
...                              "ts": [day(d) for _, d in rows],
...                              "user_key": [u for u, _ in rows], "type": ["view"] * 5})
>>> r = retention(store, period="day", periods=4)
>>> [(c["cohort"], c["size"], c["retained"]) for c in r.cohorts]
[('2026-03-02', 2, [2, 1, 0, 1]), ('2026-03-03', 1, [1, 0, 0, None])]
>>> [round(p["rate"], 2) for p in r.curve]
[1.0, 0.33, 0.0, 0.5]
>>> retention(store, period="day", periods=4, mode="on_or_after").cohorts[0]["retained"]
[2, 2, 1, 1]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics._periods import (
    PERIODS,
    Calendar,
    activity,
    as_list,
    check_choice,
    resolve_tz,
)
from kpgrowth.errors import InputError
from kpgrowth.result import Result

if TYPE_CHECKING:  # pragma: no cover
    import ibis

COHORT_BY = ("first_event", "signup", "first_purchase", "channel", "community")
MODES = ("on", "on_or_after")
ALL = "all"


@dataclass
class RetentionResult(Result):
    """Retention per cohort and the size-weighted average curve.

    Attributes
    ----------
    cohorts : list of dict
        ``group, cohort`` (ISO date the period starts), ``size``, ``retained`` and
        ``rates`` (lists over k = 0..periods-1; ``None`` where not yet observed).
    curve : list of dict
        ``group, k, cohorts, size, retained, rate``: over the cohorts observed at k.
    """

    cohorts: list[dict[str, Any]]
    curve: list[dict[str, Any]]
    period: str = "week"
    periods: int = 8
    mode: str = "on"
    recurring: bool = False
    cohort_by: str = "first_event"
    tz: str = "UTC"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        """One row per cohort and period: ``group, cohort, k, size, retained, rate``."""
        import pandas as pd

        rows = [{"group": c["group"], "cohort": c["cohort"], "k": k, "size": c["size"],
                 "retained": n, "rate": r}
                for c in self.cohorts for k, (n, r) in enumerate(zip(c["retained"], c["rates"]))]
        return pd.DataFrame(rows, columns=["group", "cohort", "k", "size", "retained", "rate"])

    def curve_frame(self) -> Any:
        """The averaged curve as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.curve, columns=["group", "k", "cohorts", "size", "retained",
                                                 "rate"])

    def figure(self) -> Any:
        """Cohort heatmap: one row per cohort (and group), one column per period k."""
        import plotly.graph_objects as go

        many = len({c["group"] for c in self.cohorts}) > 1
        ylab = [f"{c['group']} · {c['cohort']} (n={c['size']})" if many
                else f"{c['cohort']} (n={c['size']})" for c in self.cohorts]
        z = [[None if r is None else round(100 * r, 1) for r in c["rates"]] for c in self.cohorts]
        fig = go.Figure(go.Heatmap(z=z, x=[f"{self.period} {k}" for k in range(self.periods)],
                                   y=ylab, colorscale="Blues", zmin=0, zmax=100,
                                   text=[[("" if v is None else f"{v:g}%") for v in row]
                                         for row in z], texttemplate="%{text}",
                                   colorbar={"title": "%"}))
        fig.update_layout(title=f"Retention by {self.cohort_by} cohort ({self.mode})",
                          yaxis={"autorange": "reversed"})
        return fig


def entries(source: Any, cal: Calendar, *, cohort_by: str, start_event: list[str] | None,
            recurring: bool, platforms: list[str] | None, start: str | None = None,
            end: str | None = None) -> ibis.Table:
    """``(user_key, c, group)``: who enters which cohort period, in which breakdown group,
    for cohorts whose period lies in local days ``start``..``end``."""
    e = _entries(source, cal, cohort_by=cohort_by, start_event=start_event,
                 recurring=recurring, platforms=platforms)
    lo, hi = cal.bound(start), cal.bound(end)
    if lo is not None:
        e = e.filter(e.c >= lo)
    if hi is not None:
        e = e.filter(e.c <= hi)
    return e


def _entries(source: Any, cal: Calendar, *, cohort_by: str, start_event: list[str] | None,
             recurring: bool, platforms: list[str] | None) -> ibis.Table:
    import ibis

    if cohort_by == "first_purchase":
        o = source.table("orders")
        o = o.filter((o.status == "paid") & o.user_key.notnull())
        if platforms:
            o = o.filter(o.platform.isin(platforms))
        act = o.select(user_key=o.user_key, p=cal.of(o.ts)).distinct()
    else:
        types = ["signup"] if cohort_by == "signup" else start_event
        act = activity(source, cal, types=types, platforms=platforms)
    e = (act.select(user_key=act.user_key, c=act.p).distinct() if recurring
         else act.group_by("user_key").aggregate(c=act.p.min()))
    if cohort_by == "channel":
        u = source.table("users").select("user_key", "first_channel")
        j = e.left_join(u, "user_key")
        return j.select(user_key=e.user_key, c=e.c,
                        group=j.first_channel.fill_null("(unknown)"))
    if cohort_by == "community":
        m = source.table("memberships")
        m = m.select(mu=m.user_key, community_id=m.community_id, joined_at=m.joined_at,
                     jp=cal.of(m.joined_at),
                     lp=ibis.ifelse(m.left_at.isnull(), ibis.literal(None, "int64"),
                                    cal.of(m.left_at)))
        j = e.join(m, (e.user_key == m.mu) & (m.jp <= e.c) & (m.lp.isnull() | (m.lp >= e.c)))
        g = j.group_by([j.user_key, j.c]).aggregate(
            group=j.community_id.argmin(j.joined_at))
        g = g.select(gu=g.user_key, gc=g.c, group=g.group)
        k = e.left_join(g, (e.user_key == g.gu) & (e.c == g.gc))
        return k.select(user_key=k.user_key, c=k.c, group=k.group.fill_null("(none)"))
    return e.mutate(group=ibis.literal(ALL))


def fetch(source: Any, cal: Calendar, sizes: ibis.Table, values: ibis.Table,
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int | None]:
    """Run one query for cohort sizes, per-(group, c, k) values and the horizon.

    ``sizes`` has ``group, c, size``; ``values`` has ``group, c, k, v``. The horizon
    is the last period holding any event or order (``None`` when both are empty).
    One query keeps engines with a high per-job cost (Spark) fast.
    """
    import ibis

    ev, o = source.table("events"), source.table("orders")
    times = ibis.union(ev.select(p=cal.of(ev.ts)), o.select(p=cal.of(o.ts)))
    last = times.aggregate(c=times.p.max())
    parts = [
        sizes.select(group=sizes.group, c=sizes.c.cast("int64"), k=ibis.literal(-1, "int64"),
                     v=sizes.size.cast("float64")),
        values.select(group=values.group, c=values.c.cast("int64"), k=values.k.cast("int64"),
                      v=values.v.cast("float64")),
        last.select(group=ibis.literal("", "string"), c=last.c.cast("int64"),
                    k=ibis.literal(-2, "int64"), v=ibis.literal(0.0, "float64")),
    ]
    rows = ibis.union(*parts).to_pyarrow().to_pylist()
    h = next((r["c"] for r in rows if r["k"] == -2), None)
    size_rows = sorted(({"group": r["group"], "c": r["c"], "size": int(r["v"])}
                        for r in rows if r["k"] == -1), key=lambda r: (r["group"], r["c"]))
    value_rows = [r for r in rows if r["k"] >= 0]
    return size_rows, value_rows, None if h is None else int(h)


def _validate(func: str, period: str, periods: int, cohort_by: str, mode: str) -> None:
    check_choice("period", period, PERIODS, func)
    check_choice("cohort_by", cohort_by, COHORT_BY, func)
    check_choice("mode", mode, MODES, func)
    if not isinstance(periods, int) or isinstance(periods, bool) or periods < 1:
        raise InputError(f"The 'periods' parameter of {func} must be an int >= 1. "
                         f"Got {periods!r} instead.")


def retention(source: Any, *, period: str = "week", periods: int = 8,
              cohort_by: str = "first_event", start_event: str | list[str] | None = None,
              return_event: str | list[str] | None = None, recurring: bool = False,
              mode: str = "on", start: str | None = None, end: str | None = None,
              tz: str | None = None, platforms: list[str] | None = None) -> RetentionResult:
    """Cohort retention table and size-weighted average curve.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    period : {"day", "week", "month"}
        Period length, in local time (weeks are ISO weeks, Monday to Sunday).
    periods : int
        Number of periods k = 0..periods-1 to report.
    cohort_by : {"first_event", "signup", "first_purchase", "channel", "community"}
        What enters a cohort: the starting event (``start_event``), a ``signup`` event,
        a paid order; ``channel`` and ``community`` enter by ``start_event`` and break
        the cohorts down by acquisition channel or community.
    start_event, return_event : str or list of str, optional
        Event types that enter a cohort / count as a return (default: any event).
    recurring : bool
        Enter a cohort in every period with the starting action, not only the first.
    mode : {"on", "on_or_after"}
        Returned in exactly period k, or in k or later.
    start, end : str, optional
        First and last local day (``YYYY-MM-DD``) of the cohorts' entry periods.
    tz : str, optional
        Time zone of periods (default: the workspace's, else UTC).
    platforms : list of str, optional
        Only events (and orders) on these platforms.

    Returns
    -------
    RetentionResult
    """
    func = "retention"
    _validate(func, period, periods, cohort_by, mode)
    if cohort_by in ("signup", "first_purchase") and start_event is not None:
        raise InputError(f"cohort_by={cohort_by!r} defines the starting action itself",
                         hint="leave start_event unset, or use cohort_by='first_event'")
    tz = resolve_tz(source, tz)
    cal = Calendar(source, tz, period)
    platforms = as_list(platforms)
    e = entries(source, cal, cohort_by=cohort_by, start_event=as_list(start_event),
                recurring=recurring, platforms=platforms, start=start, end=end)
    r = activity(source, cal, types=as_list(return_event), platforms=platforms)
    j = e.join(r, (e.user_key == r.user_key) & (r.p > e.c))
    if mode == "on":
        j = j.filter(j.p < j.c + periods)
        counts = j.group_by([j.group, j.c, (j.p - j.c).name("k")]).aggregate(v=j.count())
    else:
        last = j.group_by([j.user_key, j.c, j.group]).aggregate(last=j.p.max())
        kk = (last["last"] - last.c).clip(upper=periods - 1).name("k")
        counts = last.group_by([last.group, last.c, kk]).aggregate(v=last.count())
    sizes = e.group_by(["group", "c"]).aggregate(size=e.count())
    size_rows, count_rows, h = fetch(source, cal, sizes, counts)
    cohorts, curve = _tabulate(size_rows, count_rows, h, periods, mode, cal)
    params = {"start_event": as_list(start_event), "return_event": as_list(return_event),
              "start": start, "end": end, "platforms": platforms,
              "horizon": None if h is None else cal.label(h)}
    return RetentionResult(cohorts, curve, period, periods, mode, recurring, cohort_by, tz,
                           params)


def _tabulate(size_rows: list[dict[str, Any]], count_rows: list[dict[str, Any]],
              h: int | None, periods: int, mode: str,
              cal: Calendar) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    got: dict[tuple[str, int], list[int]] = {}
    for row in count_rows:
        got.setdefault((row["group"], int(row["c"])), [0] * periods)[int(row["k"])] += \
            int(row["v"])
    cohorts = []
    totals: dict[str, list[list[int]]] = {}
    for row in size_rows:
        g, c, size = row["group"], int(row["c"]), int(row["size"])
        n = got.get((g, c), [0] * periods)
        if mode == "on_or_after":  # "last return at m" counts for every k <= m
            n = [sum(n[k:]) for k in range(periods)]
        n[0] = size
        seen = [h is not None and c + k <= h for k in range(periods)]
        retained = [n[k] if seen[k] else None for k in range(periods)]
        rates = [n[k] / size if seen[k] else None for k in range(periods)]
        cohorts.append({"group": g, "cohort": cal.label(c), "size": size,
                        "retained": retained, "rates": rates})
        acc = totals.setdefault(g, [[0, 0, 0] for _ in range(periods)])
        for k in range(periods):
            if seen[k]:
                acc[k][0] += 1
                acc[k][1] += size
                acc[k][2] += n[k]
    curve = [{"group": g, "k": k, "cohorts": a[0], "size": a[1], "retained": a[2],
              "rate": a[2] / a[1] if a[1] else None}
             for g, acc in totals.items() for k, a in enumerate(acc)]
    return cohorts, curve

"""Community (社群) health per community and local period: members, activity, conversion,
retention, DAU/MAU stickiness; and retention of members vs non-members.

Definitions (periods are local days, ISO weeks or months, :mod:`kpgrowth.analytics._periods`):

* ``members``: distinct people with a ``memberships`` stay overlapping the period (joined
  in or before it, and not left before it started; a stay left during the period counts).
* ``active_members``: members who posted a ``community_message`` event in that community in
  the period; ``active_share`` = active / members; ``messages`` counts all message events
  of the community in the period, ``messages_per_member`` = messages / members.
* ``buyers``: members with a paid order in the period placed while a member of that
  community (``joined_at <= ts`` and before ``left_at``); ``conversion`` r_k = buyers / members.
* ``retained``: members in t who were also members in t−1; ``retention`` n_k(t)/n_k(t−1) =
  retained / members in t−1 (null in the first period or when t−1 had no members).
* ``dau``: mean over the period's days of the people who posted a message in the community
  that local day; ``mau``: people who posted in the 30 local days ending on the period's last
  day; ``dau_mau`` = dau / mau (stickiness, null when mau = 0). Days are counted from the
  first to the last day holding a membership change or message (and within start..end), so
  partial first and last periods are not diluted by days without data.

:func:`community_activity` gives the daily DAU, WAU, MAU and DAU/MAU per community, and
:func:`member_retention` the retention curve of people who were in a community when they
entered their cohort against those who were not (:func:`kpgrowth.analytics.retention.retention`
with ``cohort_by="community"``, groups pooled).

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> d = lambda day: dt.datetime(2026, 1, day, 12, tzinfo=dt.UTC)
>>> store = memory_store(memberships={"community_id": ["g", "g"], "user_key": ["a", "b"],
...                                   "joined_at": [d(5), d(5)], "left_at": [None, d(7)]})
>>> r = community_health(store, period="week", end="2026-01-12", tz="UTC")
>>> [(x["period"], x["members"], x["retention"]) for x in r.rows]
[('2026-01-05', 2, None), ('2026-01-12', 1, 0.5)]
>>> store = memory_store(events={"event_id": ["m1", "m2", "m3"], "ts": [d(5), d(5), d(6)],
...                              "type": ["community_message"] * 3, "user_key": ["a", "b", "a"],
...                              "community_id": ["g"] * 3})
>>> [(x["day"], x["dau"], x["mau"], x["dau_mau"]) for x in community_activity(store, tz="UTC").rows]
[('2026-01-05', 2, 2, 1.0), ('2026-01-06', 1, 2, 0.5)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics._periods import (
    PERIODS,
    Calendar,
    as_list,
    check_choice,
    day_number,
    period_of_day,
    period_start,
    resolve_tz,
    rolling_active,
    rolling_series,
)
from kpgrowth.analytics.overview import TableSource
from kpgrowth.analytics.retention import RetentionResult, retention
from kpgrowth.result import Result

if TYPE_CHECKING:  # pragma: no cover
    import ibis

COLUMNS = ["community_id", "name", "period", "members", "active_members", "active_share",
           "messages", "messages_per_member", "buyers", "conversion", "retained", "retention",
           "dau", "mau", "dau_mau"]
ACTIVITY_COLUMNS = ["community_id", "name", "day", "dau", "wau", "mau", "dau_mau"]
MEMBERS, NON_MEMBERS = "members", "non-members"


@dataclass
class CommunityResult(Result):
    """Health of each community per period (``rows`` by community, then period).

    Attributes
    ----------
    period : str
        day, week or month.
    rows : list of dict
        One dict per community and period with :data:`COLUMNS` (module docstring);
        ``period`` is the ISO date the period starts.
    """

    period: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    tz: str = "UTC"

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def figure(self, metric: str = "active_share") -> Any:
        """One line per community of ``metric`` over the periods."""
        import plotly.graph_objects as go

        df = self.to_frame()
        fig = go.Figure()
        for cid, g in df.groupby("community_id", sort=True):
            name = g["name"].iloc[0] or cid
            fig.add_trace(go.Scatter(x=g["period"], y=g[metric], mode="lines+markers",
                                     name=str(name)))
        fig.update_layout(title=f"{metric} per community and {self.period}",
                          xaxis_title=self.period, yaxis_title=metric)
        return fig


def _stays(source: TableSource, cal: Calendar) -> ibis.Table:
    m = source.table("memberships")
    return m.select("community_id", "user_key", "joined_at", "left_at",
                    p0=cal.of(m.joined_at), p1=cal.of(m.left_at))


def community_health(source: TableSource, *, period: str = "week", start: str | None = None,
                     end: str | None = None, tz: str | None = None) -> CommunityResult:
    """Members, active share, messages per member, conversion, retention and DAU/MAU per
    community and period.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    period : {"day", "week", "month"}
        Period length.
    start, end : str, optional
        Local days (``YYYY-MM-DD``) whose periods to report; default from the first
        membership to the last membership change or message.
    tz : str, optional
        Time zone of periods (default: the workspace's, else UTC).

    Returns
    -------
    CommunityResult
    """
    import ibis

    check_choice("period", period, PERIODS, "community_health")
    tz = resolve_tz(source, tz)
    cal = Calendar(source, tz, period)
    stays = _stays(source, cal)
    ev = source.table("events")
    msg = ev.filter((ev.type == "community_message") & ev.community_id.notnull())
    msg = msg.select("community_id", "user_key", p=cal.of(msg.ts))

    lo, hi = cal.bound(start), cal.bound(end)
    if lo is None or hi is None:
        span = stays.aggregate(a=stays.p0.min(), b=stays.p0.max(), c=stays.p1.max()
                               ).to_pyarrow().to_pylist()[0]
        last = msg.aggregate(x=msg.p.max()).to_pyarrow().to_pylist()[0]["x"]
        if span["a"] is None:
            return CommunityResult(period, [], start, end, tz)
        lo = span["a"] if lo is None else lo
        hi = max(v for v in (span["b"], span["c"], last) if v is not None) if hi is None else hi
    if hi < lo:
        return CommunityResult(period, [], start, end, tz)
    # members per period: expand each stay over the periods it overlaps (within lo..hi)
    grid = ibis.memtable({"p": list(range(lo, hi + 1))})
    s = stays.filter((stays.p0 <= hi) & (stays.p1.isnull() | (stays.p1 >= lo)))
    mp = s.cross_join(grid)
    mp = mp.filter((mp.p >= mp.p0) & (mp.p1.isnull() | (mp.p <= mp.p1)))
    mp = mp.select("community_id", "user_key", "p").distinct()

    members = mp.group_by(["community_id", "p"]).aggregate(members=mp.count())
    msg = msg.filter((msg.p >= lo) & (msg.p <= hi))
    messages = msg.group_by(["community_id", "p"]).aggregate(messages=msg.count())
    talkers = msg.filter(msg.user_key.notnull()).select("community_id", "user_key", "p").distinct()
    act = mp.join(talkers, ["community_id", "user_key", "p"])
    active = act.group_by(["community_id", "p"]).aggregate(active_members=act.count())

    o = source.table("orders")
    o = o.filter((o.status == "paid") & o.user_key.notnull())
    o = o.select(o_user=o.user_key, ts=o.ts, p=cal.of(o.ts))
    o = o.filter((o.p >= lo) & (o.p <= hi))
    st = stays.select("community_id", "user_key", "joined_at", "left_at")
    b = o.join(st, [o.o_user == st.user_key, st.joined_at <= o.ts,
                    st.left_at.isnull() | (o.ts < st.left_at)])
    b = b.select("community_id", "p", u=b.o_user).distinct()
    buyers = b.group_by(["community_id", "p"]).aggregate(buyers=b.count())

    prev = mp.select("community_id", "user_key", p=mp.p + 1)
    ret = mp.join(prev, ["community_id", "user_key", "p"])
    retained = ret.group_by(["community_id", "p"]).aggregate(retained=ret.count())

    keys = ["community_id", "p"]
    out = members
    for extra, col in ((active, "active_members"), (messages, "messages"),
                       (buyers, "buyers"), (retained, "retained")):
        out = out.left_join(extra, keys).select(*out.columns, **{col: extra[col].fill_null(0)})
    rows = out.to_pyarrow().to_pylist()
    names = _names(source)
    daily, d_lo, d_hi = _daily(source, cal, start, end)
    sticky = _period_stickiness(daily, d_lo, d_hi, period)
    size = {(r["community_id"], r["p"]): r["members"] for r in rows}
    for r in rows:
        n = r["members"]
        before = size.get((r["community_id"], r["p"] - 1), 0)
        r["name"] = names.get(r["community_id"])
        r["active_share"] = r["active_members"] / n if n else None
        r["messages_per_member"] = r["messages"] / n if n else None
        r["conversion"] = r["buyers"] / n if n else None
        r["retention"] = r["retained"] / before if r["p"] > lo and before else None
        has_days = d_lo is not None and d_hi is not None and \
            period_of_day(d_lo, period) <= r["p"] <= period_of_day(d_hi, period)
        r["dau"], r["mau"], r["dau_mau"] = sticky.get(
            (r["community_id"], r["p"]), (0.0, 0, None) if has_days else (None, None, None))
    rows.sort(key=lambda r: (str(r["community_id"]), r["p"]))
    result = []
    for r in rows:
        row = {c: r.get(c) for c in COLUMNS}
        row["period"] = cal.label(r["p"])
        for c in ("members", "active_members", "messages", "buyers", "retained"):
            row[c] = int(row[c])
        result.append(row)
    return CommunityResult(period, result, start, end, tz)


# -- daily active members: DAU, WAU, MAU per community ---------------------------------------

def _daily(source: TableSource, cal: Calendar, start: str | None, end: str | None,
           ) -> tuple[dict[str, dict[int, tuple[int, int, int]]], int | None, int | None]:
    """``{community: {day: (dau, wau, mau)}}`` for the local days ``lo..hi`` (module
    docstring), and ``lo, hi``; one query (:func:`~kpgrowth.analytics._periods.rolling_active`
    and the bounds of the data)."""
    import ibis

    ev = source.table("events")
    msg = ev.filter((ev.type == "community_message") & ev.community_id.notnull()
                    & ev.user_key.notnull())
    a = msg.select("community_id", "user_key", p=cal.day(msg.ts)).distinct()
    m = source.table("memberships")
    st = m.select(j=cal.day(m.joined_at), x=cal.day(m.left_at.fill_null(m.joined_at)))

    def edge(t: Any, w: int) -> Any:
        return t.select(community_id=ibis.literal("", "string"), w=ibis.literal(w, "int64"),
                        p=t.p.cast("int64"), delta=ibis.literal(0, "int64"))

    edges = [edge(st.aggregate(p=st.j.min()), -1), edge(a.aggregate(p=a.p.min()), -1),
             edge(st.aggregate(p=ibis.greatest(st.j.max(), st.x.max())), -2),
             edge(a.aggregate(p=a.p.max()), -2)]
    rows = ibis.union(rolling_active(a, "community_id"), *edges).to_pyarrow().to_pylist()
    firsts = [r["p"] for r in rows if r["w"] == -1 and r["p"] is not None]
    if not firsts:
        return {}, None, None
    lo = max(min(firsts), day_number(start)) if start else min(firsts)
    last = max(r["p"] for r in rows if r["w"] == -2 and r["p"] is not None)
    hi = min(last, day_number(end)) if end else last
    series = rolling_series(rows, "community_id", lo, hi)
    return {cid: {d: (w[1][d], w[7][d], w[30][d]) for d in range(lo, hi + 1)}
            for cid, w in series.items()}, lo, hi


def _period_stickiness(daily: dict[str, dict[int, tuple[int, int, int]]], lo: int | None,
                       hi: int | None, period: str) -> dict[tuple[str, int], tuple]:
    """``{(community, period): (dau, mau, dau_mau)}`` from the daily counts."""
    if lo is None or hi is None:
        return {}
    days: dict[int, list[int]] = {}
    for d in range(lo, hi + 1):
        days.setdefault(int(period_of_day(d, period)), []).append(d)
    out = {}
    for cid, per_day in daily.items():
        for p, ds in days.items():
            dau = sum(per_day[d][0] for d in ds) / len(ds)
            mau = per_day[ds[-1]][2]
            out[(cid, p)] = (dau, mau, dau / mau if mau else None)
    return out


@dataclass
class CommunityActivityResult(Result):
    """Daily active members per community.

    Attributes
    ----------
    rows : list of dict
        ``community_id, name, day, dau, wau, mau, dau_mau`` (rolling 1, 7 and 30 local days
        of people posting messages in the community; dau_mau null when mau = 0).
    summary : list of dict
        Per community: ``community_id, name, days, avg_dau, avg_mau, stickiness`` (= mean
        DAU / mean MAU over the days with a MAU).
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    tz: str = "UTC"

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=ACTIVITY_COLUMNS)

    def figure(self, metric: str = "dau_mau") -> Any:
        """One line per community of ``metric`` (dau, wau, mau or dau_mau) per day."""
        import plotly.graph_objects as go

        df = self.to_frame()
        fig = go.Figure([go.Scatter(x=g["day"], y=g[metric], mode="lines",
                                    name=str(g["name"].iloc[0] or cid))
                         for cid, g in df.groupby("community_id", sort=True)])
        fig.update_layout(title=f"{metric} per community", yaxis_title=metric,
                          yaxis_tickformat=".0%" if metric == "dau_mau" else None)
        return fig


def _names(source: TableSource) -> dict[str, Any]:
    c = source.table("communities").select("community_id", "name").to_pyarrow().to_pylist()
    return {r["community_id"]: r["name"] for r in c}


def community_activity(source: TableSource, *, start: str | None = None,
                       end: str | None = None, tz: str | None = None,
                       communities: str | list[str] | None = None) -> CommunityActivityResult:
    """DAU, WAU, MAU and DAU/MAU (stickiness) of each community per local day.

    Active = posted a ``community_message`` in that community that day. Days run from the
    first to the last day holding a membership change or a message, within ``start``..``end``.

    Parameters
    ----------
    source : Workspace or Store
        Where ``events``, ``memberships`` and ``communities`` are.
    start, end : str, optional
        First and last local day (``YYYY-MM-DD``) reported.
    tz : str, optional
        Time zone of days (default: the workspace's, else UTC).
    communities : str or list of str, optional
        Only these community ids.

    Returns
    -------
    CommunityActivityResult

    Examples
    --------
    ``community_activity(ws, start="2026-03-01").summary`` — each community's average DAU,
    MAU and DAU/MAU since March.
    """
    tz = resolve_tz(source, tz)
    cal = Calendar(source, tz, "day")
    daily, lo, hi = _daily(source, cal, start, end)
    names = _names(source)
    keep = as_list(communities)
    ids = sorted(set(daily) | set(names) if keep is None else set(keep))
    rows, summary = [], []
    if lo is None or hi is None or hi < lo:
        return CommunityActivityResult([], [], start, end, tz)
    for cid in ids:
        per = daily.get(cid, {})
        counted = []
        for d in range(lo, hi + 1):
            dau, wau, mau = per.get(d, (0, 0, 0))
            rows.append({"community_id": cid, "name": names.get(cid),
                         "day": period_start(d, "day"), "dau": dau, "wau": wau, "mau": mau,
                         "dau_mau": dau / mau if mau else None})
            if mau:
                counted.append((dau, mau))
        n = len(counted)
        avg_dau = sum(x for x, _ in counted) / n if n else 0.0
        avg_mau = sum(y for _, y in counted) / n if n else 0.0
        summary.append({"community_id": cid, "name": names.get(cid), "days": hi - lo + 1,
                        "avg_dau": avg_dau, "avg_mau": avg_mau,
                        "stickiness": avg_dau / avg_mau if avg_mau else None})
    return CommunityActivityResult(rows, summary, start, end, tz)


# -- retention of members vs non-members -----------------------------------------------------

@dataclass
class MemberRetentionResult(RetentionResult):
    """Retention of people in a community at their cohort entry (group ``"members"``) vs the
    others (``"non-members"``): a :class:`~kpgrowth.analytics.retention.RetentionResult`
    with two groups, plus

    Attributes
    ----------
    loss_ratio : float or None
        ``(1 - R_members) / (1 - R_non-members)``, R pooled over k = 1..periods-1: members'
        loss as a share of the non-members' (< 1: members stay longer). Not causal: members
        are also more active people.
    by_community : list of dict
        The curve per community (``"(none)"`` = non-members) before pooling.
    """

    loss_ratio: float | None = None
    by_community: list[dict[str, Any]] = field(default_factory=list)

    def figure(self) -> Any:
        """Retention curves of members and non-members."""
        import plotly.graph_objects as go

        df = self.curve_frame()
        fig = go.Figure([go.Scatter(x=g["k"], y=g["rate"], mode="lines+markers", name=str(grp))
                         for grp, g in df.groupby("group", sort=True)])
        fig.update_layout(title=f"Retention of community members vs non-members ({self.mode})",
                          xaxis_title=f"{self.period}s after entry", yaxis_title="retained",
                          yaxis_tickformat=".0%")
        return fig


def member_retention(source: TableSource, *, period: str = "week", periods: int = 8,
                     mode: str = "on_or_after", start: str | None = None,
                     end: str | None = None, tz: str | None = None,
                     start_event: str | list[str] | None = None,
                     return_event: str | list[str] | None = None,
                     platforms: list[str] | None = None) -> MemberRetentionResult:
    """Cohort retention of community members vs non-members.

    People enter a cohort in the local period of their first event (of ``start_event``)
    and are *members* when a membership stay overlaps that entry period, as in
    :func:`kpgrowth.analytics.retention.retention` with ``cohort_by="community"``, whose
    per-community cohorts are pooled here. Membership is fixed at entry on purpose: "ever
    joined" would count people who joined late — and so were still around — as members
    (immortal-time bias).

    Parameters
    ----------
    source : Workspace or Store
        Where ``events``, ``orders`` and ``memberships`` are.
    period : {"day", "week", "month"}
        Period length in local time.
    periods : int
        Periods k = 0..periods-1 to report.
    mode : {"on_or_after", "on"}
        Returned in period k or later (default: still around), or in exactly period k.
    start, end : str, optional
        First and last local day of the cohorts' entry periods.
    tz : str, optional
        Time zone (default: the workspace's, else UTC).
    start_event, return_event : str or list of str, optional
        Event types that enter a cohort / count as a return (default: any event).
    platforms : list of str, optional
        Only events on these platforms.

    Returns
    -------
    MemberRetentionResult

    Examples
    --------
    ``member_retention(ws, period="week", periods=8).loss_ratio`` — e.g. 0.6: members are
    lost at 60 % of the non-members' rate.
    """
    r = retention(source, period=period, periods=periods, cohort_by="community", mode=mode,
                  start=start, end=end, tz=tz, start_event=start_event,
                  return_event=return_event, platforms=platforms)
    pooled: dict[tuple[str, str], dict[str, Any]] = {}
    for c in r.cohorts:
        g = NON_MEMBERS if c["group"] == "(none)" else MEMBERS
        acc = pooled.setdefault((g, c["cohort"]), {"size": 0, "retained": [0] * periods})
        acc["size"] += c["size"]
        acc["retained"] = [None if n is None or a is None else a + n
                           for a, n in zip(acc["retained"], c["retained"])]
    cohorts, totals = [], {}
    for (g, cohort), acc in sorted(pooled.items()):
        size, kept = acc["size"], acc["retained"]
        cohorts.append({"group": g, "cohort": cohort, "size": size, "retained": kept,
                        "rates": [None if n is None else n / size for n in kept]})
        t = totals.setdefault(g, [[0, 0, 0] for _ in range(periods)])
        for k, n in enumerate(kept):
            if n is not None:
                t[k][0] += 1
                t[k][1] += size
                t[k][2] += n
    curve = [{"group": g, "k": k, "cohorts": c, "size": n, "retained": kept,
              "rate": kept / n if n else None}
             for g in (MEMBERS, NON_MEMBERS) if g in totals
             for k, (c, n, kept) in enumerate(totals[g])]

    def loss(g: str) -> float | None:
        ks = [row for row in curve if row["group"] == g and row["k"] >= 1]
        n = sum(row["size"] for row in ks)
        return 1 - sum(row["retained"] for row in ks) / n if n else None

    lm, ln = loss(MEMBERS), loss(NON_MEMBERS)
    return MemberRetentionResult(cohorts, curve, period, periods, mode, False, "membership",
                                 r.tz, r.params, lm / ln if lm is not None and ln else None,
                                 r.curve)

"""Community (社群) health per community and local period: members, activity, conversion,
retention and DAU/MAU stickiness (daily activity and members-vs-non-members retention are in
:mod:`kpgrowth.analytics.community_activity`).

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics._periods import (
    PERIODS,
    Calendar,
    check_choice,
    day_number,
    period_of_day,
    resolve_tz,
    rolling_active,
    rolling_series,
)
from kpgrowth.analytics.overview import TableSource
from kpgrowth.result import Result

if TYPE_CHECKING:  # pragma: no cover
    import ibis

COLUMNS = ["community_id", "name", "period", "members", "active_members", "active_share",
           "messages", "messages_per_member", "buyers", "conversion", "retained", "retention",
           "dau", "mau", "dau_mau"]


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


def _names(source: TableSource) -> dict[str, Any]:
    c = source.table("communities").select("community_id", "name").to_pyarrow().to_pylist()
    return {r["community_id"]: r["name"] for r in c}

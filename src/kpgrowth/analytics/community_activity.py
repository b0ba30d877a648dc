"""Community activity per local day (DAU, WAU, MAU, DAU/MAU) and retention of members vs
non-members.

:func:`community_activity` gives the daily DAU, WAU, MAU and DAU/MAU per community, and
:func:`member_retention` the retention curve of people who were in a community when they
entered their cohort against those who were not (:func:`kpgrowth.analytics.retention.retention`
with ``cohort_by="community"``, groups pooled). Definitions of members and activity are those
of :mod:`kpgrowth.analytics.community`.

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> d = lambda day: dt.datetime(2026, 1, day, 12, tzinfo=dt.UTC)
>>> store = memory_store(events={"event_id": ["m1", "m2", "m3"], "ts": [d(5), d(5), d(6)],
...                              "type": ["community_message"] * 3, "user_key": ["a", "b", "a"],
...                              "community_id": ["g"] * 3})
>>> [(x["day"], x["dau"], x["mau"], x["dau_mau"]) for x in community_activity(store, tz="UTC").rows]
[('2026-01-05', 2, 2, 1.0), ('2026-01-06', 1, 2, 0.5)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpgrowth.analytics._periods import Calendar, as_list, period_start, resolve_tz
from kpgrowth.analytics.community import _daily, _names
from kpgrowth.analytics.overview import TableSource
from kpgrowth.analytics.retention import RetentionResult, retention
from kpgrowth.result import Result

ACTIVITY_COLUMNS = ["community_id", "name", "day", "dau", "wau", "mau", "dau_mau"]
MEMBERS, NON_MEMBERS = "members", "non-members"


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

"""Retention, revenue retention, lifecycle, stickiness and active users.

Hand-made fixtures run on DuckDB and Spark (``store_of``) with identical exact
assertions; hypothesis properties run on an in-memory DuckDB store against a
brute-force Python reference; the simulator check compares community members'
retention with the simulator's truth.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpgrowth.analytics.lifecycle import active_users, lifecycle, stickiness
from kpgrowth.analytics.retention import retention
from kpgrowth.analytics.revenue_retention import revenue_retention
from kpgrowth.errors import InputError
from kpgrowth.schema import TABLES
from kpgrowth.store import connect
from kpgrowth.store.base import conform

UTC = dt.UTC


def at(day: int, hour: int = 12, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def events(rows: list[tuple]) -> pa.Table:
    """rows: (user, ts, type[, platform])."""
    return pa.table({
        "event_id": [f"e{i}" for i in range(len(rows))], "ts": [r[1] for r in rows],
        "user_key": [r[0] for r in rows], "type": [r[2] for r in rows],
        "platform": [r[3] if len(r) > 3 else "douyin" for r in rows]})


# a (Mon Mar 2 view, Tue 3 view, Thu 5 purchase); b (Mar 2 view, Mar 5 view);
# c (Tue Mar 3 signup, Mar 4 view, Mon Mar 9 view). Last day with data: Mar 9 (UTC).
MAIN = events([("a", at(2), "view"), ("a", at(3), "view"), ("a", at(5), "purchase"),
               ("b", at(2), "view"), ("b", at(5), "view"),
               ("c", at(3), "signup"), ("c", at(4), "view"), ("c", at(9), "view")])
USERS = pa.table({"user_key": ["a", "b", "c"], "first_channel": ["paid", "organic", "paid"]})
MEMBERS = pa.table({"community_id": ["cA", "cB"], "user_key": ["a", "b"],
                    "joined_at": [at(20, month=2), at(4)]})


def cells(r, key: str = "retained") -> dict:
    return {(c["group"], c["cohort"]): c[key] for c in r.cohorts}


def test_retention_hand_fixture(store_of):
    s = store_of({"events": MAIN, "users": USERS, "memberships": MEMBERS})
    kw = {"period": "day", "tz": "UTC"}
    on = retention(s, periods=4, **kw)
    assert cells(on) == {("all", "2026-03-02"): [2, 1, 0, 2], ("all", "2026-03-03"): [1, 1, 0, 0]}
    assert [(p["size"], p["retained"]) for p in on.curve] == [(3, 3), (3, 2), (3, 0), (3, 2)]
    after = retention(s, periods=4, mode="on_or_after", **kw)
    assert cells(after) == {("all", "2026-03-02"): [2, 2, 2, 2],
                            ("all", "2026-03-03"): [1, 1, 1, 1]}
    # first-time vs recurring cohorts on views
    first = retention(s, periods=3, start_event="view", return_event="view", **kw)
    assert cells(first) == {("all", "2026-03-02"): [2, 1, 0], ("all", "2026-03-04"): [1, 0, 0]}
    rec = retention(s, periods=3, start_event="view", return_event="view", recurring=True, **kw)
    assert cells(rec) == {("all", "2026-03-02"): [2, 1, 0], ("all", "2026-03-03"): [1, 0, 0],
                          ("all", "2026-03-04"): [1, 0, 0], ("all", "2026-03-05"): [1, 0, 0],
                          ("all", "2026-03-09"): [1, None, None]}
    assert cells(retention(s, periods=3, cohort_by="signup", **kw)) == {
        ("all", "2026-03-03"): [1, 1, 0]}
    assert cells(retention(s, periods=2, return_event="purchase", **kw)) == {
        ("all", "2026-03-02"): [2, 0], ("all", "2026-03-03"): [1, 0]}
    # start/end select cohorts by entry period; returns after `end` still count
    assert cells(retention(s, periods=2, start="2026-03-03", end="2026-03-03", **kw)) == {
        ("all", "2026-03-03"): [1, 1]}
    # breakdowns: acquisition channel and community at entry (b joined cB after entry)
    assert cells(retention(s, periods=4, cohort_by="channel", **kw)) == {
        ("paid", "2026-03-02"): [1, 1, 0, 1], ("paid", "2026-03-03"): [1, 1, 0, 0],
        ("organic", "2026-03-02"): [1, 0, 0, 1]}
    assert cells(retention(s, periods=4, cohort_by="community", **kw)) == {
        ("cA", "2026-03-02"): [1, 1, 0, 1], ("(none)", "2026-03-02"): [1, 0, 0, 1],
        ("(none)", "2026-03-03"): [1, 1, 0, 0]}
    # ISO weeks: Mon Mar 2 .. Sun Mar 8, then Mon Mar 9
    wk = retention(s, period="week", periods=3, tz="UTC")
    assert cells(wk) == {("all", "2026-03-02"): [3, 1, None]}
    assert wk.curve[2]["rate"] is None and wk.to_frame().shape == (3, 6)
    assert wk.figure().data[0].type == "heatmap"
    # lifecycle (daily), stickiness (weekly), DAU/WAU/MAU
    lc = lifecycle(s, period="day", tz="UTC").to_frame()
    assert lc.values.tolist() == [
        ["2026-03-02", 2, 0, 0, 0, 2], ["2026-03-03", 1, 1, 0, -1, 2],
        ["2026-03-04", 0, 1, 0, -1, 1], ["2026-03-05", 0, 0, 2, -1, 2],
        ["2026-03-06", 0, 0, 0, -2, 0], ["2026-03-07", 0, 0, 0, 0, 0],
        ["2026-03-08", 0, 0, 0, 0, 0], ["2026-03-09", 0, 0, 1, 0, 1]]
    lw = lifecycle(s, tz="UTC").rows
    assert [(r["new"], r["returning"], r["dormant"]) for r in lw] == [(3, 0, 0), (0, 1, -2)]
    st_ = stickiness(s, tz="UTC")
    assert [(r["period"], r["days"], r["users"]) for r in st_.rows] == [
        ("2026-03-02", 2, 2), ("2026-03-02", 3, 1), ("2026-03-09", 1, 1)]
    au = active_users(s, tz="UTC").rows
    assert [(r["day"][-2:], r["dau"], r["wau"], r["mau"]) for r in au] == [
        ("02", 2, 2, 2), ("03", 2, 3, 3), ("04", 1, 3, 3), ("05", 2, 3, 3), ("06", 0, 3, 3),
        ("07", 0, 3, 3), ("08", 0, 3, 3), ("09", 1, 3, 3)]
    assert au[-1]["dau_mau"] == pytest.approx(1 / 3)
    late = active_users(s, tz="UTC", start="2026-03-10", end="2026-03-12").rows
    assert [(r["dau"], r["wau"], r["mau"]) for r in late] == [(0, 3, 3), (0, 3, 3), (0, 1, 3)]


def test_time_zones_and_calendar_boundaries(store_of):
    rows = [
        # Shanghai (+8): 15:30 UTC Sun Mar 1 is 23:30 local Sunday; 16:30 UTC is Monday 00:30
        ("sun", at(1, 15, 30), "view"), ("mon", at(1, 16, 30), "view"),
        # month: Mar 31 16:30 UTC is Apr 1 00:30 in Shanghai
        ("apr", at(31, 16, 30), "view"),
        # New York switches to summer time on Sun Mar 8: 04:30 UTC Mon Mar 9 = 00:30 EDT
        # (Monday) but would be 23:30 Sunday at the winter offset
        ("ny", at(9, 4, 30), "view"), ("ny", at(2, 4, 30), "view"),
    ]
    s = store_of({"events": events(rows)})
    sh = retention(s, period="week", periods=1, tz="Asia/Shanghai")
    got = {c["cohort"]: c["size"] for c in sh.cohorts}
    assert got == {"2026-02-23": 1, "2026-03-02": 2, "2026-03-30": 1}  # sun | mon, ny | apr
    mo = retention(s, period="month", periods=2, tz="Asia/Shanghai")
    assert {c["cohort"]: c["size"] for c in mo.cohorts} == {"2026-03-01": 3, "2026-04-01": 1}
    assert {c["cohort"]: c["size"] for c in retention(s, period="month", periods=1,
                                                      tz="UTC").cohorts} == {"2026-03-01": 4}
    ny = retention(s, period="week", periods=3, tz="America/New_York")
    # ny: Sun Mar 1 23:30 EST (week of Feb 23) and Mon Mar 9 00:30 EDT (week of Mar 9, k=2;
    # at the winter offset it would be Sun Mar 8 23:30, k=1)
    assert cells(ny)[("all", "2026-02-23")] == [3, 0, 1]
    assert {c["cohort"] for c in ny.cohorts} == {"2026-02-23", "2026-03-30"}
    days = [r["day"] for r in active_users(s, tz="America/New_York").rows if r["dau"]]
    assert days[:2] == ["2026-03-01", "2026-03-09"]


def test_revenue_retention_with_refund(store_of):
    o = pa.table({"order_id": ["1", "2", "3", "4", "5", "6"],
                  "ts": [at(2), at(3), at(10), at(11), at(12), at(4)],
                  "user_key": ["a", "b", "a", "b", "c", "a"], "product_id": ["p"] * 6,
                  "amount": [100, 50, 30, -50, 80, 999], "currency": ["CNY"] * 5 + ["USD"],
                  "status": ["paid", "paid", "paid", "refunded", "paid", "paid"]})
    s = store_of({"orders": o, "events": events([("z", at(17), "view")])})
    r = revenue_retention(s, period="week", periods=3, tz="UTC")
    got = {c["cohort"]: (c["size"], c["revenue"], c["ltv"]) for c in r.cohorts}
    assert got == {"2026-03-02": (2, [150.0, -20.0, 0.0], [75.0, 65.0, 65.0]),
                   "2026-03-09": (1, [80.0, 0.0, None], [80.0, 80.0, None])}
    assert [(p["size"], p["revenue"]) for p in r.curve] == [(3, 230.0), (3, -20.0), (2, 0.0)]
    assert r.curve[1]["ltv"] == pytest.approx(230 / 3 - 20 / 3)
    assert len(r.figure().data) == 3 and r.to_frame().shape == (6, 7)
    usd = revenue_retention(s, period="week", periods=1, tz="UTC", currency="USD")
    assert [(c["cohort"], c["revenue"]) for c in usd.cohorts] == [("2026-03-02", [999.0]),
                                                                  ("2026-03-09", [0.0])]


def test_bad_parameters_say_what_is_wrong():
    store = connect("duckdb://:memory:")
    with pytest.raises(InputError, match="'period' parameter of retention"):
        retention(store, period="year")
    with pytest.raises(InputError, match="'periods' parameter"):
        retention(store, periods=0)
    with pytest.raises(InputError, match="defines the starting action"):
        retention(store, cohort_by="signup", start_event="view")
    with pytest.raises(InputError, match="time zone"):
        retention(store, tz="Mars/Olympus")
    with pytest.raises(InputError, match="week or month"):
        stickiness(store, period="day")


# -- properties, against a brute-force reference -------------------------------------------

_DUCK = None


def _duck():
    global _DUCK
    if _DUCK is None:
        _DUCK = connect("duckdb://:memory:")
    return _DUCK


activity_rows = st.lists(st.tuples(st.sampled_from("uvwxyz"), st.integers(0, 20),
                                   st.sampled_from(["view", "purchase"])),
                         min_size=1, max_size=40)


@settings(max_examples=25, deadline=None)
@given(rows=activity_rows, recurring=st.booleans())
def test_retention_properties(rows, recurring):
    s = _duck()
    s.create(TABLES["events"], overwrite=True)
    s.create(TABLES["orders"], overwrite=True)
    with s.batch() as b:
        b.append("events", conform(TABLES["events"], events(
            [(u, at(1) + dt.timedelta(days=d), t) for u, d, t in rows])))
    n = 6
    on = retention(s, period="day", periods=n, tz="UTC", recurring=recurring,
                   start_event="view")
    after = retention(s, period="day", periods=n, tz="UTC", recurring=recurring,
                      start_event="view", mode="on_or_after")
    # brute force: entries from views, returns from any event
    act: dict[str, set[int]] = {}
    views: dict[str, set[int]] = {}
    for u, d, t in rows:
        act.setdefault(u, set()).add(d)
        if t == "view":
            views.setdefault(u, set()).add(d)
    last = max(d for _, d, _ in rows)
    ent = [(u, c) for u, ds in views.items() for c in (sorted(ds) if recurring else [min(ds)])]
    want_on: dict[str, list] = {}
    want_after: dict[str, list] = {}
    for u, c in ent:
        key = (at(1) + dt.timedelta(days=c)).date().isoformat()
        w_on = want_on.setdefault(key, [0] * n)
        w_af = want_after.setdefault(key, [0] * n)
        for k in range(n):
            w_on[k] += 1 if k == 0 or c + k in act[u] else 0
            w_af[k] += 1 if k == 0 or any(d >= c + k for d in act[u]) else 0
    for want in (want_on, want_after):
        for key, v in want.items():
            c = (dt.date.fromisoformat(key) - at(1).date()).days
            want[key] = [x if c + k <= last else None for k, x in enumerate(v)]
    assert {c: v for (_, c), v in cells(on).items()} == want_on
    assert {c: v for (_, c), v in cells(after).items()} == want_after
    for a, b in zip(on.cohorts, after.cohorts):
        assert a["rates"][0] == 1.0
        for x, y in zip(a["rates"], b["rates"]):
            assert (x is None) == (y is None)
            if x is not None:
                assert 0.0 <= x <= y <= 1.0
        seen = [y for y in b["rates"] if y is not None]
        assert seen == sorted(seen, reverse=True)  # on_or_after never increases


@settings(max_examples=25, deadline=None)
@given(rows=activity_rows, period=st.sampled_from(["day", "week"]))
def test_lifecycle_properties(rows, period):
    s = _duck()
    s.create(TABLES["events"], overwrite=True)
    with s.batch() as b:
        b.append("events", conform(TABLES["events"], events(
            [(u, at(1) + dt.timedelta(days=d), t) for u, d, t in rows])))
    out = lifecycle(s, period=period, tz="UTC").rows
    active: dict[str, set[str]] = {}
    for u, d, _ in rows:
        day = (at(1) + dt.timedelta(days=d)).date()
        if period == "week":
            day -= dt.timedelta(days=day.weekday())
        active.setdefault(day.isoformat(), set()).add(u)
    assert {r["period"]: r["active"] for r in out if r["active"]} == {
        p: len(us) for p, us in active.items()}
    prev: set[str] = set()
    for r in out:
        now = active.get(r["period"], set())
        assert r["new"] + r["returning"] + r["resurrecting"] == len(now)
        assert r["returning"] == len(now & prev) and r["dormant"] == -len(prev - now)
        prev = now


# -- the simulator ----------------------------------------------------------------------------

def test_community_members_retain_better_as_the_simulator_says(store_of, sim, sim_tables):
    """Members at entry vs non-members, weekly on-or-after retention on the simulated business.

    Truth: while in a community a person's churn hazard is multiplied by the community's
    hazard ratio (0.7 WeChat group, 0.45 知识星球; ``truth_community_effect``); churned people
    produce no more events (``truth_churn.churned_at``). The naive comparison is confounded
    by activity (members are more active: more visible, lower baseline hazard), so we check
    (1) exact: on-or-after retained <= people not yet churned when period k starts (truth);
    (2) direction: members' retention is higher, as it is in the truth survival;
    (3) rough size: the members' loss ratio (1 - R_member) / (1 - R_non), pooled over
    k = 1..3, is within 0.3 of the members' mean true hazard ratio and of the same ratio
    computed from the true churn times (0.3 is about 2 SE for the ~130 member-periods of
    this 2,000-person, 30-day business).
    """
    s = store_of({n: sim_tables[n] for n in ("events", "orders", "memberships")})
    r = retention(s, period="week", periods=4, cohort_by="community", mode="on_or_after",
                  tz="Asia/Shanghai")

    def pooled(member: bool) -> tuple[int, int]:
        ps = [p for p in r.curve if (p["group"] != "(none)") == member and p["k"] >= 1]
        return sum(p["size"] for p in ps), sum(p["retained"] for p in ps)

    (n_m, r_m), (n_n, r_n) = pooled(True), pooled(False)
    rate_m, rate_n = r_m / n_m, r_n / n_n

    # truth survival of the same cohorts (rebuilt in pandas), and the members' hazard ratio
    def local(col: pd.Series) -> pd.Series:
        return col.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)

    ev = sim_tables["events"].select(["user_key", "ts"]).to_pandas().dropna()
    day = local(ev.ts).dt.normalize()
    ev["week"] = day - pd.to_timedelta(day.dt.weekday, unit="D")
    last_week = ev.week.max()
    users = ev.groupby("user_key").week.min().rename("c").reset_index()
    mem = sim_tables["memberships"].to_pandas()
    mem["j"], mem["l"] = local(mem.joined_at), local(mem.left_at)
    m = users.merge(mem, on="user_key")
    m = m[(m.j < m.c + pd.Timedelta(days=7)) & (m.l.isna() | (m.l >= m.c))]
    hr = sim.store.to_pyarrow("truth_community_effect").to_pandas()
    m = m.sort_values("j").drop_duplicates("user_key").merge(hr, on="community_id")
    users["member"] = users.user_key.isin(m.user_key)
    churn = sim.store.to_pyarrow("truth_churn").to_pandas()
    users = users.merge(churn.assign(ch=local(churn.churned_at))[["user_key", "ch"]],
                        on="user_key", how="left")
    stats = {}
    for member, g in users.groupby("member"):
        size = alive = 0
        for k in range(1, 4):
            start_k = g.c + pd.Timedelta(days=7 * k)
            seen = start_k <= last_week
            size += int(seen.sum())
            alive += int((seen & (g.ch.isna() | (g.ch > start_k))).sum())
        stats[member] = (size, alive)
    assert (stats[True][0], stats[False][0]) == (n_m, n_n)  # same cohorts as the library
    assert r_m <= stats[True][1] and r_n <= stats[False][1]  # (1)
    true_m, true_n = stats[True][1] / n_m, stats[False][1] / n_n
    assert rate_m > rate_n and true_m > true_n  # (2)
    loss_ratio = (1 - rate_m) / (1 - rate_n)
    true_loss_ratio = (1 - true_m) / (1 - true_n)
    mean_hr = float(m.hazard_ratio.mean())
    print(f"members {n_m} person-periods: retained {rate_m:.3f} (truth survival {true_m:.3f});"
          f" non-members {n_n}: {rate_n:.3f} ({true_n:.3f}); loss ratio {loss_ratio:.2f} vs "
          f"truth churn ratio {true_loss_ratio:.2f}, true hazard ratio {mean_hr:.2f}")
    assert 0.45 <= mean_hr <= 0.7
    assert abs(loss_ratio - mean_hr) <= 0.3 and abs(loss_ratio - true_loss_ratio) <= 0.3  # (3)

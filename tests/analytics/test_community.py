"""Community health on hand-made memberships (DuckDB and Spark, identical assertions) and a
sanity check on the simulator."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from kpgrowth.analytics.community import community_health
from kpgrowth.errors import InputError

T = pa.timestamp("us", tz="UTC")


def d(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, tzinfo=dt.UTC)  # Jan 5 and Jan 12 are Mondays


# g: a (whole time), b (week 1 only, leaves Jan 8), c (joins week 2); h: a in week 2 only
MEMBERS = pa.table({
    "community_id": ["g", "g", "g", "h"], "user_key": ["a", "b", "c", "a"],
    "joined_at": pa.array([d(5), d(5), d(13), d(12)], T),
    "left_at": pa.array([None, d(8), None, None], T)})
EVENTS = pa.table({
    "event_id": ["m1", "m2", "m3", "m4", "m5"],
    "ts": pa.array([d(6), d(6, 13), d(7), d(14), d(14)], T),
    "type": ["community_message"] * 4 + ["view"],
    "user_key": ["a", "a", "b", "c", "c"], "community_id": ["g", "g", "g", "g", None]})
ORDERS = pa.table({  # a buys in week 1 (member of g); b buys after leaving; c buys in week 2
    "order_id": ["o1", "o2", "o3", "o4"], "ts": pa.array([d(6), d(9), d(15), d(15)], T),
    "user_key": ["a", "b", "c", "a"], "product_id": ["p"] * 4, "amount": [10.0] * 4,
    "currency": ["CNY"] * 4, "status": ["paid", "paid", "paid", "cancelled"]})
COMMUNITIES = pa.table({"community_id": ["g", "h"], "name": ["职场群", "星球"]})


def test_community_health_by_week(store_of):
    store = store_of({"memberships": MEMBERS, "events": EVENTS, "orders": ORDERS,
                      "communities": COMMUNITIES})
    res = community_health(store, period="week", start="2026-01-05", end="2026-01-18", tz="UTC")
    rows = {(r["community_id"], r["period"]): r for r in res.rows}
    assert sorted(rows) == [("g", "2026-01-05"), ("g", "2026-01-12"), ("h", "2026-01-12")]
    w1, w2 = rows[("g", "2026-01-05")], rows[("g", "2026-01-12")]
    assert (w1["members"], w1["active_members"], w1["messages"], w1["buyers"]) == (2, 2, 3, 1)
    assert w1["active_share"] == 1.0 and w1["messages_per_member"] == 1.5
    assert w1["conversion"] == 0.5 and w1["retention"] is None and w1["name"] == "职场群"
    assert (w2["members"], w2["active_members"], w2["messages"], w2["buyers"]) == (2, 1, 1, 1)
    assert (w2["retained"], w2["retention"]) == (1, 0.5)  # a stayed, b left
    h = rows[("h", "2026-01-12")]
    assert (h["members"], h["active_members"], h["buyers"], h["conversion"]) == (1, 0, 0, 0.0)
    assert h["retention"] is None  # no members in the week before


def test_days_figure_and_bad_input(store_of):
    store = store_of({"memberships": MEMBERS, "events": EVENTS, "orders": ORDERS,
                      "communities": COMMUNITIES})
    res = community_health(store, period="day", start="2026-01-06", end="2026-01-07", tz="UTC")
    g = [r for r in res.rows if r["community_id"] == "g"]
    assert [(r["period"], r["members"], r["active_members"], r["retention"]) for r in g] == [
        ("2026-01-06", 2, 1, None), ("2026-01-07", 2, 1, 1.0)]
    assert len(res.figure().data) == 1 and len(res.to_frame()) == len(res.rows)
    with pytest.raises(InputError):
        community_health(store, period="year")


def test_simulated_communities_are_sane(sim):
    """Members convert more than active people at large; paid 知识星球 keep members better
    than free groups (lower leave hazard in truth_community_effect)."""
    o = sim.table("orders")
    first = o.ts.min().to_pyarrow().as_py().date().isoformat()
    res = community_health(sim, period="week", start=first)
    assert res.rows and all(0 <= r["active_share"] <= 1 for r in res.rows if r["members"])
    assert all(r["retention"] is None or 0 <= r["retention"] <= 1 for r in res.rows)
    members = sum(r["members"] for r in res.rows)
    member_conv = sum(r["buyers"] for r in res.rows) / members
    from kpgrowth.analytics.overview import overview

    overall = overview(sim).kpis["conversion"]  # buyers / active people over the 30 days
    weeks = len({r["period"] for r in res.rows})
    truth = {r["community_id"]: r["kind"] for r in
             sim.table("truth_community_effect").to_pyarrow().to_pylist()}

    def mean_retention(kind: str) -> float:
        xs = [r["retention"] for r in res.rows
              if r["retention"] is not None and truth.get(r["community_id"]) == kind]
        return sum(xs) / len(xs)

    kinds = sorted(set(truth.values()))
    ret = {k: mean_retention(k) for k in kinds}
    print(f"member weekly conversion {member_conv:.4f}; overall {overall:.4f} over {weeks} "
          f"weeks; mean weekly retention {ret}")
    assert member_conv > overall / weeks  # weekly members' rate vs the average weekly rate
    assert ret["zsxq"] >= ret["wechat_group"] > 0.8


# -- DAU/MAU and members vs non-members ---------------------------------------------------------

def test_daily_active_members_and_stickiness(store_of):
    """Messages: a on Jan 6 (twice), b on Jan 7, c on Jan 14, all in g; h has no messages.
    Data days run from the first join (Jan 5) to the last message (Jan 14)."""
    from kpgrowth.analytics.community_activity import community_activity

    store = store_of({"memberships": MEMBERS, "events": EVENTS, "orders": ORDERS,
                      "communities": COMMUNITIES})
    res = community_activity(store, tz="UTC")
    g = {r["day"][-2:]: (r["dau"], r["wau"], r["mau"]) for r in res.rows
         if r["community_id"] == "g"}
    assert sorted(g) == [f"{d:02d}" for d in range(5, 15)]
    assert [g[f"{d:02d}"] for d in range(5, 15)] == [
        (0, 0, 0), (1, 1, 1), (1, 2, 2), (0, 2, 2), (0, 2, 2), (0, 2, 2), (0, 2, 2),
        (0, 2, 2),   # Jan 12: a's 7 days are 6..12, b's 7..13
        (0, 1, 2), (1, 1, 3)]
    h = [r for r in res.rows if r["community_id"] == "h"]
    assert len(h) == 10 and all(r["mau"] == 0 and r["dau_mau"] is None for r in h)
    s = {x["community_id"]: x for x in res.summary}
    assert s["g"]["avg_dau"] == pytest.approx(3 / 9) and s["g"]["avg_mau"] == pytest.approx(18 / 9)
    assert s["g"]["stickiness"] == pytest.approx(1 / 6) and s["h"]["stickiness"] is None
    assert len(res.figure().data) == 2 and res.to_frame().shape == (20, 7)
    one = community_activity(store, tz="UTC", start="2026-01-13", end="2026-01-20",
                             communities="g")
    assert [(r["day"], r["dau"], r["mau"], r["dau_mau"]) for r in one.rows] == [
        ("2026-01-13", 0, 2, 0.0), ("2026-01-14", 1, 3, pytest.approx(1 / 3))]

    # the same numbers per week in community_health (new columns; old ones unchanged)
    res = community_health(store, period="week", start="2026-01-05", end="2026-01-18", tz="UTC")
    rows = {(r["community_id"], r["period"]): r for r in res.rows}
    w1, w2, hw = rows[("g", "2026-01-05")], rows[("g", "2026-01-12")], rows[("h", "2026-01-12")]
    assert (w1["dau"], w1["mau"], w1["dau_mau"]) == (pytest.approx(2 / 7), 2, pytest.approx(1 / 7))
    assert (w2["dau"], w2["mau"], w2["dau_mau"]) == (pytest.approx(1 / 3), 3, pytest.approx(1 / 9))
    assert (hw["dau"], hw["mau"], hw["dau_mau"]) == (0.0, 0, None)
    assert list(res.to_frame().columns[-3:]) == ["dau", "mau", "dau_mau"]


def _people_events() -> pa.Table:
    """Weekly activity (Mondays): a (member of g from week 1) weeks 1-3; b (joins g in week 3,
    after entering in week 1) weeks 1-2; c, d (never members) weeks 1 and 1-2; e enters in
    week 2 as a member of h and stays 2 weeks."""
    rows = [("a", 5), ("a", 12), ("a", 19), ("b", 5), ("b", 12), ("c", 5), ("d", 5),
            ("d", 12), ("e", 12), ("e", 19)]
    return pa.table({"event_id": [f"x{i}" for i in range(len(rows))],
                     "ts": pa.array([d(day) for _, day in rows], T),
                     "user_key": [u for u, _ in rows], "type": ["view"] * len(rows)})


def test_member_retention_pools_communities(store_of):
    from kpgrowth.analytics.community_activity import member_retention

    members = pa.table({"community_id": ["g", "g", "h"], "user_key": ["a", "b", "e"],
                        "joined_at": pa.array([d(5), d(19), d(12)], T),
                        "left_at": pa.array([None, None, None], T)})
    store = store_of({"events": _people_events(), "memberships": members})
    r = member_retention(store, period="week", periods=3, tz="UTC")
    curve = {(p["group"], p["k"]): (p["cohorts"], p["size"], p["retained"]) for p in r.curve}
    # week-1 cohort: members {a}, non-members {b, c, d} (b joined later: still a non-member)
    # week-2 cohort: members {e}; k=2 of week 2 is not observed (last data week is week 3)
    assert curve == {("members", 0): (2, 2, 2), ("members", 1): (2, 2, 2),
                     ("members", 2): (1, 1, 1),
                     ("non-members", 0): (1, 3, 3), ("non-members", 1): (1, 3, 2),
                     ("non-members", 2): (1, 3, 0)}
    # loss: members 0 of 3 person-periods, non-members 4 of 6 -> ratio 0
    assert r.loss_ratio == 0.0
    assert {c["group"] for c in r.by_community} == {"g", "h", "(none)"}
    assert [c["retained"] for c in r.cohorts if c["group"] == "non-members"] == [[3, 2, 0]]
    assert len(r.figure().data) == 2 and r.curve_frame().shape == (6, 6)
    on = member_retention(store, period="week", periods=3, mode="on", tz="UTC")
    assert {(p["group"], p["k"]): p["retained"] for p in on.curve}[("non-members", 1)] == 2
    with pytest.raises(InputError):
        member_retention(store, period="fortnight")


def test_member_retention_against_simulator_truth(sim):
    """Members at entry lose fewer people, as the simulator plants (a member's churn hazard is
    multiplied by the community's hazard ratio, ``truth_community_effect``; churned people
    produce no more events, ``truth_churn``). Exact: the pooled sizes are the library's own
    cohorts, and retained (on or after k) <= people not yet churned when period k starts.
    Size: the loss ratio is within 0.3 of the same ratio from the true churn times of the
    same cohorts (about 2 SE for the ~130 member person-periods of this 2,000-person,
    30-day business). DAU <= WAU <= MAU in every community and day."""
    import datetime as dt_
    from zoneinfo import ZoneInfo

    from kpgrowth.analytics._periods import Calendar, period_start
    from kpgrowth.analytics.community_activity import community_activity, member_retention
    from kpgrowth.analytics.retention import entries

    tz = "Asia/Shanghai"
    r = member_retention(sim, period="week", periods=4, tz=tz)
    cal = Calendar(sim, tz, "week")
    e = entries(sim, cal, cohort_by="community", start_event=None, recurring=False,
                platforms=None).to_pyarrow().to_pylist()
    churned = {x["user_key"]: x["churned_at"] for x in
               sim.table("truth_churn").select("user_key", "churned_at").to_pyarrow().to_pylist()}
    h = cal.bound(r.params["horizon"])
    truth = {"members": [0, 0], "non-members": [0, 0]}
    for x in e:
        g = truth["non-members" if x["group"] == "(none)" else "members"]
        for k in range(1, 4):
            if x["c"] + k > h:
                continue
            day = dt_.date.fromisoformat(period_start(x["c"] + k, "week"))
            begins = dt_.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
            ch = churned.get(x["user_key"])
            g[0] += 1
            g[1] += int(ch is None or ch > begins)
    got = {p["group"]: [0, 0] for p in r.curve}
    for p in r.curve:
        if p["k"] >= 1:
            got[p["group"]][0] += p["size"]
            got[p["group"]][1] += p["retained"]
    assert {g: v[0] for g, v in got.items()} == {g: v[0] for g, v in truth.items()}
    assert all(got[g][1] <= truth[g][1] for g in got)
    true_loss = {g: 1 - a / n for g, (n, a) in truth.items()}
    true_ratio = true_loss["members"] / true_loss["non-members"]
    eff = {x["community_id"]: x["hazard_ratio"] for x in
           sim.table("truth_community_effect").to_pyarrow().to_pylist()}
    ks = [p for p in r.by_community if p["group"] != "(none)" and p["k"] >= 1]
    hr = sum(p["size"] * eff[p["group"]] for p in ks) / sum(p["size"] for p in ks)
    print(f"loss ratio {r.loss_ratio:.3f}; from true churn {true_ratio:.3f}; members' true "
          f"hazard ratio {hr:.3f}; retained k>=1 {got}; alive {truth}")
    assert r.loss_ratio < 1 and true_ratio < 1
    assert abs(r.loss_ratio - true_ratio) <= 0.3 and abs(r.loss_ratio - hr) <= 0.3

    act = community_activity(sim, tz=tz)
    assert act.rows and all(x["dau"] <= x["wau"] <= x["mau"] for x in act.rows)
    talk = [s for s in act.summary if s["stickiness"] is not None]
    assert talk and all(0 < s["stickiness"] <= 1 for s in talk)

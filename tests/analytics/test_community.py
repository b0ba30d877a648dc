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

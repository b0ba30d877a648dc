"""One person's behaviour and a group's engagement: every number equals the analysis that
owns it (hand-made store on DuckDB and Spark; the simulator against direct counts)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyarrow as pa
import pytest

from kpgrowth.analytics.community import community_health
from kpgrowth.analytics.engagement_index import engagement_index
from kpgrowth.analytics.funnel import funnel_positions
from kpgrowth.analytics.rfm import rfm
from kpgrowth.analytics.user_behavior import (
    ANONYMOUS,
    MAX_EVENTS,
    NotFoundError,
    group_engagement,
    user_behavior,
)
from kpgrowth.errors import InputError

T = pa.timestamp("us", tz="UTC")


def t(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


# a: impression → click → trailer_view → purchase (douyin, one event without platform), two
#    days in UTC but one of them crosses midnight in Shanghai; b: impression only; c: orders only
EVENTS = pa.table({
    "event_id": [f"e{i}" for i in range(9)],
    "ts": pa.array([t(2, 1), t(2, 2), t(2, 3), t(2, 4), t(3, 20), t(2, 5), t(4), t(4, 13),
                    t(5)], T),
    "user_key": ["a", "a", "a", "a", "a", "b", "b", "a", "a"],
    "type": ["impression", "click", "trailer_view", "purchase", "view", "impression",
             "community_message", "community_message", "share"],
    "platform": ["douyin", "douyin", "douyin", "douyin", None, "weibo", "wechat", "wechat",
                 "douyin"],
    "community_id": [None, None, None, None, None, None, "g", "g", None]})
ORDERS = pa.table({
    "order_id": ["o1", "o2", "o3", "o4", "o5"],
    "ts": pa.array([t(2, 4), t(4), t(6), t(3), t(3)], T),
    "user_key": ["a", "a", "a", "c", "c"], "product_id": ["p1", "p2", "p1", "p1", "p3"],
    "amount": [99.0, 20.0, -99.0, 50.0, 10.0], "currency": ["CNY"] * 5,
    "status": ["paid", "paid", "refunded", "paid", "cancelled"]})
MEMBERS = pa.table({
    "community_id": ["g", "g", "h"], "user_key": ["a", "a", "b"],
    "joined_at": pa.array([t(1), t(4), t(1)], T), "left_at": pa.array([t(3), None, t(2)], T)})
COMMUNITIES = pa.table({"community_id": ["g", "h"], "name": ["职场群", "星球"]})
TABLES = {"events": EVENTS, "orders": ORDERS, "memberships": MEMBERS, "communities": COMMUNITIES}


def test_user_summary_and_each_part_equals_its_analysis(store_of):
    store = store_of(TABLES)
    b = user_behavior(store, "a", tz="Asia/Shanghai")
    assert (b.user_key, b.anonymous, b.new_events, b.events) == ("a", False, 0, 7)
    assert b.by_type == {"click": 1, "community_message": 1, "impression": 1, "purchase": 1,
                         "share": 1, "trailer_view": 1, "view": 1}
    assert b.by_platform == {"(none)": 1, "douyin": 5, "wechat": 1}
    assert b.first_seen == "2026-03-02T01:00:00+00:00"
    assert b.last_seen == "2026-03-05T12:00:00+00:00"
    # Shanghai days: Mar 2 (x4), Mar 4 04:00 (the view at Mar 3 20:00 UTC), Mar 4, Mar 5
    assert b.active_days == 3
    assert b.orders == {"orders": 2, "spend": 119.0, "refunds": 99.0, "net_spend": 20.0,
                        "currency": "CNY", "products": ["p1", "p2"],
                        "first_order_at": "2026-03-02T04:00:00+00:00",
                        "last_order_at": "2026-03-04T12:00:00+00:00"}
    assert b.communities == [{"community_id": "g", "name": "职场群",
                              "joined_at": "2026-03-01T12:00:00+00:00", "left_at": None,
                              "member": True, "messages": 1}]
    want = {u["user_key"]: u for u in rfm(store, tz="Asia/Shanghai").users}["a"]
    assert {k: v for k, v in b.rfm.items() if k != "as_of"} == want
    row = {r["user_key"]: r for r in engagement_index(store).rows}["a"]
    assert {k: v for k, v in b.engagement.items() if k != "weights"} == row
    pos = funnel_positions(store).to_pyarrow().to_pylist()
    mine = [p for p in pos if p["user_key"] == "a"]
    assert b.funnel["step"] == mine[0]["step"] == 4 and b.funnel["name"] == "purchase"
    assert b.funnel["steps"][:2] == ["impression", "click"]
    assert b.to_frame()["count"].sum() == 7

    other = user_behavior(store, "b", tz="UTC")
    assert other.rfm is None and other.funnel["step"] == 1
    assert other.communities == [
        {"community_id": "g", "name": "职场群", "joined_at": None, "left_at": None,
         "member": None, "messages": 1},
        {"community_id": "h", "name": "星球", "joined_at": "2026-03-01T12:00:00+00:00",
         "left_at": "2026-03-02T12:00:00+00:00", "member": False, "messages": 0}]
    buyer = user_behavior(store, "c")  # orders only: no events, no engagement, not in funnel
    assert (buyer.events, buyer.first_seen, buyer.engagement) == (0, None, None)
    assert buyer.orders["orders"] == 1 and buyer.rfm["frequency"] == 1
    assert (buyer.funnel["step"], buyer.funnel["name"]) == (0, None)


def test_new_events_are_counted_in_never_stored(store_of):
    store = store_of(TABLES)
    new = [{"ts": "2026-03-06 09:00", "type": "impression", "platform": "douyin"},
           {"ts": "2026-03-06T01:05:00Z", "type": "click", "value": 1},
           {"ts": "2026-03-06 09:10", "type": "share", "post_id": "v1"}]
    v = user_behavior(store, events=new, tz="Asia/Shanghai")
    assert (v.user_key, v.anonymous, v.new_events, v.events) == (ANONYMOUS, True, 3, 3)
    assert v.by_type == {"click": 1, "impression": 1, "share": 1}
    assert v.first_seen == "2026-03-06T01:00:00+00:00"  # 09:00 in Shanghai
    assert (v.funnel["step"], v.funnel["name"]) == (2, "click")
    assert v.rfm is None and v.orders["orders"] == 0 and v.communities == []
    assert store.count("events") == EVENTS.num_rows

    both = user_behavior(store, "a", events=new, tz="Asia/Shanghai")
    assert both.events == 10 and both.new_events == 3 and both.by_type["share"] == 2
    assert both.last_seen == "2026-03-06T01:10:00+00:00"
    assert both.funnel["step"] == 4  # a's entry stays the first impression
    assert store.count("events") == EVENTS.num_rows

    # the engagement index is normalized over every user, as if the events were stored
    for who, got in ((ANONYMOUS, v), ("a", both)):
        stored = pa.table({
            "event_id": ["n1", "n2", "n3"], "ts": pa.array([t(6, 1), t(6, 1, 5), t(6, 1, 10)], T),
            "user_key": [who] * 3, "type": ["impression", "click", "share"],
            "platform": ["douyin", None, None], "post_id": [None, None, "v1"],
            "value": [None, 1.0, None]})
        other = store_of({**TABLES, "events": pa.concat_tables([EVENTS, stored],
                                                                promote_options="default")})
        want = {r["user_key"]: r for r in engagement_index(other).rows}[who]
        assert {k: x for k, x in got.engagement.items() if k != "weights"} == want
    assert v.engagement["shares"] == 1.0 and both.engagement["shares"] == 2.0


@pytest.mark.parametrize(("events", "column", "reason"), [
    ([{"ts": "2026-03-06", "type": "view"}, {"ts": "昨天", "type": "view"}], "events.1.ts",
     "not a valid timestamp"),
    ([{"ts": "2026-03-06", "type": "glance"}], "events.0.type", "not one of the allowed"),
    ([{"type": "view"}], "events.0.ts", "missing required value"),
    ([{"ts": "2026-03-06", "type": "view", "platform": "myspace"}], "events.0.platform",
     "not one of the allowed"),
    ([{"ts": "2026-03-06", "type": "view"}, {"ts": "2026-03-06", "type": "view", "user": "x"}],
     "events.1.user", "not an event field"),
    (["view"], "events.0", "must be an object"),
    ([{"ts": "2026-03-06", "type": "view", "community_id": "g\x00"}], "events.0.community_id",
     "NUL"),
])
def test_bad_events_name_index_and_field(ws, events, column, reason):
    with pytest.raises(InputError, match=reason) as info:
        user_behavior(ws, events=events)
    assert info.value.column == column


def test_bad_calls(ws):
    with pytest.raises(InputError, match="user_key, events or both"):
        user_behavior(ws)
    with pytest.raises(NotFoundError, match="no such user") as info:
        user_behavior(ws, "ghost")
    assert info.value.column == "user_key" and isinstance(info.value, ValueError)
    with pytest.raises(InputError, match="NUL") as info:
        user_behavior(ws, "u\x00")
    assert info.value.column == "user_key"
    with pytest.raises(InputError, match="NUL") as info:
        group_engagement(ws, ["g", "\x00"])
    assert info.value.column == "community_ids.1"
    with pytest.raises(InputError, match="at most"):
        user_behavior(ws, events=[{"ts": "2026-03-06", "type": "view"}] * (MAX_EVENTS + 1))


def test_group_engagement_is_community_health_of_those_communities(store_of):
    store = store_of(TABLES)
    full = community_health(store, period="day", start="2026-03-01", end="2026-03-05",
                            tz="UTC")
    g = group_engagement(store, ["g", "nope", "g"], period="day", start="2026-03-01",
                         end="2026-03-05", tz="UTC")
    assert (g.requested, g.known, g.unknown) == (["g", "nope"], ["g"], ["nope"])
    assert g.rows == [r for r in full.rows if r["community_id"] == "g"] and g.rows
    assert g.latest == [g.rows[-1]] and g.latest[0]["period"] == "2026-03-05"
    both = group_engagement(store, ["h", "g"], period="week", tz="UTC")
    assert both.known == ["h", "g"] and {r["community_id"] for r in both.rows} == {"g", "h"}
    assert [r["community_id"] for r in both.latest] == ["h", "g"]
    with pytest.raises(NotFoundError, match="none of these"):
        group_engagement(store, ["x", "y"])
    with pytest.raises(InputError, match="period"):
        group_engagement(store, ["g"], period="year")
    with pytest.raises(InputError, match="1 to 100"):
        group_engagement(store, [])


def test_counts_and_funnel_agree_with_the_tables_on_the_simulator(sim):
    ev = sim.table("events")
    known = ev.filter(ev.user_key.notnull())
    keys = (known.group_by("user_key").aggregate(n=known.count())
            .order_by(["n", "user_key"]).to_pyarrow().column("user_key").to_pylist())
    pos = {p["user_key"]: p for p in funnel_positions(sim).to_pyarrow().to_pylist()}
    for key in (keys[0], keys[len(keys) // 2], keys[-1]):
        b = user_behavior(sim, key)
        mine = ev.filter(ev.user_key == key).select("type", "platform").to_pyarrow().to_pylist()
        assert b.by_type == dict(Counter(r["type"] for r in mine))
        assert b.by_platform == dict(Counter(r["platform"] or "(none)" for r in mine))
        assert b.events == len(mine)
        assert b.funnel["step"] == (pos[key]["step"] if key in pos else 0)

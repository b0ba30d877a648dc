"""Channel performance on a hand-made business (DuckDB and Spark, identical assertions)
and 分销 commissions on the simulator."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from kpgrowth.analytics.channels import NONE, channel_performance
from kpgrowth.errors import InputError

D = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)


def ts(days: float) -> dt.datetime:
    return D + dt.timedelta(days=days)


ORDERS = pa.table({
    "order_id": ["o1", "o2", "o3", "o4", "o5", "o6", "o7"],
    "ts": pa.array([ts(0), ts(0.1), ts(1), ts(1), ts(2), ts(3), ts(30)], pa.timestamp("us", tz="UTC")),
    "user_key": ["a", "b", "a", "c", "d", "a", "e"], "product_id": ["p"] * 7,
    "amount": [100.0, 200.0, -100.0, 50.0, 300.0, 80.0, 999.0],
    "currency": ["CNY"] * 6 + ["CNY"],
    "status": ["paid", "paid", "refunded", "paid", "paid", "cancelled", "paid"],
    "channel": ["paid", "paid", "paid", "referral", "referral", "paid", "paid"],
    "platform": ["douyin", "douyin", "douyin", "wechat", "wechat", "douyin", "douyin"],
    "campaign_id": ["c1", "c1", "c1", None, None, "c1", "c1"],
    # d's order: referrer r1 whose superior is s1 (20 % + 5 % = 75 commission); c's: r2 only
    "referrer_user_key": [None, None, None, "r2", "r1", None, None],
    "superior_user_key": [None, None, None, None, "s1", None, None],
    "commission": [0.0, 0.0, 0.0, 5.0, 75.0, 0.0, 0.0]})
SPEND = pa.table({
    "campaign_id": ["c1", "c1", "c2", "c1"],
    "date": [dt.date(2026, 1, 10), dt.date(2026, 1, 11), dt.date(2026, 1, 10), dt.date(2026, 3, 1)],
    "platform": ["douyin", "douyin", "weibo", "douyin"], "channel": ["paid", None, None, "paid"],
    "spend": [60.0, 40.0, 25.0, 1000.0], "currency": ["CNY"] * 4})
CAMPAIGNS = pa.table({"campaign_id": ["c1", "c2"], "name": ["抖音信息流", "微博粉丝通"],
                      "channel": ["paid", "paid"], "platform": ["douyin", "weibo"]})
MEMBERS = pa.table({  # a is in g1 for the whole time; d joins g1 after the order; c left g2 before
    "community_id": ["g1", "g1", "g2"], "user_key": ["a", "d", "c"],
    "joined_at": pa.array([ts(-5), ts(2.5), ts(-9)], pa.timestamp("us", tz="UTC")),
    "left_at": pa.array([None, None, ts(0.5)], pa.timestamp("us", tz="UTC"))})
EVENTS = pa.table({
    "event_id": ["e1", "e2", "e3"], "user_key": ["a", "b", "b"], "type": ["click", "click", "view"],
    "ts": pa.array([ts(-1), ts(-0.5), ts(0.05)], pa.timestamp("us", tz="UTC")),
    "post_id": ["pA", "pA", "pB"], "platform": ["douyin"] * 3})


def rows_by_key(res, *, tier=None):
    return {r["key"]: r for r in res.rows if tier is None or r["tier"] == tier}


def test_performance_roi_roas_tiers_and_communities(store_of):
    store = store_of({"orders": ORDERS, "spend": SPEND, "campaigns": CAMPAIGNS,
                      "memberships": MEMBERS, "events": EVENTS})
    period = {"start": "2026-01-10", "end": "2026-01-20"}  # o7 and March spend are outside
    # by campaign: c1 has o1 + o2 paid (300), o3 refunded (100), spend 60 + 40
    camp = rows_by_key(channel_performance(store, by="campaign", **period))
    c1 = camp["c1"]
    assert (c1["orders"], c1["buyers"], c1["gross_revenue"], c1["refunds"], c1["revenue"]) == \
        (2, 2, 300.0, 100.0, 200.0)
    assert (c1["spend"], c1["cost"], c1["name"]) == (100.0, 100.0, "抖音信息流")
    assert c1["roi"] == pytest.approx((200 - 100) / 100) and c1["roas"] == pytest.approx(2.0)
    assert c1["cpa"] == pytest.approx(50.0)
    # c2 spent 25 and sold nothing: ROI -1, ROAS 0; orders without a campaign are "(none)"
    assert camp["c2"]["roi"] == pytest.approx(-1.0) and camp["c2"]["roas"] == 0.0
    none = camp[NONE]
    assert (none["orders"], none["revenue"], none["commission"], none["spend"]) == (2, 350.0, 80.0, 0.0)
    assert none["roi"] == pytest.approx((350 - 80) / 80) and none["roas"] is None
    # by platform and by channel (spend.channel, else the campaign's channel)
    plat = rows_by_key(channel_performance(store, by="platform", **period))
    assert plat["douyin"]["revenue"] == 200.0 and plat["weibo"]["spend"] == 25.0
    chan = rows_by_key(channel_performance(store, by="channel", **period))
    assert chan["paid"]["spend"] == 125.0 and chan["referral"]["commission"] == 80.0
    # promoters: first tier and second tier shown separately; 5 % of 300 to the superior
    prom = channel_performance(store, by="promoter", superior_rate=0.05, **period)
    ref, sup = rows_by_key(prom, tier="referrer"), rows_by_key(prom, tier="superior")
    assert (ref["r1"]["orders"], ref["r1"]["revenue"], ref["r1"]["commission"]) == (1, 300.0, 60.0)
    assert (ref["r2"]["commission"], sup["s1"]["revenue"], sup["s1"]["commission"]) == (5.0, 300.0, 15.0)
    assert set(sup) == {"s1"} and ref["r1"]["roi"] == pytest.approx((300 - 60) / 60)
    no_rate = rows_by_key(channel_performance(store, by="promoter", **period), tier="superior")
    assert no_rate["s1"]["commission"] is None
    # communities: a was a member at o1 (100; its refund o3 too); d joined after buying;
    # c had left g2 before o4. Members overlapping the period: g1 {a, d}, g2 {c}
    com = rows_by_key(channel_performance(store, by="community", **period))
    assert (com["g1"]["orders"], com["g1"]["revenue"], com["g1"]["members"]) == (1, 0.0, 2)
    assert com["g1"]["refunds"] == 100.0 and com["g1"]["conversion"] == 0.5
    assert "g2" not in com or com["g2"]["orders"] == 0
    # posts: a's order goes to pA (click); b's last post click is pA too (pB was a view)
    post = rows_by_key(channel_performance(store, by="post", **period))
    assert post == {"pA": post["pA"]} and (post["pA"]["orders"], post["pA"]["revenue"]) == (2, 300.0)
    res = channel_performance(store, by="campaign", **period)
    assert res.totals["orders"] == 4 and res.totals["revenue"] == 550.0
    assert list(res.to_frame().columns)[:3] == ["key", "name", "tier"]
    assert res.figure().data


def test_commissions_recover_the_simulated_promoter_rates(sim):
    """Tier-1 commission / revenue equals each promoter's true rate (truth_promoters)."""
    truth = {r["user_key"]: r for r in sim.table("truth_promoters").to_pyarrow().to_pylist()}
    res = channel_performance(sim, by="promoter", superior_rate=0.05)
    referrers = [r for r in res.rows if r["tier"] == "referrer" and r["gross_revenue"] > 0]
    assert len(referrers) >= 5
    for r in referrers:
        assert r["commission"] / r["gross_revenue"] == pytest.approx(
            truth[r["key"]]["commission_rate"], abs=0.002)
    for r in res.rows:
        if r["tier"] == "superior":
            assert truth[r["key"]]["tier"] > 1 or truth[r["key"]]["superior_user_key"] is None


def test_unknown_dimension_is_an_input_error(store_of):
    with pytest.raises(InputError, match="unknown channel dimension 'kol'"):
        channel_performance(store_of({}), by="kol")

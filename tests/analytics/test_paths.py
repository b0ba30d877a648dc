"""Paths to purchase: exact counts on a hand-made log (DuckDB and Spark, same assertions) and a
check on the simulated business."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from kpgrowth.analytics.paths import purchase_paths
from kpgrowth.errors import InputError

T0 = dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC)
TS = pa.timestamp("us", tz="UTC")
LONG = ["impression", "view", "click", "landing", "trailer_view", "add_to_cart", "coupon_claim"]

# (user, days from T0, type, platform); one situation per user
EVENTS = [
    # u1: repeated impressions collapse -> impression > click > trailer_view
    ("u1", -5, "impression", "douyin"), ("u1", -4, "impression", "douyin"),
    ("u1", -3, "click", "douyin"), ("u1", -1, "trailer_view", "douyin"),
    ("u1", -0.5, "like", "douyin"),                      # not a touch type
    ("u2", -2, "impression", "weibo"), ("u2", -1, "click", "weibo"),
    ("u3", -40, "impression", "douyin"), ("u3", -2, "click", "douyin"),  # 40 d: outside 30 d
    # u5 buys twice: the second path starts after the first purchase
    ("u5", -10, "impression", "douyin"), ("u5", -9, "click", "douyin"),
    ("u5", -5, "landing", "wechat"),
    ("u6", -2, "impression", "douyin"), ("u6", -1, "click", "douyin"),  # never buys
    ("u7", -1, "click", "douyin"),                                       # never buys
    *[("u8", -8 + i, t, "douyin") for i, t in enumerate(LONG)],          # 7 steps
    ("u9", -2, "impression", "douyin"), ("u9", -1, "click", "douyin"),  # cancelled order
    ("u10", -1, "impression", "xiaohongshu"), ("u10", 0, "purchase", "xiaohongshu"),
]
ORDERS = [("u1", 0, "paid"), ("u2", 0, "paid"), ("u3", 0, "paid"), ("u4", 0, "paid"),
          ("u5", -8, "paid"), ("u5", 0, "paid"), ("u8", 0, "paid"), ("u9", 0, "cancelled")]


def _tables() -> dict[str, pa.Table]:
    at = lambda d: T0 + dt.timedelta(days=d)
    ev = pa.table({
        "event_id": [f"e{i:03d}" for i in range(len(EVENTS))],
        "ts": pa.array([at(r[1]) for r in EVENTS], TS), "user_key": [r[0] for r in EVENTS],
        "type": [r[2] for r in EVENTS], "platform": [r[3] for r in EVENTS],
        "value": [49.0 if r[2] == "purchase" else None for r in EVENTS]})
    od = pa.table({
        "order_id": [f"o{i}" for i in range(len(ORDERS))],
        "ts": pa.array([at(r[1]) for r in ORDERS], TS), "user_key": [r[0] for r in ORDERS],
        "product_id": ["p1"] * len(ORDERS), "amount": [100.0] * len(ORDERS),
        "currency": ["CNY"] * len(ORDERS), "status": [r[2] for r in ORDERS]})
    return {"events": ev, "orders": od}


def _table(res) -> dict[str, tuple]:
    return {r["path"]: (r["purchases"], r["non_converting"]) for r in res.rows}


def test_paths_by_event_type(store_of):
    store = store_of(_tables())
    res = purchase_paths(store, tz="UTC")
    assert (res.purchases, res.without_touch, res.distinct_paths) == (7, 1, 5)  # u4: no touch
    long6 = "… > " + " > ".join(LONG[1:])
    assert _table(res) == {
        "impression > click": (2, 2),            # u2, u5's first; u6 and u9 never bought
        "impression > click > trailer_view": (1, 0), "click": (1, 1), "landing": (1, 0),
        long6: (1, 0)}
    rows = res.rows
    assert [r["path"] for r in rows] == ["impression > click",
                                         "impression > click > trailer_view", "landing",
                                         long6, "click"]  # ties: fewer non-converting first
    top = rows[0]
    assert (top["rank"], top["share"], top["conversion_rate"], top["revenue"]) == (
        1, pytest.approx(2 / 7), 0.5, 200.0)
    assert top["steps"] == ["impression", "click"]
    assert sum(r["purchases"] for r in rows) + res.without_touch == res.purchases

    # truncation, top, and no collapsing
    res = purchase_paths(store, tz="UTC", max_steps=3, top=2)
    assert [r["path"] for r in res.rows] == ["impression > click",
                                             "impression > click > trailer_view"]
    assert _table(purchase_paths(store, tz="UTC", max_steps=3))[
        "… > trailer_view > add_to_cart > coupon_claim"] == (1, 0)
    assert _table(purchase_paths(store, tz="UTC", collapse=False))[
        "impression > impression > click > trailer_view"] == (1, 0)


def test_paths_by_platform_window_and_purchase_events(store_of):
    store = store_of(_tables())
    res = purchase_paths(store, step="platform", tz="UTC")
    assert _table(res) == {"douyin": (4, 3), "weibo": (1, 0), "wechat": (1, 0)}
    assert res.rows[0]["conversion_rate"] == round(4 / 7, 3)
    # 3-day lookback (inclusive): u1's impressions, u5's landing (before its second order)
    # and u8's first five steps fall out; u5's second order is left without a touch
    res = purchase_paths(store, step="type@platform", tz="UTC", lookback="3d")
    assert _table(res) == {"impression@weibo > click@weibo": (1, 0),
                           "click@douyin > trailer_view@douyin": (1, 0),
                           "click@douyin": (1, 1),                       # u3; u7 never buys
                           "impression@douyin > click@douyin": (1, 2),   # u5's first; u6, u9
                           "add_to_cart@douyin > coupon_claim@douyin": (1, 0)}
    assert res.without_touch == 2  # u4 and u5's second order
    # purchases of one local day only: u5's first order is out, its touches still count
    day = T0.date().isoformat()
    res = purchase_paths(store, start=day, end=day, tz="UTC")
    assert (res.purchases, res.without_touch) == (6, 1)
    assert _table(res)["landing"] == (1, 0)
    # purchase events instead of orders: only u10 bought
    res = purchase_paths(store, conversion="purchase", tz="UTC")
    assert (res.purchases, res.without_touch) == (1, 0)
    assert [(r["path"], r["purchases"], r["revenue"]) for r in res.rows] == [
        ("impression", 1, 49.0)]


def test_figures_dict_and_bad_input(store_of):
    store = store_of(_tables())
    res = purchase_paths(store, tz="UTC")
    assert len(res.figure().data[0].y) == 5
    sankey = res.figure(kind="sankey").data[0]
    assert "purchase" in sankey.node.label and sum(sankey.link.value) >= res.rows[0]["purchases"]
    assert res.to_frame().shape == (5, 8) and res.to_dict()["purchases"] == 7
    for kwargs, word in [({"top": 0}, "top"), ({"step": "kol"}, "step"),
                         ({"touch_types": ["purchase"]}, "purchases end paths"),
                         ({"touch_types": ["clik"]}, "unknown touch"),
                         ({"max_steps": 0}, "max_steps"), ({"conversion": "refund"}, "orders"),
                         ({"lookback": "forever"}, "lookback")]:
        with pytest.raises(InputError, match=word):
            purchase_paths(store, **kwargs)
    with pytest.raises(InputError):
        res.figure(kind="pie")


def test_simulated_paths_follow_the_funnel(sim):
    """On the simulator every purchase follows a session click → landing → trailer_view →
    add_to_cart (except the coupon campaign's direct purchases), so with steps = event types
    the top paths end in that sequence, and the non-converting journeys make the conversion
    rate of a path that ends at add_to_cart much higher than one that ends at a click."""
    res = purchase_paths(sim, top=20, max_steps=4)
    assert res.purchases > 50 and res.rows
    assert sum(r["purchases"] for r in res.rows) + res.without_touch <= res.purchases
    funnel_tail = "click > landing > trailer_view > add_to_cart"
    share = sum(r["share"] for r in res.rows if r["path"].endswith("trailer_view > add_to_cart"))
    print(f"{res.purchases} purchases, {res.without_touch} without touch, "
          f"{res.distinct_paths} paths; top: {[(r['path'], r['purchases']) for r in res.rows[:3]]}"
          f"; share ending with the funnel tail {share:.2f}")
    assert res.rows[0]["path"].endswith("add_to_cart")
    assert share > 0.5
    rates = {r["path"]: r["conversion_rate"] for r in res.rows}
    assert rates.get(f"… > {funnel_tail}", rates.get(funnel_tail, 0)) > 0.2

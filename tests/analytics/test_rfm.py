"""RFM scores and segments: exact on a hand-made business (DuckDB and Spark), sane on the
simulator."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from kpgrowth.analytics.rfm import SEGMENTS, rfm, segment_of
from kpgrowth.errors import InputError

D = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
TS = pa.timestamp("us", tz="UTC")

# (user, day, amount, status, currency)
_ORDERS = [
    ("a", 0, 100.0, "paid", "CNY"), ("a", 9, 200.0, "paid", "CNY"),
    ("b", 2, 50.0, "paid", "CNY"),
    ("c", 5, 80.0, "paid", "CNY"), ("c", 6, 80.0, "paid", "CNY"), ("c", 7, 80.0, "paid", "CNY"),
    ("c", 8, -80.0, "refunded", "CNY"),
    ("d", 1, 500.0, "paid", "CNY"),
    ("e", 9, 30.0, "paid", "CNY"), ("e", 9, 1000.0, "cancelled", "CNY"),
    ("f", 3, -20.0, "refunded", "CNY"),  # refund only: not a buyer
    ("g", 9, 999.0, "paid", "USD"),      # other currency: left out
]
ORDERS = pa.table({
    "order_id": [f"o{i}" for i in range(len(_ORDERS))],
    "ts": pa.array([D + dt.timedelta(days=r[1]) for r in _ORDERS], TS),
    "user_key": [r[0] for r in _ORDERS], "product_id": ["p"] * len(_ORDERS),
    "amount": [r[2] for r in _ORDERS], "status": [r[3] for r in _ORDERS],
    "currency": [r[4] for r in _ORDERS]})


def test_rfm_exact_scores_and_segments(store_of):
    res = rfm(store_of({"orders": ORDERS}), currency="CNY", tz="UTC")
    assert res.as_of == "2026-01-19"
    got = {u["user_key"]: u for u in res.users}
    assert set(got) == set("abcde")
    # recency: days to 2026-01-19; frequency: paid orders; monetary: paid - refunds
    assert {k: (u["recency"], u["frequency"], u["monetary"]) for k, u in got.items()} == {
        "a": (0, 2, 300.0), "b": (7, 1, 50.0), "c": (2, 3, 160.0), "d": (8, 1, 500.0),
        "e": (0, 1, 30.0)}
    # ties (a, e on recency; b, d, e on frequency) share the lowest score of their value
    assert {k: u["code"] for k, u in got.items()} == {
        "a": "444", "b": "212", "c": "353", "d": "115", "e": "411"}
    assert {k: u["segment"] for k, u in got.items()} == {
        "a": "Champions", "b": "Hibernating", "c": "Loyal", "d": "At risk", "e": "New"}
    assert got["d"]["segment_zh"] == "流失风险"
    seg = {s["segment"]: s for s in res.segments}
    assert list(seg) == list(SEGMENTS)
    assert seg["At risk"]["revenue_share"] == pytest.approx(500 / 1040)
    assert sum(s["users"] for s in res.segments) == 5
    assert res.to_frame().shape == (5, 11)
    assert res.to_dict()["as_of"] == "2026-01-19"


def test_rfm_as_of_and_validation(store_of):
    store = store_of({"orders": ORDERS})
    res = rfm(store, as_of="2026-01-15", currency="CNY", tz="UTC")
    got = {u["user_key"]: (u["recency"], u["frequency"], u["monetary"]) for u in res.users}
    assert got == {"a": (5, 1, 100.0), "b": (3, 1, 50.0), "c": (0, 1, 80.0), "d": (4, 1, 500.0)}
    assert {u["user_key"]: u["r"] for u in res.users} == {"a": 1, "d": 2, "b": 3, "c": 4}
    with pytest.raises(InputError):
        rfm(store, bins=1)
    with pytest.raises(InputError):
        rfm(store, as_of="yesterday")


test_rfm_as_of_and_validation = pytest.mark.parametrize(
    "store_of", ["duckdb"], indirect=True)(test_rfm_as_of_and_validation)


def test_segment_rules_cover_every_code():
    for r in range(1, 6):
        for f in range(1, 6):
            for m in range(1, 6):
                assert segment_of(r, f, m) in SEGMENTS
    assert segment_of(5, 4, 4) == "Champions" and segment_of(2, 5, 5) == "At risk"
    assert segment_of(1, 5, 5) == "Can't lose" and segment_of(3, 1, 1) == "Potential loyalist"


def test_rfm_on_simulator(sim):
    res = rfm(sim)
    o = sim.table("orders")
    paid = o.filter((o.status == "paid") & (o.currency == res.currency))
    assert len(res.users) == paid.user_key.nunique().execute()
    assert all(1 <= u[s] <= 5 for u in res.users for s in "rfm")
    assert sum(s["revenue_share"] for s in res.segments) == pytest.approx(1.0)
    champions = next(s for s in res.segments if s["segment"] == "Champions")
    lost = next(s for s in res.segments if s["segment"] == "Lost")
    assert champions["recency"] < lost["recency"]
    assert res.figure().data


def test_rfm_local_days_in_a_dst_zone_use_the_span_of_the_orders(store_of, monkeypatch):
    import kpgrowth.analytics.rfm as mod
    from kpgrowth.timeutil import DEFAULT_SPAN

    spans = []
    real = mod.local_day
    monkeypatch.setattr(mod, "local_day",
                        lambda ts, tz, span=None: spans.append(span) or real(ts, tz, span))
    # 23:30 on 7 March (EST), 23:30 on 8 March and 00:30 on 9 March (EDT) in New York
    ts = [dt.datetime(2026, 3, d, h, 30, tzinfo=dt.UTC) for d, h in ((8, 4), (9, 3), (9, 4))]
    orders = pa.table({"order_id": ["o1", "o2", "o3"], "ts": pa.array(ts, TS),
                       "user_key": ["a", "b", "b"], "product_id": ["p"] * 3,
                       "amount": [10.0, 20.0, 30.0], "status": ["paid"] * 3,
                       "currency": ["CNY"] * 3})
    res = rfm(store_of({"orders": orders}), currency="CNY", tz="America/New_York")
    assert res.as_of == "2026-03-09"  # a fixed UTC-5 would say 8 March
    got = {u["user_key"]: (u["last_day"], u["recency"], u["frequency"]) for u in res.users}
    assert got == {"a": ("2026-03-07", 2, 1), "b": ("2026-03-09", 0, 2)}
    lo, hi = spans[0]
    assert DEFAULT_SPAN[0] < lo < ts[0].timestamp() and ts[-1].timestamp() < hi < DEFAULT_SPAN[1]
    assert hi - lo < 5 * 86400  # the orders' days (plus a day's margin), not 2001-2040


def test_rfm_refuses_an_unknown_time_zone(store_of):
    with pytest.raises(InputError, match="unknown time zone"):
        rfm(store_of({"orders": ORDERS}), tz="Nowhere/City")


test_rfm_refuses_an_unknown_time_zone = pytest.mark.parametrize(
    "store_of", ["duckdb"], indirect=True)(test_rfm_refuses_an_unknown_time_zone)

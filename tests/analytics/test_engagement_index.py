"""Engagement indices: the formulas on a hand example, bounds as a property, the inputs
from a hand-made store (DuckDB and Spark), and fitted weights on the simulator."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpgrowth.analytics.engagement_index import (
    DEFAULT_WEIGHTS,
    auc,
    engagement_index,
    fit_engagement_weights,
    indices,
    minmax,
)
from kpgrowth.errors import InputError

D = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
TS = pa.timestamp("us", tz="UTC")


def test_indices_hand_example():
    # one user, inputs already in [0, 1]; weights chosen so each index's weights sum to 1
    x = {"C": [0.4], "I": [0.2], "R": [1.0], "Q": [0.5], "T": [0.0]}
    w = {"alpha": 0.5, "beta": 0.3, "gamma": 0.2, "delta": 0.2, "epsilon": 0.5, "zeta": 0.3,
         "eta": 0.6, "theta": 0.1, "xi": 0.3}
    ix = indices(x, w)
    # U  = .5*.4 + .3*.2 + .2*1        = .2 + .06 + .2   = .46
    # R' = .2*.4 + .5*.46 + .3*.5      = .08 + .23 + .15 = .46
    # I' = .6*.46 + .1*1 + .3*0        = .276 + .1       = .376
    assert ix["U"][0] == pytest.approx(0.46)
    assert ix["R_value"][0] == pytest.approx(0.46)
    assert ix["I_value"][0] == pytest.approx(0.376)
    assert minmax([5, 10, 7.5]).tolist() == [0.0, 1.0, 0.5]
    with pytest.raises(InputError):
        indices(x, {"alpha": -1})
    with pytest.raises(InputError):
        indices(x, {"omega": 1})


unit = st.floats(0, 1, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(unit, unit, unit, unit, unit), min_size=1, max_size=20),
       st.lists(st.floats(0.01, 1), min_size=9, max_size=9))
def test_indices_stay_in_unit_interval(rows, raw):
    x = {k: np.array([r[j] for r in rows]) for j, k in enumerate("CIRQT")}
    names = list(DEFAULT_WEIGHTS)
    w = {}
    for g in range(3):  # normalize each index's three weights to sum to 1
        part = raw[3 * g:3 * g + 3]
        w.update({names[3 * g + j]: v / sum(part) for j, v in enumerate(part)})
    for v in indices(x, w).values():
        assert np.all(v >= -1e-12) and np.all(v <= 1 + 1e-12)


def _ev(i, user, type_, day):
    return {"event_id": f"e{i}", "user_key": user, "type": type_,
            "ts": D + dt.timedelta(days=day)}


EVENTS = [("a", "view", 0), ("a", "view", 1), ("a", "lesson_complete", 1),
          ("a", "community_message", 2), ("a", "view", 5),  # after as_of: left out
          ("b", "view", 1), ("b", "share", 2), ("b", "referral_invite", 3),
          ("c", "community_join", 2), ("c", "like", 3), (None, "view", 1)]
ORDERS = pa.table({
    "order_id": ["o1", "o2", "o3"], "user_key": ["a", "b", "b"], "product_id": ["p"] * 3,
    "ts": pa.array([D + dt.timedelta(days=d) for d in (1, 2, 3)], TS),
    "amount": [100.0, 50.0, -50.0], "status": ["paid", "paid", "refunded"],
    "currency": ["CNY"] * 3})


def test_engagement_index_from_store(store_of):
    rows = [_ev(i, *e) for i, e in enumerate(EVENTS)]
    events = pa.table({"event_id": [r["event_id"] for r in rows],
                       "user_key": [r["user_key"] for r in rows],
                       "type": [r["type"] for r in rows],
                       "ts": pa.array([r["ts"] for r in rows], TS)})
    store = store_of({"events": events, "orders": ORDERS})
    res = engagement_index(store, as_of=D + dt.timedelta(days=4), currency="CNY")
    got = {r["user_key"]: r for r in res.rows}
    assert set(got) == {"a", "b", "c"}
    raw = {k: (r["views"], r["community"], r["shares"], r["net_paid"], r["tenure_days"])
           for k, r in got.items()}
    assert raw == {"a": (3, 1, 0, 100.0, 4.0), "b": (1, 0, 2, 0.0, 3.0), "c": (0, 1, 0, 0.0, 2.0)}
    # C = (1, 1/3, 0), I = (1, 0, 1), R = (0, 1, 0), Q = (1, 0, 0), T = (1, 1/2, 0)
    expect = {"a": (2 / 3, 8 / 9, 5 / 9), "b": (4 / 9, 7 / 27, 35 / 54), "c": (1 / 3, 1 / 9, 1 / 9)}
    for k, (u, r, i) in expect.items():
        assert (got[k]["U"], got[k]["R_value"], got[k]["I_value"]) == pytest.approx((u, r, i))
    assert [r["user_key"] for r in res.rows] == ["a", "b", "c"]
    assert res.to_frame().shape == (3, 14)


def test_auc_and_fit_validation(sim):
    assert auc([0, 1, 0, 1], [1, 2, 3, 4]) == 0.75
    with pytest.raises(InputError):
        fit_engagement_weights(sim, target="refund")
    with pytest.raises(InputError):
        fit_engagement_weights(sim, horizon_days=0)


def test_fitted_weights_beat_hand_weights_on_simulator(sim):
    fit = fit_engagement_weights(sim, horizon_days=14, seed=0)
    print(f"\nAUC fitted {fit.auc_fitted:.4f} vs hand {fit.auc_hand:.4f}; "
          f"weights {fit.weights}; users {fit.n_users}, positive rate {fit.positive_rate:.3f}")
    assert all(v >= 0 for v in fit.weights.values())
    assert sum(fit.weights.values()) == pytest.approx(1.0)
    assert fit.auc_fitted > 0.6
    assert fit.auc_fitted >= fit.auc_hand - 0.01
    assert fit.to_dict()["horizon_days"] == 14
    assert fit.figure().data

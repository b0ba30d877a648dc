"""Attribution: exact credits on hand-made paths, data-driven models solved by hand, the
property that credits add up, and recovery of the simulator's true channel shares.

Every store test runs on DuckDB and on Spark with the same assertions (``store_of``).
"""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpgrowth.analytics.attribution import MODELS, attribute, compare_models, parse_lookback
from kpgrowth.analytics.attribution_data_driven import (
    markov_removal_effects,
    markov_shares,
    shapley_values,
)
from kpgrowth.errors import InputError

T0 = dt.datetime(2026, 1, 20, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def events(rows: list[tuple]) -> pa.Table:
    """rows: (user, days from T0, campaign_id, platform[, type[, properties]])."""
    rows = [(*r, "click", None)[:6] if len(r) == 4 else (*r, None) if len(r) == 5 else r
            for r in rows]
    return pa.table({
        "event_id": [f"e{i:03d}" for i in range(len(rows))],
        "ts": pa.array([at(r[1]) for r in rows], pa.timestamp("us", tz="UTC")),
        "user_key": [r[0] for r in rows], "type": [r[4] for r in rows],
        "campaign_id": [r[2] for r in rows], "platform": [r[3] for r in rows],
        "properties": [r[5] for r in rows]})


def orders(rows: list[tuple]) -> pa.Table:
    """rows: (user, days from T0, amount[, status[, channel]])."""
    rows = [(*r, "paid", None)[:5] if len(r) == 3 else (*r, None) if len(r) == 4 else r
            for r in rows]
    return pa.table({
        "order_id": [f"o{i:03d}" for i in range(len(rows))],
        "ts": pa.array([at(r[1]) for r in rows], pa.timestamp("us", tz="UTC")),
        "user_key": [r[0] for r in rows], "product_id": ["p1"] * len(rows),
        "amount": [r[2] for r in rows], "currency": ["CNY"] * len(rows),
        "status": [r[3] for r in rows], "channel": [r[4] for r in rows]})


# One scenario per user, each with its own campaign ids, so per-channel credits are per path.
RULE_EVENTS = [
    ("u1", -1, "a1", "douyin"),                                             # single touch
    ("u2", -10, "b1", "douyin"), ("u2", -3, "b2", "weibo"), ("u2", -1, "b3", "wechat"),
    ("u3", -31, "c_old", "douyin"), ("u3", -2, "c1", "douyin"),             # c_old outside 30d
    ("u4", -2, "d1", "douyin"), ("u4", -1, "d2", "weibo"),                  # two touches
    ("u5", -40, "e_old", "douyin"),                                         # no touch in window
    ("u6", -5, "f1", "douyin"), ("u6", -4, "f1", "douyin"), ("u6", -3, "f2", "weibo"),
    ("u6", -1, "f3", "wechat"),                        # f1 f1 collapse; order at -2 resets
    ("u7", -1, "g1", "douyin"),                        # only refunded / renewal orders
    ("u8", -1, "h1", "douyin", "like"),                # not a touch type
]
RULE_ORDERS = [("u1", 0, 100.0), ("u2", 0, 200.0), ("u3", 0, 50.0), ("u4", 0, 80.0),
               ("u5", 0, 30.0), ("u6", -2, 10.0), ("u6", 0, 20.0),
               ("u7", 0, -100.0, "refunded"), ("u7", 0.5, 99.0, "paid", "renewal"),
               ("u8", 0, 5.0, "cancelled")]

# time decay, half-life 7 days, u2's touches 10, 3 and 1 days before the order:
# w = 2^(-10/7), 2^(-3/7), 2^(-1/7) = 0.3715, 0.7430, 0.9057, normalised: 0.1850, 0.3700, 0.4450
_W = [2 ** (-10 / 7), 2 ** (-3 / 7), 2 ** (-1 / 7)]
_TD = [w / sum(_W) for w in _W]
EXPECTED = {  # model -> channel -> credited orders (every path's total is 1)
    "first": {"a1": 1, "b1": 1, "c1": 1, "d1": 1, "f1": 1, "f3": 1},
    "last": {"a1": 1, "b3": 1, "c1": 1, "d2": 1, "f2": 1, "f3": 1},
    "linear": {"a1": 1, "b1": 1 / 3, "b2": 1 / 3, "b3": 1 / 3, "c1": 1, "d1": 0.5, "d2": 0.5,
               "f1": 0.5, "f2": 0.5, "f3": 1},
    "time_decay": {"a1": 1, "b1": _TD[0], "b2": _TD[1], "b3": _TD[2], "c1": 1,
                   # u4: 2^(-2/7) / (2^(-2/7) + 2^(-1/7)); u6's first order (day -2): the f1
                   # run counts at its last touch (day -4), 2 days before; f2 1 day before
                   "d1": 2 ** (-2 / 7) / (2 ** (-2 / 7) + 2 ** (-1 / 7)),
                   "d2": 2 ** (-1 / 7) / (2 ** (-2 / 7) + 2 ** (-1 / 7)),
                   "f1": 2 ** (-2 / 7) / (2 ** (-2 / 7) + 2 ** (-1 / 7)),
                   "f2": 2 ** (-1 / 7) / (2 ** (-2 / 7) + 2 ** (-1 / 7)), "f3": 1},
    "position": {"a1": 1, "b1": 0.4, "b2": 0.2, "b3": 0.4, "c1": 1, "d1": 0.5, "d2": 0.5,
                 "f1": 0.5, "f2": 0.5, "f3": 1},
}
AMOUNT = {"a": 100, "b": 200, "c": 50, "d": 80}


def test_rule_models_give_exact_credits(store_of):
    store = store_of({"events": events(RULE_EVENTS), "orders": orders(RULE_ORDERS)})
    cmp = compare_models(store, models=list(EXPECTED), dimension="campaign")
    assert cmp.attributed_orders == 6 and cmp.unattributed_orders == 1  # u5
    for model, want in EXPECTED.items():
        res = cmp.result(model)
        got = {r["channel"]: r["orders"] for r in res.rows}
        assert got == pytest.approx(want, abs=1e-9), model
        rev = {r["channel"]: r["revenue"] for r in res.rows}
        for ch, credit in want.items():  # u6's first order is 10, the second 20
            amount = AMOUNT.get(ch[0]) or {"f1": 10, "f2": 10, "f3": 20}[ch]
            assert rev[ch] == pytest.approx(round(credit * amount, 2), abs=0.011), (model, ch)
        assert res.attributed_revenue == 460.0 and res.unattributed_revenue == 30.0
    # one call checks the period and collapse=False: only u6's first order (local day
    # 2026-01-18 in UTC) is in the period; its raw path f1 f1 f2 gives f1 2/3 under linear
    raw = attribute(store, model="linear", dimension="campaign", collapse=False, end="2026-01-18")
    assert raw.attributed_orders == 1 and raw.unattributed_orders == 0
    assert raw.shares() == pytest.approx({"f1": 2 / 3, "f2": 1 / 3})


# Data-driven fixture. Campaign paths: A>B converts, A does not, B converts, C>D converts
# (m5 and m6 have no campaign). Platform paths are symmetric in weibo <-> douyin:
# weibo>douyin conv, douyin>weibo conv, weibo conv, douyin conv, weibo null, douyin null.
DD_EVENTS = [("m1", -2, "A", "weibo"), ("m1", -1, "B", "douyin"), ("m2", -1, "A", "weibo"),
             ("m3", -1, "B", "douyin"), ("m4", -2, "C", "douyin"), ("m4", -1, "D", "weibo"),
             ("m5", -1, None, "weibo"), ("m6", -1, None, "douyin")]
DD_ORDERS = [("m1", 0, 100.0), ("m3", 0, 100.0), ("m4", 0, 100.0), ("m5", 0, 100.0)]


def test_markov_and_shapley_match_hand_computation(store_of):
    store = store_of({"events": events(DD_EVENTS), "orders": orders(DD_ORDERS)})
    cmp = compare_models(store, models=["markov", "shapley"], dimension="campaign")
    # Markov by hand. Transitions: start->A 2, start->B 1, start->C 1; A->B 1, A->null 1;
    # B->conv 2; C->D 1; D->conv 1. P(conv) = 2/4*1/2 + 1/4 + 1/4 = 3/4.
    # Without A: 1/4 + 1/4 = 1/2 -> RE_A = 1 - (1/2)/(3/4) = 1/3. Without B: only C>D
    # converts, 1/4 -> RE_B = 2/3. Without C (or D): 1/2 -> RE = 1/3.
    # Shares = RE / (5/3): A 1/5, B 2/5, C 1/5, D 1/5, of 3 attributed orders.
    mk = cmp.result("markov")
    re = mk.params["removal_effects"]
    assert re == pytest.approx({"A": 1 / 3, "B": 2 / 3, "C": 1 / 3, "D": 1 / 3})
    assert {r["channel"]: r["orders"] for r in mk.rows} == pytest.approx(
        {"A": 0.6, "B": 1.2, "C": 0.6, "D": 0.6})
    assert mk.attributed_orders == 3 and mk.unattributed_orders == 1  # m5 has no campaign
    # Shapley by hand: v({A,B}) = 2, v({B}) = 1, v({A}) = 0 -> phi_A = (0 + 1)/2, phi_B =
    # (1 + 2)/2; C and D share their path: 1/2 each. Efficiency: 0.5 + 1.5 + 0.5 + 0.5 = 3.
    sh = {r["channel"]: r["orders"] for r in cmp.result("shapley").rows}
    assert sh == pytest.approx({"A": 0.5, "B": 1.5, "C": 0.5, "D": 0.5})
    assert sum(sh.values()) == pytest.approx(3.0)
    # symmetric platform paths (weibo <-> douyin): the same credit to both
    sym = compare_models(store, models=["markov", "shapley"], dimension="platform")
    for model in ("markov", "shapley"):
        got = {r["channel"]: r["orders"] for r in sym.result(model).rows}
        assert got == pytest.approx({"weibo": 2.0, "douyin": 2.0}), model


def test_channel_dimension_reads_properties_then_campaign(store_of):
    ev = events([("x1", -3, None, "douyin", "impression", None),
                 ("x1", -2, None, "douyin", "click", '{"channel": "kol"}'),
                 ("x1", -1, "cmp1", "weibo", "landing", None)])
    cmp = pa.table({"campaign_id": ["cmp1"], "channel": ["paid"]})
    store = store_of({"events": ev, "orders": orders([("x1", 0, 10.0)]), "campaigns": cmp})
    res = attribute(store, model="linear", dimension="channel")
    assert res.shares() == {"kol": 0.5, "paid": 0.5}  # the impression has no channel


def test_data_driven_functions_on_small_examples():
    # the docstring example: A>B conv, A null, B conv -> P = 2/3; RE_A = 1/2, RE_B = 1
    assert markov_removal_effects([("A", "B"), ("A",), ("B",)], [1, 0, 1], [0, 1, 0]) == \
        pytest.approx({"A": 0.5, "B": 1.0})
    # a self-loop (no collapse) does not change removal effects of a one-channel world
    assert markov_shares([("A", "A")], [2], [2]) == {"A": 1.0}
    assert markov_removal_effects([("A",)], [0], [3]) == {"A": 0.0}
    # symmetry and efficiency, and the coalition sum equals the closed form
    paths = [("A", "B"), ("B", "A"), ("A", "C"), ("B", "C"), ("C",)]
    sv = shapley_values(paths, [2, 2, 1, 1, 3])
    assert sv["A"] == pytest.approx(sv["B"]) and sum(sv.values()) == pytest.approx(9)
    assert sv == pytest.approx(shapley_values(paths, [2, 2, 1, 1, 3], exact=False))


def test_bad_parameters_say_what_to_do(store_of):
    store = store_of({})
    with pytest.raises(InputError, match="unknown attribution model 'u_shaped'"):
        attribute(store, model="u_shaped")
    with pytest.raises(InputError, match="dimension"):
        attribute(store, dimension="kol")
    with pytest.raises(InputError, match="lookback"):
        parse_lookback("30 days")
    with pytest.raises(InputError, match="position_weights"):
        attribute(store, model="position", position_weights=(0.5, 0.5, 0.5))


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("uvw"), st.integers(-40, 0), st.sampled_from("PQRS")),
                min_size=1, max_size=14),
       st.lists(st.tuples(st.sampled_from("uvw"), st.integers(-20, 0),
                          st.integers(1, 500).map(float)), min_size=1, max_size=5))
def test_credits_always_add_up_to_attributed_orders(touch_rows, order_rows):
    """Property: every model's credits sum to the attributed orders and their revenue."""
    from kpgrowth.schema import TABLES
    from kpgrowth.store import connect
    from kpgrowth.store.base import conform

    store = connect("duckdb://:memory:")
    for name in ("events", "orders", "campaigns"):
        store.create(TABLES[name], overwrite=True)
    ev = events([(u, d + 0.01 * i, c, "douyin") for i, (u, d, c) in enumerate(touch_rows)])
    od = orders([(u, d + 0.003 * i, a) for i, (u, d, a) in enumerate(order_rows)])
    with store.batch() as b:
        b.append("events", conform(TABLES["events"], ev))
        b.append("orders", conform(TABLES["orders"], od))
    cmp = compare_models(store, dimension="campaign", lookback="10d")
    total = sum(a for _, _, a in order_rows)
    for model in MODELS:
        res = cmp.result(model)
        df = res.to_frame()
        assert df["orders"].sum() == pytest.approx(res.attributed_orders), model
        assert df["revenue"].sum() == pytest.approx(res.attributed_revenue, abs=0.05), model
        assert (df["orders"] >= -1e-12).all(), model
    assert cmp.attributed_orders + cmp.unattributed_orders == len(order_rows)
    assert cmp.result("last").attributed_revenue + cmp.result("last").unattributed_revenue == \
        pytest.approx(total)
    store.close()


# -- the simulator -----------------------------------------------------------------------

SIM_TOLERANCE_SE, SIM_TOLERANCE_ABS = 4.0, 0.02
"""Each channel's attributed share must be within 4 SE + 0.02 of its true expected share
(SE = sqrt(p (1 - p) / N), the sampling error of N realised purchases)."""


def share_errors(shares: dict[str, float], truth: dict[str, float]) -> dict[str, float]:
    """Per-channel |attributed - true| share over the truth's channels (others dropped and
    the rest renormalised: the coupon campaign's ``email`` purchases are not sessions in
    ``truth_channel_purchase``)."""
    kept = {c: shares.get(c, 0.0) for c in truth}
    s = sum(kept.values()) or 1.0
    return {c: abs(kept[c] / s - truth[c]) for c in truth}


def within_tolerance(errors: dict[str, float], truth: dict[str, float], n: float) -> bool:
    return all(errors[c] <= SIM_TOLERANCE_SE * math.sqrt(p * (1 - p) / n) + SIM_TOLERANCE_ABS
               for c, p in truth.items())


def test_recovers_the_simulators_channel_shares(store_of, sim, sim_tables):
    """Touch channel = the session channel recorded on click/landing/trailer events; the truth
    is ``truth_channel_purchase.expected_share`` (expected purchases of each channel's
    sessions). Errors are reported in the session's closing note."""
    truth_t = sim.table("truth_channel_purchase").to_pyarrow().to_pylist()
    truth = {r["channel"]: r["expected_share"] for r in truth_t if r["expected_share"] > 0}
    store = store_of({n: sim_tables[n] for n in ("events", "orders", "campaigns")})
    cmp = compare_models(store, dimension="channel")
    n = cmp.attributed_orders - cmp.result("last").shares().get("email", 0) * cmp.attributed_orders
    assert cmp.unattributed_orders == 0 and n > 200
    report = {}
    for model in MODELS:
        res = cmp.result(model)
        assert sum(r["orders"] for r in res.rows) == pytest.approx(res.attributed_orders)
        err = share_errors(res.shares(), truth)
        report[model] = round(sum(err.values()), 4)
        if model in ("markov", "shapley", "last", "linear"):
            assert within_tolerance(err, truth, n), (model, err)
    # the check can fail: equal credit to every channel, or the truth's shares given to the
    # wrong channels (rotated), are far outside the tolerance
    uniform = dict.fromkeys(truth, 1 / len(truth))
    assert not within_tolerance(share_errors(uniform, truth), truth, n)
    names = sorted(truth)
    rotated = {names[i]: cmp.result("markov").shares().get(names[i - 1], 0) for i in range(len(names))}
    assert not within_tolerance(share_errors(rotated, truth), truth, n)
    print("\ntotal absolute share error vs truth_channel_purchase:", report)

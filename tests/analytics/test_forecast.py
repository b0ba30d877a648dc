"""Forecasting: AR(k) against statsmodels, interval coverage, backtests, daily series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpgrowth.forecast import ARModel, SeasonalNaive, StatsForecastModel, backtest, forecast
from kpgrowth.forecast.series import daily_series


def _ar(phi, n=600, c=3.0, seed=0):
    rng = np.random.default_rng(seed)
    y = np.zeros(n + 100)
    for t in range(len(phi), len(y)):
        y[t] = c + sum(p * y[t - 1 - j] for j, p in enumerate(phi)) + rng.normal()
    return y[100:]


def test_ar_selects_the_true_order_and_matches_statsmodels():
    from statsmodels.tsa.ar_model import AutoReg

    y = _ar([0.5, -0.2, 0.3])
    m = ARModel(max_order=10).fit(y)
    assert m.order_ == 3
    ref = AutoReg(y[10 - 3:], lags=3, trend="c").fit()  # same common sample as ours
    np.testing.assert_allclose(m.coef_, ref.params, rtol=1e-8, atol=1e-10)


def test_ar_intervals_cover_at_their_level():
    y = _ar([0.7], n=3000, seed=3)
    m = ARModel(order=1).fit(y[:1000])
    hits = []
    for t in range(1000, 2999):  # one-step forecasts with the fitted coefficients
        pred = m.coef_[0] + m.coef_[1] * y[t - 1]
        half = 1.2816 * np.sqrt(m.sigma2_)
        hits.append(abs(y[t] - pred) <= half)
    assert 0.77 <= np.mean(hits) <= 0.83


def test_multi_step_intervals_widen_and_revert_to_the_mean():
    m = ARModel(order=1).fit(_ar([0.8], n=800, seed=5))
    fc = m.predict(40, levels=(95,))
    width = (fc["hi-95"] - fc["lo-95"]).to_numpy()
    assert np.all(np.diff(width) >= -1e-12)
    assert abs(fc["mean"].iloc[-1] - m.coef_[0] / (1 - m.coef_[1])) < 0.1


def test_backtest_ranks_a_model_that_uses_the_dynamics_above_the_baseline():
    rng = np.random.default_rng(7)
    n, noise = 420, np.zeros(420)
    for t in range(1, n):
        noise[t] = 0.85 * noise[t - 1] + rng.normal(0, 3)
    y = 200 + 30 * np.sin(2 * np.pi * np.arange(n) / 7) + noise
    res = backtest(y, ("ar", "seasonal_naive"), h=7, windows=8)
    scores = res.to_frame().set_index("model")["mase"]
    assert scores["AR"] < scores["SeasonalNaive"]
    assert res.best == "AR"
    cov = res.to_frame().set_index("model")["coverage"]
    assert 0.6 <= cov["AR"] <= 0.97


def test_seasonal_naive_is_exact_on_a_pure_weekly_pattern():
    y = np.tile([1.0, 5, 3, 8, 2, 9, 4], 20)
    fc = SeasonalNaive(7).fit(y).predict(14)
    np.testing.assert_array_equal(fc["mean"].to_numpy(), y[-7:].tolist() * 2)


def test_statsforecast_wrapper_equals_statsforecast():
    pytest.importorskip("statsforecast", reason="pip install 'kpgrowth[forecast]'")
    from statsforecast.models import AutoETS

    y = 100 + 10 * np.sin(2 * np.pi * np.arange(150) / 7) + np.random.default_rng(2).normal(0, 2, 150)
    ours = StatsForecastModel("ets", season=7).fit(y).predict(10, levels=(80,))
    ref = AutoETS(season_length=7).fit(y).predict(h=10, level=[80])
    np.testing.assert_allclose(ours["mean"], ref["mean"])
    np.testing.assert_allclose(ours["hi-80"], ref["hi-80"])


def test_daily_series_matches_pandas_on_both_backends(store_of, sim_tables):
    orders = sim_tables["orders"]
    store = store_of({"orders": orders})
    got = daily_series(store, "revenue", tz="Asia/Shanghai")
    df = orders.to_pandas()
    df = df[df.status == "paid"]
    day = (pd.to_datetime(df.ts, utc=True) + pd.Timedelta(hours=8)).dt.date
    want = df.assign(day=day).groupby("day")["amount"].apply(lambda s: float(sum(s)))
    want.index = pd.to_datetime(want.index)
    want = want.reindex(pd.date_range(want.index.min(), want.index.max()), fill_value=0.0)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9)
    assert (got.index == want.index).all()


def test_short_history_gets_the_baseline_without_a_backtest(sim):
    res = forecast(sim, "active_users", h=7)  # 30 days: too short to compare models
    assert res.model == "SeasonalNaive" and res.backtest is None
    assert len(res.forecast) == 7
    assert min(r["lo-95"] for r in forecast(sim, "orders", h=14).forecast) >= 0  # counts


def test_auto_forecast_picks_the_backtest_winner():
    from kpgrowth.forecast import forecast_series

    rng = np.random.default_rng(11)
    n, noise = 150, np.zeros(150)
    for t in range(1, n):
        noise[t] = 0.8 * noise[t - 1] + rng.normal(0, 4)
    days = pd.date_range("2026-01-01", periods=n, freq="D")
    y = pd.Series(300 + 40 * np.sin(2 * np.pi * np.arange(n) / 7) + noise, index=days)
    res = forecast_series(y, h=7, metric="active_users")
    assert len(res.forecast) == 7 and res.backtest is not None
    assert res.model in {s["model"] for s in res.backtest.scores}
    assert res.model == res.backtest.best
    for row in res.forecast:
        assert row["lo-95"] <= row["lo-80"] <= row["mean"] <= row["hi-80"] <= row["hi-95"]
    assert res.to_dict()["forecast"][0]["day"] > res.history[-1]["day"]
    assert len(res.figure().data) == 4


def test_forecast_cli_prints_the_forecast(sim, capsys):
    from kpgrowth.cli import main

    main(["forecast", str(sim.root), "--metric", "orders", "--h", "3"])
    text = capsys.readouterr().out
    assert "orders forecast (SeasonalNaive)" in text and "95% interval" in text


def test_post_features_match_pandas_on_both_backends(store_of, sim_tables):
    from kpgrowth.forecast.early import ENGAGEMENT, post_features

    store = store_of({"posts": sim_tables["posts"], "events": sim_tables["events"]})
    got = post_features(store, hours=6, horizon_hours=72).set_index("post_id")
    ev = sim_tables["events"].to_pandas()
    posts = sim_tables["posts"].to_pandas().set_index("post_id")
    ev = ev[ev.post_id.notna() & ev.type.isin(ENGAGEMENT)].join(
        posts[["posted_at"]], on="post_id")
    age = (pd.to_datetime(ev.ts, utc=True) - pd.to_datetime(ev.posted_at, utc=True))
    early = ev[age <= pd.Timedelta(hours=6)].groupby("post_id").size()
    want = early.reindex(got.index, fill_value=0)
    assert (got["early_engagement"] == want).all()
    assert got["final_engagement"].notna().sum() > 0


def test_early_signal_beats_the_baselines_on_the_simulator(sim):
    from kpgrowth.forecast.early import evaluate_early_signal, post_features

    res = evaluate_early_signal(post_features(sim, hours=6, horizon_hours=72))
    s = res.to_frame().set_index("model")
    assert s.loc["early-signal ridge", "mae"] < s.loc["platform median", "mae"]
    assert s.loc["early-signal ridge", "mae"] <= 1.05 * s.loc["median ratio × early", "mae"]
    assert s.loc["early-signal ridge", "spearman"] > 0.6


def test_unknown_platform_or_control_characters_are_input_errors(sim):
    from kpgrowth.errors import InputError

    with pytest.raises(InputError, match="did you mean 'douyin'"):
        daily_series(sim, "orders", platform="douyn")
    with pytest.raises(InputError, match="printable"):
        daily_series(sim, "engagement", post_id="p\x00")

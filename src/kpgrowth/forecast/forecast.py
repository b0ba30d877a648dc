"""Forecast a daily metric with prediction intervals, the model chosen by backtest.

``model="auto"`` backtests AR, AutoETS, AutoARIMA (when ``statsforecast`` is installed)
and the seasonal-naive baseline on rolling origins and forecasts with the lowest MASE —
so a model that cannot beat "same weekday last week" is not used. A history too short
for at least two backtest windows (fewer than ``2h + 3·season + 10`` days) gets the
seasonal-naive forecast and no backtest.

Examples
--------
>>> import numpy as np, pandas as pd
>>> days = pd.date_range("2026-01-01", periods=120, freq="D")
>>> y = pd.Series(100 + 20 * np.sin(2 * np.pi * np.arange(120) / 7), index=days)
>>> res = forecast_series(y, h=7, model="seasonal_naive")
>>> res.model, len(res.forecast), bool(abs(res.forecast[0]["mean"] - y.iloc[-7]) < 1e-9)
('SeasonalNaive', 7, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpgrowth.errors import InputError
from kpgrowth.forecast.backtest import BacktestResult, backtest
from kpgrowth.forecast.models import make_model
from kpgrowth.result import Result


@dataclass
class ForecastResult(Result):
    """History, forecast with intervals, the chosen model and its backtest.

    Attributes
    ----------
    metric : str
        What is forecast.
    model : str
        The model used.
    history : list of dict
        ``day, value``.
    forecast : list of dict
        ``day, mean, lo-80, hi-80, lo-95, hi-95`` (per requested level).
    backtest : BacktestResult, optional
        The comparison that chose the model (``model="auto"``).
    """

    metric: str
    model: str
    history: list[dict[str, Any]]
    forecast: list[dict[str, Any]]
    levels: tuple[int, ...] = (80, 95)
    backtest: BacktestResult | None = field(default=None)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.forecast)

    def to_dict(self) -> dict[str, Any]:
        from kpgrowth.result import jsonable

        return jsonable({"metric": self.metric, "model": self.model, "levels": self.levels,
                         "history": self.history, "forecast": self.forecast,
                         "backtest": self.backtest.scores if self.backtest else None})

    def figure(self) -> Any:
        import plotly.graph_objects as go

        fig = go.Figure()
        fig.add_scatter(x=[r["day"] for r in self.history], y=[r["value"] for r in self.history],
                        name="history", mode="lines")
        days = [r["day"] for r in self.forecast]
        for lv in sorted(self.levels, reverse=True):
            fig.add_scatter(x=days + days[::-1],
                            y=[r[f"hi-{lv}"] for r in self.forecast]
                            + [r[f"lo-{lv}"] for r in self.forecast][::-1],
                            fill="toself", line={"width": 0}, opacity=0.25, name=f"{lv}% interval")
        fig.add_scatter(x=days, y=[r["mean"] for r in self.forecast], name=f"forecast ({self.model})",
                        mode="lines", line={"dash": "dash"})
        fig.update_layout(title=f"{self.metric}: forecast")
        return fig


def _candidates() -> tuple[str, ...]:
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return ("ar", "seasonal_naive")
    return ("ar", "ets", "arima", "seasonal_naive")


def forecast_series(y: Any, *, h: int = 14, model: str = "auto", levels: tuple[int, ...] = (80, 95),
                    season: int = 7, windows: int = 4, metric: str = "value") -> ForecastResult:
    """Forecast the pandas Series ``y`` (daily, indexed by date) ``h`` days ahead."""
    import pandas as pd

    if len(y) == 0:
        raise InputError(f"no data to forecast {metric}", hint="ingest orders/events first")
    bt = None
    fit_windows = min(windows, (len(y) - 3 * season - 10) // h)  # as many as the data allow
    if model == "auto" and fit_windows < 2:
        model = "seasonal_naive"  # too short to compare models honestly: the baseline
    if model == "auto":
        try:
            bt = backtest(y.to_numpy(), _candidates(), h=h, windows=fit_windows, season=season,
                          level=levels[0])
            model = {"AR": "ar", "AutoETS": "ets", "AutoARIMA": "arima",
                     "SeasonalNaive": "seasonal_naive"}[bt.best]
        except InputError:  # too short to backtest: the baseline
            model = "seasonal_naive"
    fitted = make_model(model, season=season).fit(y.to_numpy())
    fc = fitted.predict(h, levels=levels)
    if float(y.min()) >= 0:  # counts and revenue: no negative forecasts or bounds
        fc = fc.clip(lower=0.0)
    start = pd.Timestamp(y.index[-1]) + pd.Timedelta(days=1)
    fc.index = pd.date_range(start, periods=h, freq="D")
    rows = [{"day": d.date().isoformat(), **{k: float(v) for k, v in r.items()}}
            for d, r in fc.iterrows()]
    hist = [{"day": pd.Timestamp(d).date().isoformat(), "value": float(v)} for d, v in y.items()]
    return ForecastResult(metric, fitted.name, hist, rows, tuple(levels), bt)


def forecast(source: Any, metric: str = "revenue", *, h: int = 14, model: str = "auto",
             levels: tuple[int, ...] = (80, 95), platform: str | None = None,
             post_id: str | None = None, product_id: str | None = None) -> ForecastResult:
    """Forecast a workspace metric (see :func:`kpgrowth.forecast.series.daily_series`)."""
    from kpgrowth.forecast.series import daily_series

    y = daily_series(source, metric, platform=platform, post_id=post_id, product_id=product_id)
    return forecast_series(y, h=h, model=model, levels=levels, metric=metric)

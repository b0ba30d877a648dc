"""Rolling-origin backtests: MASE and prediction-interval coverage per model.

The last ``windows`` origins are spaced ``h`` apart; at each origin every model is
fitted on the history before it and forecasts the next ``h`` points. MASE divides the
forecast's mean absolute error by the in-sample mean absolute error of the seasonal
naive forecast on that training history (Hyndman & Koehler 2006), so MASE < 1 beats
"same weekday last week" on average. Coverage is the share of actual points inside
the ``level`` % interval (80 % intervals should cover about 80 %).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> t = np.arange(200)
>>> y = 50 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, 200)
>>> res = backtest(y, models=("ar", "seasonal_naive"), h=7, windows=4)
>>> res.to_frame()[["model", "windows"]].values.tolist()
[['AR', 4], ['SeasonalNaive', 4]]
>>> bool(res.to_frame().set_index("model").loc["AR", "mase"] < 1.2)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kpgrowth.errors import InputError
from kpgrowth.forecast.models import make_model
from kpgrowth.result import Result


@dataclass
class BacktestResult(Result):
    """MASE and coverage per model over rolling origins.

    Attributes
    ----------
    scores : list of dict
        ``model, mase, coverage, windows`` — mean MASE over windows, pooled coverage.
    windows : list of dict
        ``model, origin, mase, coverage`` for every window.
    h, level, season : int
        Horizon, interval level (%), season length.
    """

    scores: list[dict[str, Any]]
    windows: list[dict[str, Any]] = field(default_factory=list)
    h: int = 14
    level: int = 80
    season: int = 7

    @property
    def best(self) -> str:
        """The model with the lowest mean MASE."""
        return min(self.scores, key=lambda s: s["mase"])["model"]

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.scores, columns=["model", "mase", "coverage", "windows"])

    def figure(self) -> Any:
        import plotly.express as px

        fig = px.bar(self.to_frame(), x="model", y="mase", text="mase")
        fig.add_hline(y=1.0, line_dash="dot", annotation_text="seasonal naive")
        fig.update_layout(title=f"Backtest MASE (h={self.h}, {self.scores[0]['windows'] if self.scores else 0} origins)")
        return fig


def mase_scale(train: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive forecast (falls back to lag 1, then 1.0)."""
    for lag in (season, 1):
        if len(train) > lag:
            scale = float(np.mean(np.abs(train[lag:] - train[:-lag])))
            if scale > 0:
                return scale
    return 1.0


def backtest(y: Any, models: tuple[str, ...] = ("ar", "ets", "arima", "seasonal_naive"), *,
             h: int = 14, windows: int = 5, season: int = 7, level: int = 80) -> BacktestResult:
    """Backtest ``models`` on the series ``y`` (oldest first).

    Parameters
    ----------
    y : array-like
        The series.
    models : tuple of str
        Names for :func:`kpgrowth.forecast.models.make_model`.
    h : int
        Forecast horizon.
    windows : int
        Number of rolling origins (the last ``windows * h`` points are forecast).
    season : int
        Season length (7 for daily data with a weekly pattern).
    level : int
        Interval level whose coverage is reported.
    """
    arr = np.asarray(y, dtype=float)
    need = windows * h + 3 * season + 10
    if len(arr) < need:
        raise InputError(f"backtest needs at least {need} observations for {windows} windows "
                         f"of {h}, got {len(arr)}", hint="use fewer windows or a shorter horizon")
    per_window: list[dict[str, Any]] = []
    for i in range(windows):
        origin = len(arr) - h * (windows - i)
        train, test = arr[:origin], arr[origin:origin + h]
        scale = mase_scale(train, season)
        for name in models:
            model = make_model(name, season=season).fit(train)
            fc = model.predict(h, levels=(level,))
            mean = fc["mean"].to_numpy()
            inside = (test >= fc[f"lo-{level}"].to_numpy()) & (test <= fc[f"hi-{level}"].to_numpy())
            per_window.append({"model": model.name, "origin": origin,
                               "mase": float(np.mean(np.abs(test - mean)) / scale),
                               "coverage": float(inside.mean()), "n": len(test)})
    scores = []
    for name in dict.fromkeys(w["model"] for w in per_window):
        rows = [w for w in per_window if w["model"] == name]
        n = sum(r["n"] for r in rows)
        scores.append({"model": name, "mase": round(float(np.mean([r["mase"] for r in rows])), 4),
                       "coverage": round(sum(r["coverage"] * r["n"] for r in rows) / n, 4),
                       "windows": len(rows)})
    return BacktestResult(scores, per_window, h, level, season)

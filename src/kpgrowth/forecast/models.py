"""Forecast models with one contract: ``fit(y)`` → ``self``, ``predict(h, levels)`` → frame.

* :class:`ARModel` — autoregression AR(k) with an intercept, fitted by least squares,
  the order chosen by AIC or BIC over 1..``max_order`` on a common sample; prediction
  intervals from the MA(∞) ψ-weights (Gaussian errors).
* :class:`SeasonalNaive` — tomorrow is the same weekday last week; intervals from the
  spread of seasonal differences, widening with each full season ahead.
* :class:`StatsForecastModel` — AutoETS / AutoARIMA from ``statsforecast`` (the
  ``forecast`` extra), behind the same contract.

``predict`` returns a DataFrame with columns ``mean`` and ``lo-L`` / ``hi-L`` for each
level L (e.g. 80, 95), indexed 1..h steps ahead.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> y = np.zeros(400)
>>> for t in range(2, 400):
...     y[t] = 5 + 0.6 * y[t - 1] - 0.3 * y[t - 2] + rng.normal()
>>> m = ARModel(max_order=6).fit(y)
>>> m.order_, np.round(m.coef_[1:], 1).tolist()
(2, [0.6, -0.3])
>>> fc = m.predict(3, levels=(80,))
>>> list(fc.columns)
['mean', 'lo-80', 'hi-80']
>>> SeasonalNaive(season=7).fit(np.arange(21.0)).predict(2)["mean"].tolist()
[14.0, 15.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kpgrowth.errors import InputError, NotFittedError

_Z = {50: 0.6745, 80: 1.2816, 90: 1.6449, 95: 1.9600, 99: 2.5758}


def _z(level: int) -> float:
    if level in _Z:
        return _Z[level]
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 200)


def _frame(mean: np.ndarray, sd: np.ndarray, levels: tuple[int, ...]) -> Any:
    import pandas as pd

    out = {"mean": mean}
    for lv in levels:
        out[f"lo-{lv}"] = mean - _z(lv) * sd
        out[f"hi-{lv}"] = mean + _z(lv) * sd
    return pd.DataFrame(out, index=pd.RangeIndex(1, len(mean) + 1, name="step"))


def _check_y(y: Any, need: int, who: str) -> np.ndarray:
    arr = np.asarray(y, dtype=float)
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise InputError(f"{who}: the series must be one-dimensional and finite")
    if len(arr) < need:
        raise InputError(f"{who}: needs at least {need} observations, got {len(arr)}",
                         hint="use a longer history or a smaller order/season")
    return arr


class _Model:
    def _fitted(self) -> None:
        if not hasattr(self, "n_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(y) first")

    def get_params(self) -> dict[str, Any]:
        """Hyper-parameters as given to ``__init__``."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


@dataclass(repr=False)
class ARModel(_Model):
    """AR(k) with intercept; ``k`` chosen by ``criterion`` unless ``order`` is fixed.

    Parameters
    ----------
    max_order : int
        Largest order tried.
    order : int, optional
        Fix the order instead of selecting it.
    criterion : {"aic", "bic"}
        Order-selection criterion.
    """

    max_order: int = 14
    order: int | None = None
    criterion: str = "aic"
    name: str = field(default="AR", init=False)

    def fit(self, y: Any) -> ARModel:
        """Fit to the series ``y`` (oldest first)."""
        if self.criterion not in ("aic", "bic"):
            raise InputError(f"The 'criterion' parameter of ARModel must be 'aic' or 'bic'. "
                             f"Got {self.criterion!r} instead.")
        orders = [self.order] if self.order else list(range(1, self.max_order + 1))
        top = max(orders)
        arr = _check_y(y, top + 10, "ARModel")
        best: tuple[float, int, np.ndarray, float] | None = None
        n = len(arr) - top  # common sample, so criteria compare like with like
        for k in orders:
            X = np.column_stack([np.ones(n)] + [arr[top - j: len(arr) - j] for j in range(1, k + 1)])
            target = arr[top:]
            coef, *_ = np.linalg.lstsq(X, target, rcond=None)
            resid = target - X @ coef
            sigma2 = float(resid @ resid) / n
            penalty = 2 if self.criterion == "aic" else np.log(n)
            score = n * np.log(max(sigma2, 1e-12)) + penalty * (k + 1)
            if best is None or score < best[0]:
                dof = max(n - (k + 1), 1)
                best = (score, k, coef, float(resid @ resid) / dof)
        assert best is not None
        _, self.order_, self.coef_, self.sigma2_ = best
        self.y_ = arr
        self.n_ = len(arr)
        return self

    def predict(self, h: int, levels: tuple[int, ...] = (80, 95)) -> Any:
        """Forecast ``h`` steps ahead with prediction intervals at ``levels`` (%)."""
        self._fitted()
        k, c, phi = self.order_, self.coef_[0], self.coef_[1:]
        hist = list(self.y_[-k:])
        mean = np.empty(h)
        for i in range(h):
            nxt = c + sum(phi[j] * hist[-1 - j] for j in range(k))
            mean[i] = nxt
            hist.append(nxt)
        psi = np.zeros(h)
        psi[0] = 1.0
        for i in range(1, h):
            psi[i] = sum(phi[j] * psi[i - 1 - j] for j in range(min(k, i)))
        sd = np.sqrt(self.sigma2_ * np.cumsum(psi ** 2))
        return _frame(mean, sd, levels)


@dataclass(repr=False)
class SeasonalNaive(_Model):
    """The value one season ago (default: the same weekday last week)."""

    season: int = 7
    name: str = field(default="SeasonalNaive", init=False)

    def fit(self, y: Any) -> SeasonalNaive:
        arr = _check_y(y, self.season + 2, "SeasonalNaive")
        diffs = arr[self.season:] - arr[:-self.season]
        self.sigma_ = float(np.sqrt(np.mean(diffs ** 2)))
        self.y_, self.n_ = arr, len(arr)
        return self

    def predict(self, h: int, levels: tuple[int, ...] = (80, 95)) -> Any:
        self._fitted()
        last = self.y_[-self.season:]
        steps = np.arange(h)
        mean = last[steps % self.season]
        sd = self.sigma_ * np.sqrt(steps // self.season + 1)
        return _frame(mean, sd, levels)


@dataclass(repr=False)
class StatsForecastModel(_Model):
    """AutoETS or AutoARIMA from statsforecast (install ``kpgrowth[forecast]``)."""

    kind: str = "ets"
    season: int = 7
    name: str = field(default="", init=False)

    def __post_init__(self) -> None:
        if self.kind not in ("ets", "arima"):
            raise InputError(f"The 'kind' parameter of StatsForecastModel must be 'ets' or "
                             f"'arima'. Got {self.kind!r} instead.")
        self.name = {"ets": "AutoETS", "arima": "AutoARIMA"}[self.kind]

    def fit(self, y: Any) -> StatsForecastModel:
        from kpgrowth._deps import require

        require("statsforecast", extra="forecast")
        from statsforecast.models import AutoARIMA, AutoETS

        arr = _check_y(y, 2 * self.season + 2, self.name)
        model = AutoETS(season_length=self.season) if self.kind == "ets" \
            else AutoARIMA(season_length=self.season)
        self.model_ = model.fit(arr)
        self.n_ = len(arr)
        return self

    def predict(self, h: int, levels: tuple[int, ...] = (80, 95)) -> Any:
        import pandas as pd

        self._fitted()
        raw = self.model_.predict(h=h, level=list(levels))
        out = {"mean": np.asarray(raw["mean"], dtype=float)}
        for lv in levels:
            out[f"lo-{lv}"] = np.asarray(raw[f"lo-{lv}"], dtype=float)
            out[f"hi-{lv}"] = np.asarray(raw[f"hi-{lv}"], dtype=float)
        return pd.DataFrame(out, index=pd.RangeIndex(1, h + 1, name="step"))


def make_model(name: str, *, season: int = 7) -> _Model:
    """A fresh model by name: ``ar``, ``ets``, ``arima`` or ``seasonal_naive``."""
    makers = {"ar": lambda: ARModel(max_order=max(14, 2 * season)),
              "ets": lambda: StatsForecastModel("ets", season),
              "arima": lambda: StatsForecastModel("arima", season),
              "seasonal_naive": lambda: SeasonalNaive(season)}
    if name not in makers:
        raise InputError(f"unknown forecast model {name!r}",
                         hint=f"use one of {', '.join(makers)}")
    return makers[name]()

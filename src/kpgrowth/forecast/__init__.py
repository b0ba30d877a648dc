"""Forecasting: AR(k), AutoETS/AutoARIMA and seasonal naive; rolling-origin backtests.

>>> from kpgrowth.forecast import forecast, backtest, ARModel
"""

from kpgrowth.forecast.backtest import BacktestResult, backtest
from kpgrowth.forecast.forecast import ForecastResult, forecast, forecast_series
from kpgrowth.forecast.models import ARModel, SeasonalNaive, StatsForecastModel, make_model

__all__ = ["ARModel", "BacktestResult", "ForecastResult", "SeasonalNaive", "StatsForecastModel",
           "backtest", "forecast", "forecast_series", "make_model"]

"""``/v1/analytics/...``: analyses over the workspace, rendered from their Result objects."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kpgrowth.api.deps import GateDep, Viewer
from kpgrowth.api.problems import responses

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


class BacktestScore(BaseModel):
    model: str
    mase: float = Field(description="mean absolute scaled error; < 1 beats seasonal naive")
    coverage: float = Field(description="share of actual points inside the first level's interval")
    windows: int


class Forecast(BaseModel):
    metric: str
    model: str
    levels: list[int]
    history: list[dict[str, Any]] = Field(description="day, value")
    forecast: list[dict[str, Any]] = Field(description="day, mean, lo-L, hi-L per level")
    backtest: list[BacktestScore] | None = Field(
        description="the comparison that chose the model (model=auto and enough history)")


@router.get("/forecast", response_model=Forecast, responses=responses(401, 403, 422, 501, 503),
            summary="Forecast a daily metric with prediction intervals")
def forecast(gate: GateDep, who: Viewer,
             metric: Annotated[Literal["revenue", "orders", "active_users", "engagement"],
                               Query(description="what to forecast")] = "revenue",
             h: Annotated[int, Query(ge=1, le=365, description="days ahead")] = 14,
             model: Annotated[Literal["auto", "ar", "ets", "arima", "seasonal_naive"],
                              Query(description="auto: chosen by rolling-origin backtest")] = "auto",
             platform: Annotated[str | None, Query(max_length=32)] = None) -> Forecast:
    from kpgrowth.forecast import forecast as run

    key = f"forecast:{metric}:{h}:{model}:{platform}"
    res = gate.cached(key, lambda: gate.read(run, gate.ws, metric, h=h, model=model,
                                             platform=platform))
    return Forecast(**res.to_dict())

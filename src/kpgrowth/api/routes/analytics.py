"""``/v1/analytics/...``: analyses over the workspace, rendered from their Result objects."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kpgrowth.api.deps import GateDep, Viewer
from kpgrowth.api.problems import responses
from kpgrowth.schema import PLATFORMS

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])

Platform = Literal[PLATFORMS]  # type: ignore[valid-type]


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
             platform: Annotated[Platform | None, Query()] = None) -> Forecast:
    from kpgrowth.forecast import forecast as run

    key = f"forecast:{metric}:{h}:{model}:{platform}"
    res = gate.cached(key, lambda: gate.read(run, gate.ws, metric, h=h, model=model,
                                             platform=platform))
    return Forecast(**res.to_dict())


def _run(gate: Any, key: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Compute (or reuse, while the store is unchanged) an analysis and return its dict."""
    return gate.cached(key, lambda: gate.read(fn, gate.ws, *args, **kwargs).to_dict())


Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]
Duration = Annotated[str, Query(pattern=r"^\d+(\.\d+)?[smhdw]$", description="e.g. 14d, 36h")]


class FunnelOut(BaseModel):
    steps: list[Any]
    unit: str = Field(description="users, or conversions when repeat")
    order: str
    window_s: int
    breakdown: str | None
    overall: list[dict[str, Any]] = Field(
        description="per step: count, conversion from previous/first with Wilson 95% bounds, "
                    "dropped, median/p90 seconds to convert")
    by: list[dict[str, Any]] = Field(description="the same per breakdown value")
    histogram: list[dict[str, Any]]


@router.get("/funnel", response_model=FunnelOut, responses=responses(401, 403, 422, 503),
            summary="Conversion funnel over event types")
def funnel(gate: GateDep, who: Viewer,
           steps: Annotated[str, Query(max_length=500, pattern=r"^[a-z_]+(,[a-z_]+)*$",
                                       description="comma-separated event types")]
           = "impression,click,trailer_view,purchase,lesson_complete,share",
           window: Duration = "14d",
           order: Annotated[Literal["sequential", "strict", "any"], Query()] = "sequential",
           breakdown: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)?$",
                                                  description="an events column or users.<column>")]
           = None,
           start: Day = None, end: Day = None) -> FunnelOut:
    from kpgrowth.analytics.funnel import funnel as run

    names = [s.strip() for s in steps.split(",") if s.strip()]
    d = _run(gate, f"funnel:{steps}:{window}:{order}:{breakdown}:{start}:{end}", run, names,
             window=window, order=order, breakdown=breakdown, start=start, end=end)
    return FunnelOut(**{k: d[k] for k in FunnelOut.model_fields})


class RetentionOut(BaseModel):
    period: str
    mode: str
    cohort_by: str
    cohorts: list[dict[str, Any]] = Field(description="cohort, size, retained and rate per period")
    curve: list[dict[str, Any]] = Field(description="size-weighted average rate per period k")


@router.get("/retention", response_model=RetentionOut, responses=responses(401, 403, 422, 503),
            summary="Cohort retention")
def retention(gate: GateDep, who: Viewer,
              period: Annotated[Literal["day", "week", "month"], Query()] = "week",
              periods: Annotated[int, Query(ge=2, le=60)] = 8,
              cohort_by: Annotated[Literal["first_event", "signup", "first_purchase", "channel",
                                           "community"], Query()] = "first_event",
              mode: Annotated[Literal["on", "on_or_after"], Query()] = "on") -> RetentionOut:
    from kpgrowth.analytics.retention import retention as run

    d = _run(gate, f"retention:{period}:{periods}:{cohort_by}:{mode}", run, period=period,
             periods=periods, cohort_by=cohort_by, mode=mode)
    return RetentionOut(**{k: d[k] for k in RetentionOut.model_fields})


class AttributionOut(BaseModel):
    dimension: str
    models: list[str]
    rows: list[dict[str, Any]] = Field(description="credited orders and revenue per channel and model")
    attributed_orders: float
    unattributed_orders: float


@router.get("/attribution", response_model=AttributionOut,
            responses=responses(401, 403, 422, 503),
            summary="Orders and revenue credited to channels by every attribution model")
def attribution(gate: GateDep, who: Viewer,
                dimension: Annotated[Literal["platform", "campaign", "channel", "post"],
                                     Query()] = "platform",
                lookback: Duration = "30d") -> AttributionOut:
    from kpgrowth.analytics.attribution import compare_models

    d = _run(gate, f"attribution:{dimension}:{lookback}", compare_models, dimension=dimension,
             lookback=lookback)
    return AttributionOut(**{k: d[k] for k in AttributionOut.model_fields})


class ChannelsOut(BaseModel):
    by: str
    currency: str
    rows: list[dict[str, Any]] = Field(description="orders, revenue, spend, commission, ROI, ROAS, CPA")
    totals: dict[str, Any]


@router.get("/channels", response_model=ChannelsOut, responses=responses(401, 403, 422, 503),
            summary="Performance and ROI by platform, campaign, channel, post, promoter or community")
def channels(gate: GateDep, who: Viewer,
             by: Annotated[Literal["platform", "campaign", "channel", "post", "promoter",
                                   "community"], Query()] = "platform",
             start: Day = None, end: Day = None) -> ChannelsOut:
    from kpgrowth.analytics.channels import channel_performance

    d = _run(gate, f"channels:{by}:{start}:{end}", channel_performance, by=by, start=start, end=end)
    return ChannelsOut(**{k: d[k] for k in ChannelsOut.model_fields})

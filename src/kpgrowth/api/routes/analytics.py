"""``/v1/analytics/...``: analyses over the workspace, rendered from their Result objects."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from kpgrowth.analytics.rfm import SEGMENTS
from kpgrowth.analytics.user_behavior import MAX_COMMUNITIES
from kpgrowth.api.deps import GateDep, Viewer
from kpgrowth.api.problems import responses
from kpgrowth.result import jsonable
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


Limit = Annotated[int, Query(ge=1, le=1000, description="rows to return")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="rows to skip")]


class ContentRow(BaseModel):
    key: str | int = Field(description="post_id, platform, format, tag or hour of week "
                                       "(0 = Monday 00h … 167)")
    platform: str | None = Field(description="by=post only")
    format: str | None = Field(description="by=post only")
    title: str | None = Field(description="by=post only")
    posted_at: str | None = Field(description="by=post only")
    posts: int
    views: int
    likes: int
    comments: int
    shares: int
    saves: int
    engagements: int = Field(description="likes + comments + shares")
    engagement_rate: float | None = Field(description="engagements / views; null without views")


class ContentTotals(BaseModel):
    posts: int
    views: int
    likes: int
    comments: int
    shares: int
    saves: int
    engagement_rate: float | None


class ContentOut(BaseModel):
    by: str
    clock: str
    tz: str
    start: str | None
    end: str | None
    totals: ContentTotals = Field(description="over all selected posts")
    total_rows: int
    rows: list[ContentRow] = Field(description="most engagements first, up to limit")
    best: list[ContentRow] = Field(description="highest engagement rate (views >= min_views)")
    worst: list[ContentRow] = Field(description="lowest engagement rate (views >= min_views)")


@router.get("/content", response_model=ContentOut, responses=responses(401, 403, 422, 503),
            summary="Views, likes, comments, shares, saves and engagement rate per post or group")
def content(gate: GateDep, who: Viewer,
            by: Annotated[Literal["post", "platform", "format", "tag", "hour_of_week"],
                          Query()] = "post",
            start: Day = None, end: Day = None,
            platform: Annotated[list[Platform] | None,  # type: ignore[valid-type]
                                Query(max_length=len(PLATFORMS),
                                      description="only these platforms (repeat)")] = None,
            clock: Annotated[Literal["posted", "event"],
                             Query(description="hour_of_week of posting or of engaging")]
            = "posted",
            best: Annotated[int, Query(ge=0, le=100)] = 5,
            worst: Annotated[int, Query(ge=0, le=100)] = 5,
            min_views: Annotated[int, Query(ge=0, le=10**12,
                                            description="for best and worst")] = 0,
            limit: Limit = 100) -> ContentOut:
    from kpgrowth.analytics.content import content_performance

    platforms = sorted(set(platform)) if platform else None
    res = gate.cached(f"content:{by}:{start}:{end}:{clock}:{platforms}", lambda: gate.read(
        content_performance, gate.ws, by=by, start=start, end=end, clock=clock,
        platforms=platforms))
    d = res.to_dict()
    return ContentOut(by=d["by"], clock=d["clock"], tz=d["tz"], start=d["start"], end=d["end"],
                      totals=d["totals"], total_rows=len(d["rows"]), rows=d["rows"][:limit],
                      best=jsonable(res.best(best, min_views=min_views)) if best else [],
                      worst=jsonable(res.worst(worst, min_views=min_views)) if worst else [])


class CommunityRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    community_id: str
    name: str | None
    period: str = Field(description="ISO date the period starts")
    members: int = Field(description="with a membership overlapping the period")
    active_members: int = Field(description="members who posted a message in the period")
    active_share: float | None
    messages: int
    messages_per_member: float | None
    buyers: int = Field(description="members with a paid order while a member")
    conversion: float | None = Field(description="buyers / members")
    retained: int = Field(description="members also members in the period before")
    retention: float | None = Field(description="retained / members of the period before")
    dau: float | None = Field(None, description="mean daily people posting a message")
    mau: int | None = Field(None, description="people posting in the 30 days ending on the "
                                              "period's last day")
    dau_mau: float | None = Field(None, description="dau / mau (stickiness)")


class CommunityOut(BaseModel):
    period: str
    tz: str
    start: str | None
    end: str | None
    rows: list[CommunityRow] = Field(description="per community, then period")


@router.get("/community", response_model=CommunityOut, responses=responses(401, 403, 422, 503),
            summary="Community (社群) health per period: members, activity, conversion, retention")
def community(gate: GateDep, who: Viewer,
              period: Annotated[Literal["day", "week", "month"], Query()] = "week",
              start: Day = None, end: Day = None) -> CommunityOut:
    from kpgrowth.analytics.community import community_health

    d = _run(gate, f"community:{period}:{start}:{end}", community_health, period=period,
             start=start, end=end)
    return CommunityOut(**{k: d[k] for k in CommunityOut.model_fields})


CommunityId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]


class ActivityDay(BaseModel):
    community_id: str
    name: str | None
    day: str = Field(description="local day (ISO date)")
    dau: int = Field(description="people posting a message in the community that day")
    wau: int = Field(description="… in the 7 local days ending that day")
    mau: int = Field(description="… in the 30 local days ending that day")
    dau_mau: float | None = Field(description="dau / mau (stickiness); null when mau = 0")


class ActivitySummary(BaseModel):
    community_id: str
    name: str | None
    days: int = Field(description="days reported")
    avg_dau: float = Field(description="mean DAU over the days with a MAU")
    avg_mau: float = Field(description="mean MAU over the days with a MAU")
    stickiness: float | None = Field(description="avg_dau / avg_mau; null without activity")


class CommunityActivityOut(BaseModel):
    start: str | None
    end: str | None
    tz: str
    rows: list[ActivityDay] = Field(description="per community, then day: from the first to "
                                                "the last day with a membership change or a "
                                                "message (within start..end)")
    summary: list[ActivitySummary] = Field(description="per community")


@router.get("/community/activity", response_model=CommunityActivityOut,
            responses=responses(401, 403, 422, 503),
            summary="Daily DAU, WAU, MAU and DAU/MAU (stickiness) per community")
def community_activity(gate: GateDep, who: Viewer, start: Day = None, end: Day = None,
                       communities: Annotated[
                           list[CommunityId] | None,
                           Query(max_length=MAX_COMMUNITIES,
                                 description="only these community ids (repeat; unknown ids "
                                             "get rows of zeros)")] = None
                       ) -> CommunityActivityOut:
    from kpgrowth.analytics.community_activity import community_activity as run

    ids = sorted(set(communities)) if communities else None
    d = _run(gate, f"community_activity:{start}:{end}:{ids!r}", run, start=start, end=end,
             communities=ids)
    return CommunityActivityOut(**d)


class MemberCohort(BaseModel):
    group: Literal["members", "non-members"]
    cohort: str = Field(description="ISO date the entry period starts")
    size: int
    retained: list[int | None] = Field(description="per k; null where not yet observed")
    rates: list[float | None]


class RetentionPoint(BaseModel):
    group: str
    k: int
    cohorts: int = Field(description="cohorts observed at k")
    size: int = Field(description="people in those cohorts")
    retained: int
    rate: float | None = Field(description="retained / size")


class MemberRetentionOut(BaseModel):
    period: str
    periods: int
    mode: str
    recurring: bool
    cohort_by: str
    tz: str
    params: dict[str, Any]
    cohorts: list[MemberCohort]
    curve: list[RetentionPoint] = Field(description="members and non-members, size-weighted "
                                                    "over cohorts")
    loss_ratio: float | None = Field(
        description="(1 - R_members) / (1 - R_non-members), R pooled over k >= 1: < 1 means "
                    "members are lost more slowly (not causal); null without data")
    by_community: list[RetentionPoint] = Field(
        description="the curve per community before pooling ('(none)' = non-members)")


@router.get("/community/members", response_model=MemberRetentionOut,
            responses=responses(401, 403, 422, 503),
            summary="Retention of community members vs non-members, and the loss ratio")
def community_members(gate: GateDep, who: Viewer,
                      period: Annotated[Literal["day", "week", "month"], Query()] = "week",
                      periods: Annotated[int, Query(ge=2, le=60)] = 8,
                      mode: Annotated[Literal["on_or_after", "on"],
                                      Query(description="still around in period k or later, "
                                                        "or returned in exactly period k")]
                      = "on_or_after",
                      start: Day = None, end: Day = None) -> MemberRetentionOut:
    from kpgrowth.analytics.community_activity import member_retention

    d = _run(gate, f"community_members:{period}:{periods}:{mode}:{start}:{end}",
             member_retention, period=period, periods=periods, mode=mode, start=start, end=end)
    return MemberRetentionOut(**d)


class RFMUser(BaseModel):
    user_key: str
    last_day: str = Field(description="local day of the last paid order")
    recency: int = Field(description="days from last_day to as_of")
    frequency: int = Field(description="paid orders")
    monetary: float = Field(description="paid minus refunded amount")
    r: int
    f: int
    m: int
    code: str = Field(description="the three scores, e.g. 555")
    segment: str
    segment_zh: str


class RFMSegment(BaseModel):
    segment: str
    segment_zh: str
    users: int
    user_share: float
    revenue: float
    revenue_share: float
    recency: float | None = Field(description="mean over the segment's buyers")
    frequency: float | None
    monetary: float | None


class RFMOut(BaseModel):
    as_of: str | None = Field(description="the day recency is measured to")
    bins: int
    currency: str
    buyers: int = Field(description="all buyers scored")
    total: int = Field(description="buyers in the segment asked for (all without one)")
    segments: list[RFMSegment]
    users: list[RFMUser] = Field(description="best codes first; limit/offset page them")
    limit: int
    offset: int


Segment = Literal[tuple(SEGMENTS)]  # type: ignore[valid-type]


@router.get("/rfm", response_model=RFMOut, responses=responses(401, 403, 422, 503),
            summary="RFM scores and segments (高价值, 新客, 忠诚 …) of buyers")
def rfm(gate: GateDep, who: Viewer, as_of: Day = None,
        bins: Annotated[int, Query(ge=2, le=10, description="score levels")] = 5,
        segment: Annotated[Segment | None, Query(description="only this segment's buyers")]
        = None,
        limit: Limit = 100, offset: Offset = 0) -> RFMOut:
    from kpgrowth.analytics.rfm import rfm as run

    d = _run(gate, f"rfm:{as_of}:{bins}", run, as_of=as_of, bins=bins)
    users = [u for u in d["users"] if segment is None or u["segment"] == segment]
    return RFMOut(as_of=d["as_of"], bins=d["bins"], currency=d["currency"],
                  buyers=len(d["users"]), total=len(users),
                  segments=d["segments"], users=users[offset:offset + limit], limit=limit,
                  offset=offset)


class EngagementRow(BaseModel):
    user_key: str
    views: float = Field(description="raw C: view, trailer_view, lesson_start/complete events")
    community: float = Field(description="raw I: community_join and community_message events")
    shares: float = Field(description="raw R: share and referral_invite events")
    net_paid: float = Field(description="raw Q: paid minus refunded amount")
    tenure_days: float = Field(description="raw T")
    C: float
    I: float
    R: float
    Q: float
    T: float
    U: float = Field(description="user engagement α·C + β·I + γ·R")
    R_value: float = Field(description="recommendation value R' = δ·C + ε·U + ζ·Q")
    I_value: float = Field(description="community activity I' = η·U + θ·R + ξ·T")


class EngagementFitOut(BaseModel):
    weights: dict[str, float] = Field(description="fitted alpha, beta, gamma (sum to 1)")
    coef: dict[str, float]
    auc_fitted: float | None = Field(description="out-of-fold AUC of U with fitted weights")
    auc_hand: float | None = Field(description="AUC of U with equal weights")
    lift: float | None
    cutoff: str
    horizon_days: int
    n_users: int
    folds: int
    positive_rate: float


class EngagementOut(BaseModel):
    as_of: str | None
    weights: dict[str, float]
    users: int
    rows: list[EngagementRow] = Field(description="highest U first; limit/offset page them")
    limit: int
    offset: int
    fit: EngagementFitOut | None = Field(description="with fit=true: weights of U fitted to "
                                                     "predict a purchase, vs equal weights")


Instant = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$",
                                      description="YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)")]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@router.get("/engagement", response_model=EngagementOut, responses=responses(401, 403, 422, 503),
            summary="Engagement indices U, R', I' per user; optionally fitted weights")
def engagement(gate: GateDep, who: Viewer, as_of: Instant = None,
               limit: Limit = 100, offset: Offset = 0,
               fit: Annotated[bool, Query(description="also fit U's weights to conversion")]
               = False,
               horizon_days: Annotated[int, Query(ge=1, le=365,
                                                  description="label window of the fit")] = 14,
               seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> EngagementOut:
    from kpgrowth.analytics.engagement_index import engagement_index, fit_engagement_weights

    d = _run(gate, f"engagement:{as_of}", engagement_index, as_of=as_of)
    fitted = None
    if fit:
        f = gate.cached(f"engagement_fit:{horizon_days}:{seed}", lambda: gate.read(
            fit_engagement_weights, gate.ws, horizon_days=horizon_days, seed=seed))
        fitted = EngagementFitOut(**{**f.to_dict(), "auc_fitted": _finite(f.auc_fitted),
                                     "auc_hand": _finite(f.auc_hand), "lift": _finite(f.lift)})
    return EngagementOut(as_of=d["as_of"], weights=d["weights"], users=len(d["rows"]),
                         rows=d["rows"][offset:offset + limit], limit=limit, offset=offset,
                         fit=fitted)


class PathRow(BaseModel):
    rank: int
    path: str = Field(description="steps joined by ' > '")
    steps: list[str]
    purchases: int
    share: float = Field(description="of all purchases")
    revenue: float
    non_converting: int = Field(description="journeys along this path without a purchase")
    conversion_rate: float | None = Field(description="purchases / (purchases + non_converting)")


class PathsOut(BaseModel):
    step: str
    purchases: int = Field(description="all purchases of the period")
    without_touch: int = Field(description="purchases without a touch in the lookback")
    distinct_paths: int
    rows: list[PathRow] = Field(description="most purchases first")
    params: dict[str, Any]


@router.get("/paths", response_model=PathsOut, responses=responses(401, 403, 422, 503),
            summary="The most common paths of touches before a purchase (购买路径)")
def paths(gate: GateDep, who: Viewer,
          top: Annotated[int, Query(ge=1, le=100)] = 10,
          step: Annotated[Literal["type", "type@platform", "platform", "campaign", "post",
                                  "channel"], Query(description="what a step is")] = "type",
          lookback: Duration = "30d",
          max_steps: Annotated[int, Query(ge=1, le=50, description="keep the last steps")] = 6,
          collapse: Annotated[bool, Query(description="a run of equal steps is one step")]
          = True,
          conversion: Annotated[Literal["orders", "purchase"], Query()] = "orders",
          start: Day = None, end: Day = None) -> PathsOut:
    from kpgrowth.analytics.paths import purchase_paths

    d = _run(gate, f"paths:{top}:{step}:{lookback}:{max_steps}:{collapse}:{conversion}:{start}:"
                   f"{end}", purchase_paths, top=top, step=step, lookback=lookback,
             max_steps=max_steps, collapse=collapse, conversion=conversion, start=start,
             end=end)
    return PathsOut(**{k: d[k] for k in PathsOut.model_fields})

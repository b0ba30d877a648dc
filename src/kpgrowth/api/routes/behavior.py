"""``POST /v1/user_behavior`` and ``POST /v1/group_engagement``: one person, one group.

Both only read (the viewer role suffices; POST because the question is a JSON document).
The work is :func:`kpgrowth.analytics.user_behavior.user_behavior` and
:func:`~kpgrowth.analytics.user_behavior.group_engagement`; new events sent to
``/v1/user_behavior`` are validated like ingested rows and never stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from kpgrowth.analytics.user_behavior import MAX_COMMUNITIES, MAX_EVENTS
from kpgrowth.api.deps import GateDep, Viewer
from kpgrowth.api.problems import responses
from kpgrowth.api.routes.analytics import CommunityRow, EngagementRow, RFMUser
from kpgrowth.schema import EVENT_TYPES, PLATFORMS

router = APIRouter(prefix="/v1", tags=["behavior"])

Id = Annotated[StrictStr, Field(min_length=1, max_length=200)]
DayStr = Annotated[StrictStr, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]


class EventIn(BaseModel):
    """A new event (not stored), checked like an ingested ``events`` row."""

    model_config = ConfigDict(extra="forbid", strict=True)
    ts: StrictStr = Field(min_length=1, max_length=64,
                          description="when: ISO 8601 or any timestamp the ingester reads; "
                                      "naive times are in the workspace time zone")
    type: Literal[EVENT_TYPES] = Field(description="event type")  # type: ignore[valid-type]
    platform: Literal[PLATFORMS] | None = None  # type: ignore[valid-type]
    post_id: Id | None = None
    product_id: Id | None = None
    community_id: Id | None = None
    campaign_id: Id | None = None
    value: float | None = Field(None, allow_inf_nan=False,
                                description="amount, duration or progress, by type")


class UserBehaviorIn(BaseModel):
    """A workspace user, new events, or both (at least one of them; 422 otherwise)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"user_key": "u_f714c20398599f8031a5fd66114ff4a1"},
        {"events": [{"ts": "2026-03-02T20:00:00+08:00", "type": "impression",
                     "platform": "douyin", "post_id": "v123"},
                    {"ts": "2026-03-02T20:01:00+08:00", "type": "click", "platform": "douyin",
                     "post_id": "v123", "product_id": "c1"}]}]})
    user_key: Id | None = Field(None, description="a user of the workspace")
    events: list[EventIn] | None = Field(
        None, min_length=1, max_length=MAX_EVENTS,
        description="new events of that user, or of an anonymous visitor without user_key")


class OrdersSummary(BaseModel):
    orders: int = Field(description="paid orders")
    spend: float = Field(description="paid amount")
    refunds: float = Field(description="refunded amount (absolute)")
    net_spend: float
    currency: str
    products: list[str] = Field(description="products bought")
    first_order_at: str | None
    last_order_at: str | None


class CommunityStay(BaseModel):
    community_id: str
    name: str | None
    joined_at: str | None = Field(description="first join (null: known from events only)")
    left_at: str | None = Field(description="last leave; null while a member")
    member: bool | None = Field(description="a stay is open (null: no membership record)")
    messages: int


class UserRFM(RFMUser):
    as_of: str = Field(description="the day recency is measured to")


class UserEngagement(EngagementRow):
    weights: dict[str, float] = Field(description="alpha … xi used for the indices")


class FunnelPosition(BaseModel):
    steps: list[str]
    step: int = Field(description="furthest step reached, 1-based; 0 = never entered")
    name: str | None = Field(description="that step's event type")
    entered_at: str | None
    reached_at: str | None


class UserBehaviorOut(BaseModel):
    user_key: str = Field(description="the user, or (anonymous)")
    anonymous: bool
    new_events: int = Field(description="events sent with the request (counted, not stored)")
    events: int
    by_type: dict[str, int]
    by_platform: dict[str, int] = Field(description="(none) for events without a platform")
    first_seen: str | None
    last_seen: str | None
    active_days: int = Field(description="distinct local days with an event")
    orders: OrdersSummary
    communities: list[CommunityStay]
    rfm: UserRFM | None = Field(description="RFM scores and segment among all buyers; "
                                            "null without a paid order")
    engagement: UserEngagement | None = Field(
        description="engagement index inputs (normalized over all users) and U, R', I'; "
                    "null without events")
    funnel: FunnelPosition = Field(description="position in the default funnel")
    tz: str


@router.post("/user_behavior", response_model=UserBehaviorOut,
             responses=responses(401, 403, 404, 413, 422, 503),
             summary="One person's behaviour, RFM segment, engagement index and funnel position")
def user_behavior(body: UserBehaviorIn, gate: GateDep, who: Viewer
                  ) -> UserBehaviorOut:
    from kpgrowth.analytics.user_behavior import user_behavior as run

    events = None if body.events is None else [e.model_dump(exclude_none=True)
                                               for e in body.events]
    if events is None:
        d = gate.cached(f"user_behavior:{body.user_key}",
                        lambda: gate.read(run, gate.ws, body.user_key).to_dict())
    else:
        d = gate.read(run, gate.ws, body.user_key, events=events).to_dict()
    return UserBehaviorOut(**{k: d[k] for k in UserBehaviorOut.model_fields})


class GroupEngagementIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"community_ids": ["cmty001", "cmty002"], "period": "week", "start": "2026-01-01",
         "end": "2026-01-31"}]})
    community_ids: list[Id] = Field(min_length=1, max_length=MAX_COMMUNITIES)
    period: Literal["day", "week", "month"] = "week"
    start: DayStr | None = None
    end: DayStr | None = None


class GroupEngagementOut(BaseModel):
    period: str
    start: str | None
    end: str | None
    tz: str
    requested: list[str]
    known: list[str]
    unknown: list[str] = Field(description="ids not in the workspace")
    rows: list[CommunityRow] = Field(description="per community and period")
    latest: list[CommunityRow] = Field(description="each community's most recent period")


@router.post("/group_engagement", response_model=GroupEngagementOut,
             responses=responses(401, 403, 404, 413, 422, 503),
             summary="Health of chosen communities: members, activity, conversion, retention")
def group_engagement(body: GroupEngagementIn, gate: GateDep, who: Viewer
                     ) -> GroupEngagementOut:
    from kpgrowth.analytics.user_behavior import group_engagement as run

    ids = list(dict.fromkeys(body.community_ids))
    key = f"group_engagement:{body.period}:{body.start}:{body.end}:" + "\x1f".join(ids)
    d: dict[str, Any] = gate.cached(key, lambda: gate.read(
        run, gate.ws, ids, period=body.period, start=body.start, end=body.end).to_dict())
    return GroupEngagementOut(**{k: d[k] for k in GroupEngagementOut.model_fields})

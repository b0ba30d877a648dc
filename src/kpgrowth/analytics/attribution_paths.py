"""Touchpoints and conversion paths in Ibis (the same expressions on DuckDB and Spark).

Definitions (they are the contract of :func:`kpgrowth.analytics.attribution.attribute`):

* **Touch**: an ``events`` row with a ``user_key``, whose ``type`` is one of the touch
  types (default :data:`DEFAULT_TOUCH_TYPES`) and that has a value for the dimension:
  ``platform`` → ``events.platform``; ``campaign`` → ``events.campaign_id``; ``post`` →
  ``events.post_id``; ``channel`` → the ``"channel"`` key of ``events.properties`` (what a
  tracker or UTM tag records, e.g. ``{"channel": "kol"}``), else the ``campaigns.channel``
  of the event's ``campaign_id``. Touches without a value are not touches for that
  dimension.
* **Conversion**: a paid order (``status = 'paid'``) with a ``user_key``, in the workspace
  currency, placed in the period; subscription renewals (``channel = 'renewal'``) are
  not conversions unless ``include_renewals``.
* **Path of an order**: the buyer's touches with ``order.ts - lookback <= ts <= order.ts``
  and after the buyer's previous conversion (a touch belongs to one order at most), in
  time order (ties by ``event_id``). With ``collapse`` (default) a run of consecutive
  touches with the same value counts as one touch, at the time of its last touch.
  Orders with an empty path are *unattributed*.
* **Non-converting path** (for Markov): a user's touches in the period after their last
  conversion before the period end (all their touches if none), within ``lookback``
  of their last such touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import datetime as dt

    import ibis

DEFAULT_TOUCH_TYPES: tuple[str, ...] = ("impression", "view", "click", "landing", "trailer_view")
"""Event types that count as marketing touches by default."""

DIMENSIONS: tuple[str, ...] = ("platform", "campaign", "post", "channel")
"""What a touch's channel is: a column of ``events`` or the marketing channel."""

SEP = " > "
"""Separator of channels in a path string."""

_CHANNEL_RE = r'"channel"\s*:\s*"([^"]*)"'


@dataclass(frozen=True)
class PathSpec:
    """Options that define touches and paths (see the module docstring)."""

    dimension: str = "platform"
    lookback_s: int = 30 * 86400
    touch_types: tuple[str, ...] = DEFAULT_TOUCH_TYPES
    collapse: bool = True
    include_renewals: bool = False
    currency: str = "CNY"
    lo: dt.datetime | None = None
    hi: dt.datetime | None = None


def _ts(value: Any) -> Any:
    import ibis

    return ibis.literal(value, type="timestamp('UTC')")


def touches(source: Any, spec: PathSpec) -> ibis.Table:
    """``user_key, ts, event_id, channel`` of every touch that can enter a path."""
    import datetime as dt

    import ibis

    e = source.table("events")
    e = e.filter(e.type.isin(list(spec.touch_types)), e.user_key.notnull())
    if spec.lo is not None:
        e = e.filter(e.ts >= _ts(spec.lo - dt.timedelta(seconds=spec.lookback_s)))
    if spec.hi is not None:
        e = e.filter(e.ts < _ts(spec.hi))
    if spec.dimension == "channel":
        c = source.table("campaigns").select(cmp_id="campaign_id", cmp_channel="channel")
        e = e.left_join(c, e.campaign_id == c.cmp_id)
        tagged = e.properties.re_extract(_CHANNEL_RE, 1).nullif("")
        value = ibis.coalesce(tagged, e.cmp_channel)
    else:
        value = e[{"platform": "platform", "campaign": "campaign_id", "post": "post_id"}[
            spec.dimension]]
    t = e.select(t_user="user_key", t_ts="ts", t_event="event_id", channel=value)
    return t.filter(t.channel.notnull())


def conversions(source: Any, spec: PathSpec, *, in_period: bool = True) -> ibis.Table:
    """``order_id, o_user, o_ts, amount, prev_ts`` of the conversions (see module doc)."""
    import ibis

    o = source.table("orders")
    o = o.filter(o.status == "paid", o.user_key.notnull(), o.currency == spec.currency)
    if not spec.include_renewals:
        o = o.filter(o.channel.isnull() | (o.channel != "renewal"))
    if spec.hi is not None:
        o = o.filter(o.ts < _ts(spec.hi))
    w = ibis.window(group_by=o.user_key, order_by=[o.ts, o.order_id])
    o = o.select("order_id", o_user="user_key", o_ts="ts", amount=o.amount.cast("float64"),
                 prev_ts=o.ts.lag().over(w))
    if in_period and spec.lo is not None:
        o = o.filter(o.o_ts >= _ts(spec.lo))
    return o


def _collapse_and_number(t: ibis.Table, key: str, spec: PathSpec) -> ibis.Table:
    import ibis

    w = ibis.window(group_by=t[key], order_by=[t.t_ts, t.t_event])
    if spec.collapse:
        t = t.mutate(_next=t.channel.lead().over(w))
        t = t.filter(t._next.isnull() | (t._next != t.channel)).drop("_next")
        w = ibis.window(group_by=t[key], order_by=[t.t_ts, t.t_event])
    return t.mutate(pos=ibis.row_number().over(w),
                    n=t.t_event.count().over(ibis.window(group_by=t[key])))


def order_touches(source: Any, spec: PathSpec) -> ibis.Table:
    """One row per (order, touch) of every order's path, with ``pos`` (0-based), ``n``
    (path length) and ``age_s`` (whole seconds from the touch to the order)."""
    import ibis

    o = conversions(source, spec)
    t = touches(source, spec)
    j = o.join(t, [o.o_user == t.t_user, t.t_ts <= o.o_ts,
                   t.t_ts >= o.o_ts - ibis.interval(seconds=spec.lookback_s),
                   o.prev_ts.isnull() | (t.t_ts > o.prev_ts)])
    j = j.select("order_id", "o_user", "o_ts", "amount", "t_ts", "t_event", "channel")
    j = _collapse_and_number(j, "order_id", spec)
    age = j.o_ts.epoch_seconds().floor() - j.t_ts.epoch_seconds().floor()
    return j.mutate(age_s=age.cast("float64"))


def null_touches(source: Any, spec: PathSpec) -> ibis.Table:
    """One row per touch of every non-converting path, keyed by ``t_user``."""
    import ibis

    o = conversions(source, spec, in_period=False)
    last = o.group_by(u="o_user").aggregate(last_ts=o.o_ts.max())
    t = touches(source, spec)
    if spec.lo is not None:
        t = t.filter(t.t_ts >= _ts(spec.lo))
    t = t.left_join(last, t.t_user == last.u)
    t = t.filter(t.last_ts.isnull() | (t.t_ts > t.last_ts))
    t = t.select("t_user", "t_ts", "t_event", "channel")
    t = t.mutate(_end=t.t_ts.max().over(ibis.window(group_by=t.t_user)))
    t = t.filter(t.t_ts >= t._end - ibis.interval(seconds=spec.lookback_s)).drop("_end")
    return _collapse_and_number(t, "t_user", spec)


def path_counts(source: Any, spec: PathSpec) -> ibis.Table:
    """Distinct paths: ``path`` (channels joined by :data:`SEP`), ``conversions``,
    ``nulls`` and ``revenue`` (of the converting ones)."""
    import ibis

    conv = order_touches(source, spec)
    conv = conv.select(pid="order_id", pos="pos", channel="channel", conv=ibis.literal(1),
                       amount="amount")
    null = null_touches(source, spec)
    null = null.select(pid=null.t_user, pos="pos", channel="channel", conv=ibis.literal(0),
                       amount=ibis.literal(0.0))
    both = conv.union(null)  # order ids and user keys cannot collide: conv tells them apart
    per = both.group_by(["pid", "conv"]).aggregate(
        steps=ibis.struct({"pos": both.pos, "channel": both.channel}).collect(),
        amount=both.amount.max())
    per = per.mutate(path=per.steps.sort().map(lambda s: s.channel).join(SEP))
    return per.group_by("path").aggregate(
        conversions=per.conv.sum(), nulls=(1 - per.conv).sum(),
        revenue=(per.amount * per.conv.cast("float64")).sum())

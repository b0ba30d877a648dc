"""Touchpoints and conversion paths in Ibis (the same expressions on DuckDB and Spark).

Definitions (they are the contract of :func:`kpgrowth.analytics.attribution.attribute`):

* **Touch**: an ``events`` row with a ``user_key``, whose ``type`` is one of the touch
  types (default :data:`DEFAULT_TOUCH_TYPES`) and that has a value for the dimension:
  ``platform`` → ``events.platform``; ``campaign`` → ``events.campaign_id``; ``post`` →
  ``events.post_id``; ``channel`` → the ``"channel"`` key of ``events.properties`` (what a
  tracker or UTM tag records, e.g. ``{"channel": "kol"}``), else the ``campaigns.channel``
  of the event's ``campaign_id``. Touches without a value are not touches for that
  dimension. For step paths (:mod:`kpgrowth.analytics.paths`) also ``type`` →
  ``events.type`` and ``type@platform`` → ``"click@douyin"`` (``"click@?"`` without a
  platform).
* **Conversion**: a paid order (``status = 'paid'``) with a ``user_key``, in the workspace
  currency, placed in the period; subscription renewals (``channel = 'renewal'``) are
  not conversions unless ``include_renewals``. With ``conversion="purchase"``: a
  ``purchase`` event with a ``user_key`` in the period (amount = ``value``).
* **Path of an order**: the buyer's touches with ``order.ts - lookback <= ts <= order.ts``
  and after the buyer's previous conversion (a touch belongs to one order at most), in
  time order (ties by ``event_id``). With ``collapse`` (default) a run of consecutive
  touches with the same value counts as one touch, at the time of its last touch.
  Orders with an empty path are *unattributed*.
* **Non-converting path** (for Markov): a user's touches in the period after their last
  conversion before the period end (all their touches if none), within ``lookback``
  of their last such touch.
* **Truncation** (``max_steps``): a path longer than ``max_steps`` touches keeps its last
  ``max_steps`` ones behind a leading :data:`ELLIPSIS` step.
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

STEP_DIMENSIONS: tuple[str, ...] = ("type", "type@platform")
"""Further touch values for step paths: the event type, alone or with its platform."""

CONVERSIONS: tuple[str, ...] = ("orders", "purchase")
"""What a conversion is: a paid order, or a ``purchase`` event."""

SEP = " > "
"""Separator of channels in a path string."""

ELLIPSIS = "…"
"""First step of a path truncated to its last ``max_steps`` touches."""

ATTRIBUTED: tuple[str, ...] = ("kol", "promoter", "community")
"""Whom a person can be attributed to at a time: a KOL account, a 分销 promoter, a community
(:func:`attributed`)."""

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
    conversion: str = "orders"
    max_steps: int | None = None


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
    elif spec.dimension == "type":
        value = e.type
    elif spec.dimension == "type@platform":
        value = e.type + "@" + e.platform.fill_null("?")
    else:
        value = e[{"platform": "platform", "campaign": "campaign_id", "post": "post_id"}[
            spec.dimension]]
    t = e.select(t_user="user_key", t_ts="ts", t_event="event_id", channel=value)
    return t.filter(t.channel.notnull())


def conversions(source: Any, spec: PathSpec, *, in_period: bool = True) -> ibis.Table:
    """``order_id, o_user, o_ts, amount, prev_ts`` of the conversions (see module doc)."""
    import ibis

    if spec.conversion == "purchase":
        e = source.table("events")
        e = e.filter(e.type == "purchase", e.user_key.notnull())
        o = e.select(order_id="event_id", user_key="user_key", ts="ts",
                     amount=e.value.fill_null(0.0))
    else:
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
    """Distinct paths: ``path`` (channels joined by :data:`SEP`, truncated to
    ``spec.max_steps``), ``conversions``, ``nulls`` and ``revenue`` (of the converting
    ones)."""
    import ibis

    conv = order_touches(source, spec)
    conv = conv.select(pid="order_id", pos="pos", n="n", channel="channel",
                       conv=ibis.literal(1), amount="amount")
    null = null_touches(source, spec)
    null = null.select(pid=null.t_user, pos="pos", n="n", channel="channel",
                       conv=ibis.literal(0), amount=ibis.literal(0.0))
    both = conv.union(null)  # order ids and user keys cannot collide: conv tells them apart
    if spec.max_steps is not None:
        both = both.filter(both.pos >= both.n - spec.max_steps)
    per = both.group_by(["pid", "conv"]).aggregate(
        steps=ibis.struct({"pos": both.pos, "channel": both.channel}).collect(),
        amount=both.amount.max(), n=both.n.max())
    path = per.steps.sort().map(lambda s: s.channel).join(SEP)
    if spec.max_steps is not None:
        path = ibis.ifelse(per.n > spec.max_steps, ELLIPSIS + SEP + path, path)
    per = per.mutate(path=path)
    return per.group_by("path").aggregate(
        conversions=per.conv.sum(), nulls=(1 - per.conv).sum(),
        revenue=(per.amount * per.conv.cast("float64")).sum())


def attributed(source: Any, kind: str, events: ibis.Table) -> ibis.Table:
    """``s_user, s_ts, s_end, s_val``: who or what a person can be attributed to from ``s_ts``
    on (until ``s_end``, exclusive, when not null), one of :data:`ATTRIBUTED` (funnel
    breakdowns by the value valid at entry, :mod:`kpgrowth.analytics.funnel`):

    * ``kol``: the account (``posts.account``, else ``posts.author_user_key``) of the post
      of each of the person's ``events`` with a ``post_id`` (joined on ``post_id`` and on
      ``platform`` when the event has one) — the KOL or seller account whose content
      they engaged with;
    * ``promoter`` (分销推广员): the inviter (``src``) of each ``invite`` edge to the person
      (``dst``; an edge without ``ts`` counts from the start), and the ``referrer_user_key``
      of each of the person's paid orders;
    * ``community``: the community of each of the person's membership stays (from
      ``joined_at`` until ``left_at``).
    """
    import ibis

    null_ts = ibis.null("timestamp('UTC')")
    if kind == "kol":
        p = source.table("posts")
        p = p.select(p_post=p.post_id, p_platform=p.platform,
                     p_val=ibis.coalesce(p.account, p.author_user_key))
        e = events.filter(events.post_id.notnull() & events.user_key.notnull())
        j = e.join(p, [e.post_id == p.p_post,
                       e.platform.isnull() | (e.platform == p.p_platform)])
        out = j.select(s_user=j.user_key, s_ts=j.ts, s_end=null_ts, s_val=j.p_val)
    elif kind == "promoter":
        ed = source.table("edges")
        ed = ed.filter((ed.kind == "invite") & ed.dst.notnull() & ed.src.notnull())
        epoch = ibis.literal("1970-01-01T00:00:00+00:00", type="timestamp('UTC')")
        inv = ed.select(s_user=ed.dst, s_ts=ibis.coalesce(ed.ts, epoch), s_end=null_ts,
                        s_val=ed.src)
        o = source.table("orders")
        o = o.filter((o.status == "paid") & o.user_key.notnull() & o.referrer_user_key.notnull())
        ref = o.select(s_user=o.user_key, s_ts=o.ts, s_end=null_ts, s_val=o.referrer_user_key)
        types = {"s_user": "string", "s_ts": "timestamp('UTC')", "s_end": "timestamp('UTC')",
                 "s_val": "string"}  # one (nullable) type per column for the union
        out = inv.cast(types).union(ref.cast(types))
    else:
        m = source.table("memberships")
        out = m.select(s_user=m.user_key, s_ts=m.joined_at, s_end=m.left_at,
                       s_val=m.community_id)
    return out.filter(out.s_val.notnull())

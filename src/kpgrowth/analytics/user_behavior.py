"""One person's behaviour (用户行为画像) and a group's engagement (社群活跃度), on demand.

:func:`user_behavior` answers "what has this person done, what are they worth, how engaged
are they, and where are they in my funnel?" for a user of the workspace, for an anonymous
batch of events that is not stored (a visitor tracked client-side), or for both (the user's
stored history plus new events). :func:`group_engagement` is the health of a chosen set of
communities (社群). They back ``POST /v1/user_behavior`` and ``POST /v1/group_engagement``.

Definitions of :func:`user_behavior` (every number comes from the analysis that owns it,
run over the same tables, so they agree with the workspace-wide reports):

* **events**: the person's ``events`` rows (plus the new ones), counted by ``type`` and by
  ``platform`` (``"(none)"`` when missing); ``first_seen``/``last_seen`` are the first and
  last event times (UTC, ISO 8601); ``active_days`` the distinct local days with an event.
* **orders**: from ``orders`` in the workspace currency: ``orders`` paid, ``spend`` paid
  amount, ``refunds`` absolute refunded amount, ``net_spend`` = spend − refunds,
  ``products`` bought (paid). New events never create orders: an anonymous batch has none.
* **communities**: every community the person has a ``memberships`` stay in or an event of
  (``community_id`` on any event): first ``joined_at``, ``left_at`` (None while a member),
  ``member`` (True: a stay is open, False: all stays ended, None: known from events only)
  and ``messages`` (``community_message`` events there).
* **rfm**: the person's row of :func:`kpgrowth.analytics.rfm.rfm` over all buyers (None
  without a paid order).
* **engagement**: the person's row of
  :func:`kpgrowth.analytics.engagement_index.engagement_index` — raw inputs, inputs
  min–max normalized **over all users** (the new events included), ``U``, ``R_value`` and
  ``I_value`` (None without an event).
* **funnel**: the person's row of :func:`kpgrowth.analytics.funnel.funnel_positions` for
  ``steps`` (default 曝光 → 点击 → 试听 → 购买 → 完课 → 转发): ``step`` is the furthest
  step reached (1-based, 0 = never entered), ``name`` its event type.

New events are checked against the canonical ``events`` schema exactly like ingested rows
(:func:`kpgrowth.ingest.validate.validate`; naive times are in the workspace time zone)
and overlaid on the stored tables for this computation only — nothing is written.

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> t = lambda h: dt.datetime(2026, 3, 2, h, tzinfo=dt.UTC)
>>> store = memory_store(
...     events={"event_id": ["e1", "e2", "e3", "e4"], "ts": [t(1), t(2), t(3), t(4)],
...             "user_key": ["u1", "u1", "u1", "u2"], "platform": ["douyin"] * 4,
...             "type": ["impression", "click", "trailer_view", "impression"]},
...     orders={"order_id": ["o1"], "ts": [t(5)], "user_key": ["u1"], "product_id": ["c1"],
...             "amount": [99], "currency": ["CNY"], "status": ["paid"]})
>>> b = user_behavior(store, "u1")
>>> b.events, b.by_type["click"], b.orders["spend"], b.rfm["frequency"], b.rfm["monetary"]
(3, 1, 99.0, 1, 99.0)
>>> b.funnel["step"], b.funnel["name"], round(b.engagement["U"], 3)
(3, 'trailer_view', 0.333)
>>> v = user_behavior(store, events=[{"ts": "2026-03-02 20:00", "type": "impression"},
...                                  {"ts": "2026-03-02 20:01", "type": "click"}])
>>> v.user_key, v.events, v.funnel["name"], v.rfm, v.first_seen  # naive times: UTC here
('(anonymous)', 2, 'click', None, '2026-03-02T20:00:00+00:00')
>>> user_behavior(store, events=[{"ts": "yesterday", "type": "view"}])
Traceback (most recent call last):
...
kpgrowth.errors.InputError: column 'events.0.ts' value 'yesterday': not a valid timestamp
>>> try:
...     user_behavior(store, "nobody")
... except NotFoundError as exc:
...     print(exc.column, exc.value, exc.message)
user_key nobody no such user in the workspace
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics._periods import PERIODS, Calendar, check_choice, resolve_tz
from kpgrowth.analytics.funnel import DEFAULT_STEPS
from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError, NotFoundError
from kpgrowth.result import Result, jsonable

if TYPE_CHECKING:  # pragma: no cover
    import ibis
    import pyarrow as pa

ANONYMOUS = "(anonymous)"
"""The ``user_key`` new events are attributed to when no user is given."""
NONE = "(none)"
"""Platform key of events without a platform."""
MAX_EVENTS = 10_000
"""Most new events one call may describe."""
MAX_COMMUNITIES = 100
"""Most communities one :func:`group_engagement` call may ask for."""
EVENT_FIELDS: tuple[str, ...] = (
    "event_id", "ts", "type", "platform", "post_id", "product_id", "community_id",
    "campaign_id", "value", "properties")
"""Columns a new event may have (``user_key`` comes from the call)."""


class _Overlay:
    """A table source that answers some tables with given expressions, the rest from ``base``."""

    def __init__(self, base: TableSource, tables: Mapping[str, ibis.Table]) -> None:
        self.base, self.tables = base, dict(tables)
        self.settings = getattr(base, "settings", None)

    def table(self, name: str) -> ibis.Table:
        return self.tables[name] if name in self.tables else self.base.table(name)


@dataclass
class UserBehaviorResult(Result):
    """One person's behaviour summary, RFM segment, engagement index and funnel position.

    Attributes
    ----------
    user_key : str
        The user, or :data:`ANONYMOUS` for an anonymous batch of events.
    anonymous : bool
        No workspace user was given.
    new_events : int
        Events given with the call (counted in, never stored).
    events, by_type, by_platform, first_seen, last_seen, active_days
        The events summary (module docstring).
    orders : dict
        ``orders, spend, refunds, net_spend, currency, products, first_order_at,
        last_order_at``.
    communities : list of dict
        ``community_id, name, joined_at, left_at, member, messages``.
    rfm, engagement : dict or None
        The person's RFM row (with ``as_of``) and engagement row (with ``weights``).
    funnel : dict
        ``steps, step, name, entered_at, reached_at``.
    counts : list of dict
        ``type, platform, count``: events by type and platform (the table of
        :meth:`to_frame`).
    """

    user_key: str
    anonymous: bool
    new_events: int
    events: int
    by_type: dict[str, int]
    by_platform: dict[str, int]
    first_seen: str | None
    last_seen: str | None
    active_days: int
    orders: dict[str, Any]
    communities: list[dict[str, Any]] = field(default_factory=list)
    rfm: dict[str, Any] | None = None
    engagement: dict[str, Any] | None = None
    funnel: dict[str, Any] = field(default_factory=dict)
    counts: list[dict[str, Any]] = field(default_factory=list)
    tz: str = "UTC"

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.counts, columns=["type", "platform", "count"])

    def figure(self) -> Any:
        """Events by type, stacked by platform."""
        import plotly.express as px

        fig = px.bar(self.to_frame(), x="type", y="count", color="platform")
        fig.update_layout(title=f"events of {self.user_key}", xaxis_title=None)
        return fig


def _new_events(rows: Sequence[Mapping[str, Any]], user_key: str, tz: str,
                currency: str) -> pa.Table:
    """Validate ``rows`` as ``events`` rows of ``user_key``; an InputError names the first bad
    ``events.<index>.<field>``."""
    from kpgrowth.ingest.readers import rows_to_table
    from kpgrowth.ingest.validate import validate
    from kpgrowth.schema import TABLES

    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise InputError("events must be a list of event objects", column="events")
    if len(rows) > MAX_EVENTS:
        raise InputError(f"at most {MAX_EVENTS} events per call", column="events",
                         value=len(rows), hint="send fewer events or ingest them")
    prepared = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError("an event must be an object", column=f"events.{i}", value=row)
        extra = sorted(set(row) - set(EVENT_FIELDS))
        if extra:
            raise InputError("not an event field", column=f"events.{i}.{extra[0]}",
                             hint="use " + ", ".join(EVENT_FIELDS))
        for k, v in row.items():
            if isinstance(v, str) and "\x00" in v:
                raise InputError("NUL characters are not allowed", column=f"events.{i}.{k}")
        prepared.append({"event_id": f"request-{i}", **row, "user_key": user_key})
    columns = ["event_id", "ts", "type", "user_key",
               *[c for c in EVENT_FIELDS[3:] if any(c in r for r in prepared)]]
    checked = validate(rows_to_table(prepared, columns), TABLES["events"], tz=tz,
                       currency=currency)
    if checked.problems:
        i, col, value, reason = min(checked.problems, key=lambda p: p[0])
        raise InputError(reason, column=f"events.{i}.{col}", value=value)
    return checked.good


def _with_new_events(source: TableSource, new: pa.Table | None) -> TableSource:
    if new is None or not new.num_rows:
        return source
    import ibis

    stored = source.table("events")
    return _Overlay(source, {"events": stored.union(ibis.memtable(new).cast(stored.schema()))})


def _check_id(value: Any, column: str) -> None:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise InputError("must be a non-empty string without NUL characters", column=column,
                         value=value)


def _known(source: TableSource, user_key: str) -> bool:
    for name in ("users", "events", "orders", "memberships"):
        t = source.table(name)
        if t.filter(t.user_key == user_key).count().to_pyarrow().as_py():
            return True
    return False


def _iso(value: Any) -> str | None:
    return None if value is None else jsonable(value)


def _event_summary(ev: ibis.Table, cal: Calendar) -> dict[str, Any]:
    counts = (ev.group_by(["type", "platform"]).aggregate(count=ev.count())
              .to_pyarrow().to_pylist())
    counts = [{"type": r["type"], "platform": r["platform"] or NONE, "count": int(r["count"])}
              for r in counts]
    counts.sort(key=lambda r: (-r["count"], r["type"], r["platform"]))
    by_type: dict[str, int] = {}
    by_platform: dict[str, int] = {}
    for r in counts:
        by_type[r["type"]] = by_type.get(r["type"], 0) + r["count"]
        by_platform[r["platform"]] = by_platform.get(r["platform"], 0) + r["count"]
    span = ev.aggregate(first=ev.ts.min(), last=ev.ts.max(),
                        days=cal.day(ev.ts).nunique()).to_pyarrow().to_pylist()[0]
    return {"events": sum(by_type.values()), "by_type": dict(sorted(by_type.items())),
            "by_platform": dict(sorted(by_platform.items())), "counts": counts,
            "first_seen": _utc_iso(span["first"]), "last_seen": _utc_iso(span["last"]),
            "active_days": int(span["days"] or 0)}


def _utc_iso(value: Any) -> str | None:
    import datetime as dt

    if value is None:
        return None
    if value.tzinfo is None:  # Spark returns naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _order_summary(source: TableSource, user_key: str, currency: str) -> dict[str, Any]:
    import ibis

    o = source.table("orders")
    o = o.filter((o.user_key == user_key) & (o.currency == currency))
    amt = o.amount.cast("float64")
    paid = o.status == "paid"
    row = o.aggregate(
        orders=paid.cast("int64").sum(),
        spend=ibis.ifelse(paid, amt, 0.0).sum(),
        refunds=ibis.ifelse(o.status == "refunded", amt.abs(), 0.0).sum(),
        first=ibis.ifelse(paid, o.ts, ibis.null()).min(),
        last=ibis.ifelse(paid, o.ts, ibis.null()).max()).to_pyarrow().to_pylist()[0]
    p = o.filter(o.status == "paid")
    products = sorted(p.select("product_id").distinct().to_pyarrow().column(0).to_pylist())
    spend, refunds = round(float(row["spend"] or 0.0), 2), round(float(row["refunds"] or 0.0), 2)
    return {"orders": int(row["orders"] or 0), "spend": spend, "refunds": refunds,
            "net_spend": round(spend - refunds, 2), "currency": currency, "products": products,
            "first_order_at": _utc_iso(row["first"]), "last_order_at": _utc_iso(row["last"])}


def _communities(source: TableSource, ev: ibis.Table, user_key: str) -> list[dict[str, Any]]:
    m = source.table("memberships")
    m = m.filter(m.user_key == user_key)
    stays = m.group_by("community_id").aggregate(
        joined_at=m.joined_at.min(), open=m.left_at.isnull().cast("int64").sum(),
        left_at=m.left_at.max()).to_pyarrow().to_pylist()
    e = ev.filter(ev.community_id.notnull())
    seen = e.group_by("community_id").aggregate(
        messages=(e.type == "community_message").cast("int64").sum()).to_pyarrow().to_pylist()
    messages = {r["community_id"]: int(r["messages"]) for r in seen}
    ids = sorted({r["community_id"] for r in stays} | set(messages))
    if not ids:
        return []
    c = source.table("communities")
    names = {r["community_id"]: r["name"] for r in c.filter(c.community_id.isin(ids))
             .select("community_id", "name").to_pyarrow().to_pylist()}
    by_id = {r["community_id"]: r for r in stays}
    out = []
    for cid in ids:
        s = by_id.get(cid)
        member = None if s is None else bool(s["open"])
        out.append({"community_id": cid, "name": names.get(cid),
                    "joined_at": _utc_iso(s["joined_at"]) if s else None,
                    "left_at": _utc_iso(s["left_at"]) if s and not member else None,
                    "member": member, "messages": messages.get(cid, 0)})
    return out


def _funnel_position(source: TableSource, steps: Sequence[Any], window: Any,
                     user_key: str) -> dict[str, Any]:
    from kpgrowth.analytics.funnel import funnel_positions
    from kpgrowth.analytics.funnel_query import parse_steps

    labels = [s.label for s in parse_steps(steps)]
    pos = funnel_positions(source, steps, window=window)
    rows = pos.filter(pos.user_key == user_key).to_pyarrow().to_pylist()
    if not rows:
        return {"steps": labels, "step": 0, "name": None, "entered_at": None,
                "reached_at": None}
    r = max(rows, key=lambda x: (x["step"], x["entered_at"]))
    return {"steps": labels, "step": int(r["step"]), "name": labels[int(r["step"]) - 1],
            "entered_at": _utc_iso(r["entered_at"]), "reached_at": _utc_iso(r["reached_at"])}


def user_behavior(source: TableSource, user_key: str | None = None, *,
                  events: Sequence[Mapping[str, Any]] | None = None,
                  steps: Sequence[str | Mapping[str, Any]] = DEFAULT_STEPS,
                  window: str = "14d", tz: str | None = None,
                  currency: str | None = None) -> UserBehaviorResult:
    """Summarize one person: events, orders, communities, RFM, engagement, funnel position.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    user_key : str, optional
        A user of the workspace (in ``users`` or with an event, order or membership).
    events : list of dict, optional
        New events of that user, or of an anonymous visitor when ``user_key`` is None:
        :data:`EVENT_FIELDS` keys (``ts`` and ``type`` required), validated like ingested
        rows and never stored.
    steps : sequence of str or dict
        The funnel to place the person in (:func:`kpgrowth.analytics.funnel.funnel`).
    window : str
        Its conversion window.
    tz, currency : str, optional
        Time zone of naive times and local days, and currency of the money figures
        (default: the workspace's).

    Returns
    -------
    UserBehaviorResult

    Raises
    ------
    InputError
        Neither ``user_key`` nor ``events``, or a bad event (``column`` is
        ``events.<index>.<field>``).
    NotFoundError
        ``user_key`` is not in the workspace.
    """
    from kpgrowth.analytics.engagement_index import engagement_index
    from kpgrowth.analytics.rfm import rfm

    if user_key is None and events is None:
        raise InputError("give a user_key, events or both", column="user_key",
                         hint="events describe an anonymous visitor")
    if user_key is not None:
        _check_id(user_key, "user_key")
    tz = resolve_tz(source, tz)
    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    if user_key is not None and not _known(source, user_key):
        raise NotFoundError("no such user in the workspace", column="user_key", value=user_key,
                            hint="pass events to describe an anonymous visitor")
    key = user_key if user_key is not None else ANONYMOUS
    new = _new_events(events, key, tz, currency) if events is not None else None
    view = _with_new_events(source, new)
    ev = view.table("events")
    ev = ev.filter(ev.user_key == key)
    mine = _Overlay(view, {"events": ev})  # per-person analyses only need the person's events

    summary = _event_summary(ev, Calendar(view, tz, "day"))
    orders = _order_summary(source, key, currency)
    r = None
    if orders["orders"]:
        res = rfm(source, currency=currency, tz=tz)
        r = next(({**u, "as_of": res.as_of} for u in res.users if u["user_key"] == key), None)
    e = None
    if summary["events"]:
        ix = engagement_index(view, currency=currency)
        e = next(({**u, "weights": ix.weights} for u in ix.rows if u["user_key"] == key), None)
    return UserBehaviorResult(
        user_key=key, anonymous=user_key is None,
        new_events=0 if new is None else new.num_rows, events=summary["events"],
        by_type=summary["by_type"], by_platform=summary["by_platform"],
        first_seen=summary["first_seen"], last_seen=summary["last_seen"],
        active_days=summary["active_days"], orders=orders,
        communities=_communities(source, ev, key), rfm=r, engagement=e,
        funnel=_funnel_position(mine, steps, window, key), counts=summary["counts"], tz=tz)


@dataclass
class GroupEngagementResult(Result):
    """Community health of the communities asked for.

    Attributes
    ----------
    period : str
        day, week or month.
    requested, known, unknown : list of str
        The community ids asked for, those in the workspace (``communities``,
        ``memberships`` or community events) and the rest.
    rows : list of dict
        Their rows of :func:`kpgrowth.analytics.community.community_health`, unchanged (every
        column it has, e.g. members, active_share, messages_per_member, conversion,
        retention).
    latest : list of dict
        Each community's last row (its most recent period).
    """

    period: str
    requested: list[str]
    known: list[str]
    unknown: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    latest: list[dict[str, Any]] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    tz: str = "UTC"

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows)

    def figure(self, metric: str = "active_share") -> Any:
        """One line per community of ``metric`` over the periods."""
        import plotly.express as px

        fig = px.line(self.to_frame(), x="period", y=metric, color="community_id",
                      markers=True)
        fig.update_layout(title=f"{metric} per community and {self.period}")
        return fig


def _community_ids(source: TableSource, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for name in ("communities", "memberships", "events"):
        t = source.table(name)
        t = t.filter(t.community_id.isin(ids)).select("community_id").distinct()
        found |= set(t.to_pyarrow().column(0).to_pylist())
    return found


def group_engagement(source: TableSource, community_ids: Sequence[str], *,
                     period: str = "week", start: str | None = None, end: str | None = None,
                     tz: str | None = None) -> GroupEngagementResult:
    """Health of the communities ``community_ids``: their rows of ``community_health``.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    community_ids : sequence of str
        1 to :data:`MAX_COMMUNITIES` community ids; unknown ones are reported in
        ``unknown``.
    period : {"day", "week", "month"}
        Period length.
    start, end : str, optional
        Local days (``YYYY-MM-DD``) whose periods to report.
    tz : str, optional
        Time zone of periods (default: the workspace's, else UTC).

    Returns
    -------
    GroupEngagementResult

    Raises
    ------
    NotFoundError
        None of the communities is in the workspace.

    Examples
    --------
    >>> import datetime as dt
    >>> from kpgrowth.store import memory_store
    >>> d = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    >>> store = memory_store(memberships={"community_id": ["g", "h"], "user_key": ["a", "b"],
    ...                                   "joined_at": [d, d]})
    >>> g = group_engagement(store, ["g", "zz"], end="2026-01-05", tz="UTC")
    >>> g.known, g.unknown, [(r["community_id"], r["members"]) for r in g.rows]
    (['g'], ['zz'], [('g', 1)])
    """
    from kpgrowth.analytics.community import community_health

    check_choice("period", period, PERIODS, "group_engagement")
    if isinstance(community_ids, str):
        community_ids = [community_ids]
    ids = list(dict.fromkeys(community_ids))
    if not ids or len(ids) > MAX_COMMUNITIES:
        raise InputError(f"give 1 to {MAX_COMMUNITIES} community ids", column="community_ids",
                         value=len(ids))
    for i, c in enumerate(ids):
        _check_id(c, f"community_ids.{i}")
    found = _community_ids(source, ids)
    known = [c for c in ids if c in found]
    unknown = [c for c in ids if c not in found]
    if not known:
        raise NotFoundError("none of these communities is in the workspace",
                            column="community_ids", value=", ".join(ids))
    res = community_health(source, period=period, start=start, end=end, tz=tz)
    rows = [r for r in res.rows if r["community_id"] in set(known)]
    last = {r["community_id"]: r for r in rows}  # rows are ordered by community, then period
    return GroupEngagementResult(period, ids, known, unknown, rows,
                                 [last[c] for c in known if c in last], start, end, res.tz)

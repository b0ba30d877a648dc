"""Paths to purchase (购买路径): the sequences of touches people most often take before buying.

Each purchase gets the path of its buyer's touches before it, built by the same Ibis
expressions as multi-touch attribution (:mod:`kpgrowth.analytics.attribution_paths`,
whose docstring is the contract):

* a **purchase** is a paid order in the workspace currency (renewals left out unless
  ``include_renewals``), or with ``conversion="purchase"`` a ``purchase`` event;
* its **path** is the buyer's touches (events of ``touch_types``, default
  :data:`PATH_TOUCH_TYPES`) within ``lookback`` before it and after their previous
  purchase, in time order; a **step** is the event ``type`` (default), its ``platform``
  or both (``"click@douyin"``) — or a campaign, post or marketing channel;
* consecutive repeats of one step are collapsed (``collapse``) and a path longer than
  ``max_steps`` keeps its last steps behind a leading ``"…"``.

For comparison each path also gets its **non-converting** count: people whose touches
after their last purchase (all of them if they never bought), within ``lookback`` of
their last touch, form the same path without a purchase. ``conversion_rate`` = purchases
/ (purchases + non-converting) is then the share of journeys along that path that ended in
a purchase (one per purchase, one per person who has not bought since).

Everything up to one row per distinct path runs in Ibis (window functions, collect), so it
works the same on DuckDB and Spark; only the top paths and the totals reach Python.

Examples
--------
>>> import datetime as dt
>>> from kpgrowth.store import memory_store
>>> t = lambda h: dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=h)
>>> store = memory_store(
...     events={"event_id": [f"e{i}" for i in range(7)],
...             "ts": [t(0), t(1), t(2), t(0), t(1), t(0), t(1)],
...             "user_key": ["a", "a", "a", "b", "b", "c", "c"],
...             "type": ["impression", "impression", "click", "impression", "click",
...                      "impression", "click"]},
...     orders={"order_id": ["o1", "o2"], "ts": [t(3), t(2)], "user_key": ["a", "b"],
...             "product_id": ["p1", "p1"], "amount": [99, 99], "currency": ["CNY", "CNY"],
...             "status": ["paid", "paid"]})
>>> r = purchase_paths(store, tz="UTC")
>>> [(p["path"], p["purchases"], p["non_converting"], p["conversion_rate"]) for p in r.rows]
[('impression > click', 2, 1, 0.667)]
>>> r.purchases, r.without_touch
(2, 0)
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from kpgrowth.analytics.attribution_paths import (
    CONVERSIONS,
    DIMENSIONS,
    SEP,
    STEP_DIMENSIONS,
    PathSpec,
    conversions,
    path_counts,
)
from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError
from kpgrowth.result import Result
from kpgrowth.schema import EVENT_TYPES
from kpgrowth.timeutil import utc_bounds

PATH_TOUCH_TYPES: tuple[str, ...] = (
    "impression", "view", "click", "landing", "trailer_view", "signup", "add_to_cart",
    "coupon_claim", "community_join")
"""Event types that are steps of a path by default (曝光, 播放, 点击, 落地页, 试听, 注册,
加购, 领券, 入群)."""

STEPS: tuple[str, ...] = STEP_DIMENSIONS + ("platform",) + tuple(
    d for d in DIMENSIONS if d != "platform")
"""What a step is: ``type``, ``type@platform``, ``platform``, ``campaign``, ``post``,
``channel``."""

COLUMNS = ["rank", "path", "steps", "purchases", "share", "revenue", "non_converting",
           "conversion_rate"]


@dataclass
class PathsResult(Result):
    """The most common paths before a purchase.

    Attributes
    ----------
    rows : list of dict
        Top paths, most purchases first (ties: fewer non-converting, then the path):
        ``rank`` (1-based), ``path`` (steps joined by ``" > "``), ``steps`` (list),
        ``purchases``, ``share`` (of all purchases, ``purchases``), ``revenue``,
        ``non_converting``, ``conversion_rate`` (rounded to 3 digits; None without
        journeys).
    purchases : int
        All purchases of the period, with or without touches.
    without_touch : int
        Purchases without any touch in the lookback (no path; 直接购买).
    distinct_paths : int
        Distinct paths that led to at least one purchase.
    params : dict
        The options used.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    purchases: int = 0
    without_touch: int = 0
    distinct_paths: int = 0
    step: str = "type"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def figure(self, kind: str = "bar") -> Any:
        """Horizontal bars of the top paths' purchases (``kind="bar"``), or a Sankey
        diagram of their steps flowing into the purchase (``kind="sankey"``)."""
        import plotly.graph_objects as go

        if kind == "sankey":
            return self._sankey()
        if kind != "bar":
            raise InputError(f"unknown figure kind {kind!r}", hint="use 'bar' or 'sankey'")
        rows = self.rows[::-1]  # largest on top
        text = [f"{r['share']:.1%} of purchases" + (
            f" · {r['conversion_rate']:.1%} convert" if r["conversion_rate"] is not None
            else "") for r in rows]
        fig = go.Figure(go.Bar(x=[r["purchases"] for r in rows], y=[r["path"] for r in rows],
                               orientation="h", text=text, textposition="auto"))
        fig.update_layout(title=f"Top paths to purchase (steps: {self.step})",
                          xaxis_title="purchases", yaxis_title=None,
                          height=max(300, 40 * len(rows) + 120))
        return fig

    def _sankey(self) -> Any:
        import plotly.graph_objects as go

        nodes: dict[tuple[int, str], int] = {}
        links: dict[tuple[int, int], int] = {}
        buy = (0, "purchase")

        def node(key: tuple[int, str]) -> int:
            return nodes.setdefault(key, len(nodes))

        for r in self.rows:  # align paths on the purchase: key = steps before it
            chain = [(len(r["steps"]) - i, s) for i, s in enumerate(r["steps"])] + [buy]
            for a, b in itertools.pairwise(chain):
                k = (node(a), node(b))
                links[k] = links.get(k, 0) + r["purchases"]
        labels = [s for _, s in sorted(nodes, key=nodes.__getitem__)]
        fig = go.Figure(go.Sankey(
            node={"label": labels, "pad": 12},
            link={"source": [a for a, _ in links], "target": [b for _, b in links],
                  "value": list(links.values())}))
        fig.update_layout(title=f"Top paths to purchase (steps: {self.step})")
        return fig


def _check(top: int, step: str, max_steps: int | None, conversion: str,
           touch_types: tuple[str, ...]) -> None:
    func = "purchase_paths"
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InputError(f"The 'top' parameter of {func} must be an int >= 1. "
                         f"Got {top!r} instead.", hint="e.g. top=10")
    if step not in STEPS:
        raise InputError(f"The 'step' parameter of {func} must be one of "
                         f"{', '.join(map(repr, STEPS))}. Got {step!r} instead.",
                         hint="'type' gives paths like impression > click > trailer_view")
    if max_steps is not None and (not isinstance(max_steps, int) or isinstance(max_steps, bool)
                                  or max_steps < 1):
        raise InputError(f"The 'max_steps' parameter of {func} must be an int >= 1 or None. "
                         f"Got {max_steps!r} instead.", hint="e.g. max_steps=6")
    if conversion not in CONVERSIONS:
        raise InputError(f"The 'conversion' parameter of {func} must be one of "
                         f"{', '.join(map(repr, CONVERSIONS))}. Got {conversion!r} instead.")
    for t in touch_types:
        if t not in EVENT_TYPES:
            raise InputError(f"unknown touch event type {t!r}", column="touch_types", value=t,
                             hint="use event types such as " + ", ".join(PATH_TOUCH_TYPES))
        if t in ("purchase", "refund"):
            raise InputError(f"{t!r} cannot be a step before a purchase",
                             column="touch_types", value=t,
                             hint="purchases end paths; leave them out of touch_types")


def purchase_paths(source: TableSource, *, top: int = 10, step: str = "type",
                   lookback: str | int | dt.timedelta = "30d",
                   touch_types: tuple[str, ...] | list[str] | None = None,
                   max_steps: int | None = 6, collapse: bool = True,
                   conversion: str = "orders", start: str | None = None,
                   end: str | None = None, include_renewals: bool = False,
                   currency: str | None = None, tz: str | None = None) -> PathsResult:
    """The ``top`` most common paths of touches before the purchases of ``start``..``end``.

    Parameters
    ----------
    source : Workspace or Store
        Where ``events`` and ``orders`` (and ``campaigns`` for ``step="channel"``) are.
    top : int
        How many paths to report.
    step : {"type", "type@platform", "platform", "campaign", "post", "channel"}
        What a step of a path is (module docstring).
    lookback : str, int or timedelta
        How far before a purchase a touch may be (``"30d"``; a number means days).
    touch_types : sequence of str, optional
        Event types that are steps (default :data:`PATH_TOUCH_TYPES`).
    max_steps : int or None
        Keep the last ``max_steps`` steps of longer paths, after a ``"…"`` step.
    collapse : bool
        Count a run of consecutive equal steps as one step.
    conversion : {"orders", "purchase"}
        Purchases are paid orders, or ``purchase`` events.
    start, end : str, optional
        First and last local day of the purchases (``YYYY-MM-DD``); default all time.
    include_renewals : bool
        Count subscription renewal orders as purchases.
    currency, tz : str, optional
        Orders' currency and time zone of days (default: the workspace's).

    Returns
    -------
    PathsResult

    Examples
    --------
    ``purchase_paths(ws, step="type@platform", lookback="14d", top=5).to_frame()`` — the
    five most common platform-specific journeys of the last two weeks before buying.
    """
    import ibis

    from kpgrowth.analytics.attribution import parse_lookback

    touch_types = tuple(touch_types) if touch_types is not None else PATH_TOUCH_TYPES
    _check(top, step, max_steps, conversion, touch_types)
    if not touch_types:
        raise InputError("touch_types is empty", hint="leave it unset for the defaults")
    settings = getattr(source, "settings", None)
    lo, hi = utc_bounds(start, end, tz or (settings.timezone if settings else "UTC"))
    spec = PathSpec(dimension=step, lookback_s=parse_lookback(lookback),
                    touch_types=touch_types, collapse=bool(collapse),
                    include_renewals=include_renewals,
                    currency=currency or (settings.currency if settings else "CNY"),
                    lo=lo, hi=hi, conversion=conversion, max_steps=max_steps)
    pc = path_counts(source, spec)
    bought = pc.filter(pc.conversions > 0)
    kind = "kind"
    cols = {"path": "string", "conversions": "int64", "nulls": "int64", "revenue": "float64"}

    def shape(t: Any, tag: str) -> Any:
        return t.select(**{kind: ibis.literal(tag)},
                        **{c: t[c].cast(ty) for c, ty in cols.items()})

    best = bought.order_by([ibis.desc("conversions"), "nulls", "path"]).limit(top)
    tot = bought.aggregate(path=ibis.literal("", "string"), conversions=bought.conversions.sum(),
                           nulls=bought.count(), revenue=bought.revenue.sum())
    conv = conversions(source, spec)
    allc = conv.aggregate(path=ibis.literal("", "string"), conversions=conv.count(),
                          nulls=ibis.literal(0, "int64"), revenue=conv.amount.sum())
    rows = ibis.union(shape(best, "top"), shape(tot, "paths"),
                      shape(allc, "all")).to_pyarrow().to_pylist()
    totals = {r[kind]: r for r in rows if r[kind] != "top"}
    n_all = int(totals.get("all", {}).get("conversions") or 0)
    n_path = int(totals.get("paths", {}).get("conversions") or 0)
    tops = sorted((r for r in rows if r[kind] == "top"),
                  key=lambda r: (-r["conversions"], r["nulls"], r["path"]))
    out = []
    for i, r in enumerate(tops, start=1):
        p, q = int(r["conversions"]), int(r["nulls"])
        out.append({"rank": i, "path": r["path"], "steps": r["path"].split(SEP),
                    "purchases": p, "share": p / n_all if n_all else 0.0,
                    "revenue": round(float(r["revenue"] or 0.0), 2), "non_converting": q,
                    "conversion_rate": round(p / (p + q), 3) if p + q else None})
    params = {"lookback_s": spec.lookback_s, "touch_types": list(touch_types),
              "max_steps": max_steps, "collapse": collapse, "conversion": conversion,
              "start": start, "end": end, "top": top}
    return PathsResult(out, n_all, n_all - n_path,
                       int(totals.get("paths", {}).get("nulls") or 0), step, params)

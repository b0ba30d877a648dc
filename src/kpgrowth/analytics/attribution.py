"""Multi-touch attribution: which channels get the credit for each order.

Every paid order is given the path of its buyer's touches before it (definitions of
touch, conversion and path: :mod:`kpgrowth.analytics.attribution_paths`; defaults: touch
types impression, view, click, landing, trailer_view; channel = ``platform``; lookback
30 days; paths start after the buyer's previous order; consecutive repeats collapsed).
Each model then splits one order (and its amount) over the touches of its path:

``first``  all credit to the first touch; ``last`` all to the last touch;
``linear`` ``1/n`` to each of ``n`` touches;
``time_decay``  weight ``2 ** (-age / half_life)`` (age from touch to order), normalised
per order (default half-life 7 days);
``position``  40 % first, 40 % last, 20 % shared by the middle touches (a one-touch path
gives 100 % to its touch, a two-touch path 50/50);
``markov``, ``shapley``  data-driven on the aggregated paths
(:mod:`kpgrowth.analytics.attribution_data_driven`).

Rule-based credits are computed in Ibis; data-driven ones in numpy on the distinct-path
counts (also aggregated in Ibis). Credits of every model add up to the attributed orders
and their revenue; orders with no touch in the window are reported as unattributed.
Refunds cannot be linked to a path (no order reference) and are not subtracted here.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> res = attribute(ws, model="linear")
>>> res.attributed_orders, res.to_frame().shape
(0.0, (0, 5))
>>> parse_lookback("2w"), parse_lookback(3)
(1209600, 259200)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kpgrowth.analytics.attribution_paths import (
    DEFAULT_TOUCH_TYPES,
    DIMENSIONS,
    SEP,
    PathSpec,
    order_touches,
    path_counts,
)
from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError
from kpgrowth.result import Result
from kpgrowth.timeutil import utc_bounds

RULE_MODELS: tuple[str, ...] = ("first", "last", "linear", "time_decay", "position")
DATA_MODELS: tuple[str, ...] = ("markov", "shapley")
MODELS: tuple[str, ...] = RULE_MODELS + DATA_MODELS
_COLUMNS = ["channel", "orders", "revenue", "share", "revenue_share"]


@dataclass
class AttributionResult(Result):
    """Credited orders and revenue per channel under one model.

    Attributes
    ----------
    model, dimension : str
        The model and what a channel is.
    rows : list of dict
        ``channel, orders, revenue, share, revenue_share`` (credited, largest first).
    attributed_orders, attributed_revenue : float
        Orders with a non-empty path and their amount: the totals the credits add up to.
    unattributed_orders, unattributed_revenue : float
        Conversions without any touch in the window.
    params : dict
        ``lookback_s, touch_types, collapse, half_life_days, position_weights,
        start, end``; for ``markov`` also ``removal_effects``.
    """

    model: str
    dimension: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    attributed_orders: float = 0.0
    attributed_revenue: float = 0.0
    unattributed_orders: float = 0.0
    unattributed_revenue: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=_COLUMNS)

    def shares(self) -> dict[str, float]:
        """Channel → share of credited orders."""
        return {r["channel"]: r["share"] for r in self.rows}

    def figure(self, metric: str = "orders") -> Any:
        """Bar chart of credited ``metric`` (orders or revenue) per channel."""
        import plotly.express as px

        fig = px.bar(self.to_frame(), x="channel", y=metric)
        fig.update_layout(title=f"{metric} credited by {self.model} ({self.dimension})")
        return fig


@dataclass
class ModelComparison(Result):
    """Every model's credits side by side (``rows``: one per model and channel)."""

    dimension: str
    models: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    attributed_orders: float = 0.0
    unattributed_orders: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)
    results: dict[str, AttributionResult] = field(default_factory=dict, repr=False)

    def result(self, model: str) -> AttributionResult:
        """The full :class:`AttributionResult` of one of the models."""
        return self.results[model]

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.pop("results", None)
        return d

    def to_frame(self, metric: str = "orders") -> Any:
        """Channels × models table of ``metric`` (orders, revenue, share, revenue_share)."""
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=["model", *_COLUMNS])
        if df.empty:
            return pd.DataFrame(columns=["channel", *self.models])
        wide = df.pivot(index="channel", columns="model", values=metric).fillna(0.0)
        return wide.reindex(columns=self.models).reset_index().rename_axis(columns=None)

    def figure(self, metric: str = "share") -> Any:
        """Grouped bars: ``metric`` per channel, one colour per model."""
        import pandas as pd
        import plotly.express as px

        df = pd.DataFrame(self.rows, columns=["model", *_COLUMNS])
        fig = px.bar(df, x="channel", y=metric, color="model", barmode="group")
        fig.update_layout(title=f"Attribution models compared ({self.dimension})")
        return fig


def parse_lookback(lookback: str | float | dt.timedelta) -> int:
    """Seconds in a lookback: ``"30d"``, ``"12h"``, ``"2w"``, a number of days or a timedelta."""
    from kpgrowth.timeutil import duration_seconds

    seconds = duration_seconds(lookback, number_unit=86400)
    seconds = -1 if seconds is None else seconds
    if seconds <= 0:
        raise InputError(f"the lookback must be a positive duration, got {lookback!r}",
                         hint='write e.g. "30d", "12h", "2w" or a number of days (at most ten years)')
    return int(seconds)


def _spec(source: TableSource, dimension: str, lookback: Any, start: str | None,
          end: str | None, touch_types: tuple[str, ...] | None, collapse: bool,
          include_renewals: bool, currency: str | None, tz: str | None) -> PathSpec:
    if dimension not in DIMENSIONS:
        raise InputError(f"unknown attribution dimension {dimension!r}",
                         hint=f"use one of {', '.join(DIMENSIONS)}")
    settings = getattr(source, "settings", None)
    lo, hi = utc_bounds(start, end, tz or (settings.timezone if settings else "UTC"))
    return PathSpec(dimension=dimension, lookback_s=parse_lookback(lookback),
                    touch_types=tuple(touch_types or DEFAULT_TOUCH_TYPES), collapse=collapse,
                    include_renewals=include_renewals,
                    currency=currency or (settings.currency if settings else "CNY"), lo=lo, hi=hi)


def _rule_credits(t: Any, half_life_days: float, weights: tuple[float, float, float]) -> Any:
    """Add one credit column per rule-based model to the (order, touch) rows."""
    import ibis

    first, middle, last = weights
    decay = ibis.literal(0.5) ** (t.age_s / (half_life_days * 86400.0))
    t = t.mutate(_w=decay)
    end = t.pos == t.n - 1
    two = first / (first + last)
    position = (ibis.cases((t.n == 1, 1.0), (t.n == 2, ibis.ifelse(t.pos == 0, two, 1 - two)),
                           (t.pos == 0, first), (end, last),
                           else_=middle / (t.n - 2).cast("float64")))
    return t.mutate(first=ibis.ifelse(t.pos == 0, 1.0, 0.0), last=ibis.ifelse(end, 1.0, 0.0),
                    linear=1.0 / t.n.cast("float64"),
                    time_decay=t._w / t._w.sum().over(ibis.window(group_by=t.order_id)),
                    position=position)


def _rows(credit: dict[str, tuple[float, float]], orders: float, revenue: float) -> list[dict]:
    rows = [{"channel": c, "orders": o, "revenue": round(r, 2),
             "share": o / orders if orders else 0.0,
             "revenue_share": r / revenue if revenue else 0.0}
            for c, (o, r) in credit.items() if abs(o) > 1e-12 or abs(r) > 1e-9]
    return sorted(rows, key=lambda r: (-r["orders"], r["channel"]))


def _compute(source: TableSource, spec: PathSpec, models: list[str], half_life_days: float,
             weights: tuple[float, float, float]) -> dict[str, Any]:
    from kpgrowth.analytics import attribution_data_driven as dd
    from kpgrowth.analytics.attribution_paths import conversions

    conv = conversions(source, spec)
    total = conv.aggregate(n=conv.count(), rev=conv.amount.sum()).to_pyarrow().to_pylist()[0]
    out: dict[str, Any] = {"orders": 0.0, "revenue": 0.0, "total_orders": float(total["n"] or 0),
                           "total_revenue": float(total["rev"] or 0.0), "credits": {}}
    if any(m in RULE_MODELS for m in models):
        t = _rule_credits(order_touches(source, spec), half_life_days, weights)
        aggs = {f"{m}_o": t[m].sum() for m in RULE_MODELS}
        aggs.update({f"{m}_r": (t[m] * t.amount).sum() for m in RULE_MODELS})
        per = t.group_by("channel").aggregate(**aggs).to_pyarrow().to_pylist()
        out["orders"] = float(sum(float(r["first_o"]) for r in per))
        out["revenue"] = float(sum(float(r["first_r"]) for r in per))
        for m in RULE_MODELS:
            out["credits"][m] = {r["channel"]: (float(r[f"{m}_o"]), float(r[f"{m}_r"]))
                                 for r in per}
    if any(m in DATA_MODELS for m in models):
        pc = path_counts(source, spec).to_pyarrow().to_pylist()
        out["orders"] = float(sum(r["conversions"] for r in pc))
        out["revenue"] = float(sum(r["revenue"] for r in pc))
        paths = [tuple(r["path"].split(SEP)) for r in pc]
        conv_n = [float(r["conversions"]) for r in pc]
        rev = [float(r["revenue"]) for r in pc]
        re = dd.markov_removal_effects(paths, conv_n, [float(r["nulls"]) for r in pc])
        s = sum(re.values())
        share = {c: (v / s if s > 0 else 0.0) for c, v in re.items()}
        out["credits"]["markov"] = {c: (share[c] * out["orders"], share[c] * out["revenue"])
                                    for c in share}
        out["removal_effects"] = re
        so, sr = dd.shapley_values(paths, conv_n), dd.shapley_values(paths, rev)
        out["credits"]["shapley"] = {c: (so[c], sr.get(c, 0.0)) for c in so}
        out["paths"] = sorted(pc, key=lambda r: (-r["conversions"], -r["nulls"], r["path"]))
    return out


def attribute(source: TableSource, *, model: str = "last", dimension: str = "platform",
              lookback: str | int | dt.timedelta = "30d", start: str | None = None,
              end: str | None = None, half_life: float = 7.0,
              position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
              touch_types: tuple[str, ...] | None = None, collapse: bool = True,
              include_renewals: bool = False, currency: str | None = None,
              tz: str | None = None) -> AttributionResult:
    """Credit each paid order of local days ``start``..``end`` to the channels of its path.

    Parameters
    ----------
    source : Workspace or Store
        Where ``events``, ``orders`` and ``campaigns`` are.
    model : {"first", "last", "linear", "time_decay", "position", "markov", "shapley"}
        How credit is split (module docstring).
    dimension : {"platform", "campaign", "post", "channel"}
        What a touch's channel is (:mod:`kpgrowth.analytics.attribution_paths`).
    lookback : str, int or timedelta
        How far before an order a touch may be (``"30d"``; a number means days).
    start, end : str, optional
        First and last local day of the orders (``YYYY-MM-DD``); default all time.
    half_life : float
        Half-life in days of ``time_decay``.
    position_weights : (float, float, float)
        First, middle (shared) and last shares of ``position``.
    touch_types : tuple of str, optional
        Event types that are touches (default :data:`DEFAULT_TOUCH_TYPES`).
    collapse : bool
        Count a run of consecutive touches of one channel as one touch.
    include_renewals : bool
        Treat subscription renewal orders as conversions too.
    currency, tz : str, optional
        Orders' currency and the time zone of days (default: the workspace's).
    """
    if model not in MODELS:
        raise InputError(f"unknown attribution model {model!r}", hint=f"use one of {', '.join(MODELS)}")
    return compare_models(source, models=[model], dimension=dimension, lookback=lookback,
                          start=start, end=end, half_life=half_life,
                          position_weights=position_weights, touch_types=touch_types,
                          collapse=collapse, include_renewals=include_renewals,
                          currency=currency, tz=tz).result(model)


def compare_models(source: TableSource, *, models: list[str] | None = None,
                   dimension: str = "platform", lookback: str | int | dt.timedelta = "30d",
                   start: str | None = None, end: str | None = None, half_life: float = 7.0,
                   position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
                   touch_types: tuple[str, ...] | None = None, collapse: bool = True,
                   include_renewals: bool = False, currency: str | None = None,
                   tz: str | None = None) -> ModelComparison:
    """Run several models (default all of :data:`MODELS`) on the same paths.

    Parameters are those of :func:`attribute`. ``result(model)`` of the returned object
    gives each model's :class:`AttributionResult`.
    """
    models = list(models or MODELS)
    bad = [m for m in models if m not in MODELS]
    if bad:
        raise InputError(f"unknown attribution model {bad[0]!r}", hint=f"use one of {', '.join(MODELS)}")
    if half_life <= 0 or len(position_weights) != 3 or min(position_weights) < 0 \
            or abs(sum(position_weights) - 1) > 1e-9:
        raise InputError("half_life must be > 0 and position_weights three shares >= 0 summing to 1",
                         value=(half_life, position_weights))
    spec = _spec(source, dimension, lookback, start, end, touch_types, collapse,
                 include_renewals, currency, tz)
    out = _compute(source, spec, models, half_life, tuple(position_weights))
    params = {"lookback_s": spec.lookback_s, "touch_types": list(spec.touch_types),
              "collapse": collapse, "half_life_days": half_life,
              "position_weights": list(position_weights), "start": start, "end": end}
    un_o = out["total_orders"] - out["orders"]
    un_r = out["total_revenue"] - out["revenue"]
    results = {}
    for m in models:
        p = dict(params, removal_effects=out["removal_effects"]) if m == "markov" else params
        results[m] = AttributionResult(m, dimension, _rows(out["credits"][m], out["orders"],
                                                           out["revenue"]),
                                       out["orders"], round(out["revenue"], 2), un_o,
                                       round(un_r, 2), p)
    rows = [{"model": m, **r} for m in models for r in results[m].rows]
    return ModelComparison(dimension, models, rows, out["orders"], un_o, params, results)

"""Engagement indices per user (seed 001), with weights set by hand or fitted to conversion.

Inputs, counted per user from ``events`` (and ``orders``, ``users``) up to ``as_of``, then
min–max normalized over the users, ``x' = (x - min) / (max - min)`` (0 where all are equal):

* ``C`` content consumption: ``view``, ``trailer_view``, ``lesson_start``, ``lesson_complete``
* ``I`` community interaction: ``community_join``, ``community_message``
* ``R`` recommendation / sharing: ``share``, ``referral_invite``
* ``Q`` purchase quality: net paid amount (paid − refunded, one currency)
* ``T`` tenure: days from the user's first event (or ``users.first_seen``) to ``as_of``

Indices (weights default to 1/3 each; with non-negative weights summing to 1 every index
stays in [0, 1] because each is a convex combination of values in [0, 1]):

* user engagement        ``U  = α·C + β·I + γ·R``
* recommendation value   ``R' = δ·C + ε·U + ζ·Q``
* community activity     ``I' = η·U + θ·R + ξ·T``

(The seed's worked numbers do not follow from its own formulas; these are computed as
written.) :func:`fit_engagement_weights` learns ``α, β, γ`` from data instead: a
non-negative logistic regression of "buys within ``horizon_days`` after a cutoff" on the
inputs measured before the cutoff, coefficients rescaled to sum to 1, and compares the
held-out AUC of the fitted ``U`` with the hand (equal) weights.

Examples
--------
>>> import numpy as np
>>> ix = indices({"C": np.array([1.0, 0.0]), "I": np.array([0.5, 0.0]),
...               "R": np.array([0.0, 1.0]), "Q": np.array([1.0, 0.0]),
...               "T": np.array([0.0, 1.0])})
>>> [round(float(v), 4) for v in ix["U"]]
[0.5, 0.3333]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError
from kpgrowth.result import Result

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

INPUTS: dict[str, tuple[str, ...]] = {
    "C": ("view", "trailer_view", "lesson_start", "lesson_complete"),
    "I": ("community_join", "community_message"),
    "R": ("share", "referral_invite"),
}
"""Event types counted into each count input."""

WEIGHTS: dict[str, tuple[str, ...]] = {
    "U": ("alpha", "beta", "gamma"),     # on C, I, R
    "R'": ("delta", "epsilon", "zeta"),  # on C, U, Q
    "I'": ("eta", "theta", "xi"),        # on U, R, T
}
DEFAULT_WEIGHTS: dict[str, float] = {w: 1 / 3 for ws in WEIGHTS.values() for w in ws}
"""Equal weights, each index's three weights summing to 1."""

COLUMNS = ["user_key", "views", "community", "shares", "net_paid", "tenure_days",
           "C", "I", "R", "Q", "T", "U", "R_value", "I_value"]


def minmax(x: Any) -> np.ndarray:
    """Min–max normalize ``x`` to [0, 1] (all zeros when ``x`` is constant or empty).

    Examples
    --------
    >>> minmax([2, 4, 6]).tolist(), minmax([3, 3]).tolist()
    ([0.0, 0.5, 1.0], [0.0, 0.0])
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return x
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def _weights(weights: dict[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    for k, v in (weights or {}).items():
        if k not in w:
            raise InputError(f"unknown weight {k!r}", hint=f"use {', '.join(w)}")
        if not v >= 0:
            raise InputError(f"weight {k!r} must be >= 0", value=v)
        w[k] = float(v)
    return w


def indices(inputs: dict[str, Any], weights: dict[str, float] | None = None) -> dict[str, Any]:
    """The three indices from normalized inputs ``C, I, R, Q, T`` (arrays in [0, 1]).

    Parameters
    ----------
    inputs : dict
        ``C, I, R, Q, T`` as equal-length arrays (already normalized).
    weights : dict, optional
        Any of ``alpha … xi`` (module docstring); the rest stay 1/3.

    Returns
    -------
    dict
        ``U``, ``R_value`` (R') and ``I_value`` (I') as numpy arrays.

    Examples
    --------
    >>> import numpy as np
    >>> one = {k: np.array([1.0]) for k in "CIRQT"}
    >>> {k: v.tolist() for k, v in indices(one).items()}
    {'U': [1.0], 'R_value': [1.0], 'I_value': [1.0]}
    """
    import numpy as np

    w = _weights(weights)
    x = {k: np.asarray(inputs[k], dtype=float) for k in "CIRQT"}
    u = w["alpha"] * x["C"] + w["beta"] * x["I"] + w["gamma"] * x["R"]
    r = w["delta"] * x["C"] + w["epsilon"] * u + w["zeta"] * x["Q"]
    i = w["eta"] * u + w["theta"] * x["R"] + w["xi"] * x["T"]
    return {"U": u, "R_value": r, "I_value": i}


def _raw_inputs(source: TableSource, hi: dt.datetime | None, currency: str
                ) -> dict[str, Any]:
    """Per-user raw counts (events before ``hi``), net paid amount and first-seen time."""
    import ibis

    e = source.table("events")
    e = e.filter(e.user_key.notnull())
    if hi is not None:
        e = e.filter(e.ts < ibis.literal(hi, type="timestamp('UTC')"))
    agg = {name: e.type.isin(types).cast("int64").sum() for name, types in
           (("views", INPUTS["C"]), ("community", INPUTS["I"]), ("shares", INPUTS["R"]))}
    per = e.group_by("user_key").aggregate(first_ts=e.ts.min(), **agg)
    o = source.table("orders")
    o = o.filter((o.currency == currency) & o.user_key.notnull()
                 & o.status.isin(["paid", "refunded"]))
    if hi is not None:
        o = o.filter(o.ts < ibis.literal(hi, type="timestamp('UTC')"))
    amt = o.amount.cast("float64")
    q = o.group_by(ok="user_key").aggregate(
        net_paid=ibis.ifelse(o.status == "paid", amt, -amt.abs()).sum())
    u = source.table("users").select(uk="user_key", first_seen="first_seen")
    t = per.left_join(q, per.user_key == q.ok).left_join(u, per.user_key == u.uk)
    t = t.select("user_key", "views", "community", "shares",
                 net_paid=t.net_paid.fill_null(0.0),
                 first=ibis.coalesce(t.first_seen, t.first_ts)).order_by("user_key")
    return t.to_pyarrow().to_pydict()


def _last_ts(source: TableSource) -> dt.datetime | None:
    e = source.table("events")
    return e.ts.max().to_pyarrow().as_py()


@dataclass
class EngagementResult(Result):
    """Engagement indices per user.

    Attributes
    ----------
    as_of : str or None
        Events before this instant count (ISO; None = all).
    weights : dict
        The weights used, ``alpha … xi``.
    rows : list of dict
        One dict per user with the :data:`COLUMNS` (raw inputs, normalized inputs,
        ``U``, ``R_value`` = R', ``I_value`` = I'), highest ``U`` first.
    """

    as_of: str | None
    weights: dict[str, float] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=COLUMNS)

    def figure(self) -> Any:
        """Histogram of the three indices."""
        import plotly.express as px

        df = self.to_frame().melt(id_vars="user_key", value_vars=["U", "R_value", "I_value"],
                                  var_name="index")
        fig = px.histogram(df, x="value", color="index", barmode="overlay", nbins=40)
        fig.update_layout(title="Engagement indices", xaxis_title="index value")
        return fig


def _features(source: TableSource, hi: dt.datetime | None, currency: str
              ) -> tuple[list[str], dict[str, Any], dict[str, Any]]:
    import numpy as np

    raw = _raw_inputs(source, hi, currency)
    keys = raw["user_key"]
    # some backends (Spark) return naive UTC datetimes
    raw["first"] = [f.replace(tzinfo=dt.UTC) if f is not None and f.tzinfo is None else f
                    for f in raw["first"]]
    ref = hi or max((f for f in raw["first"] if f is not None), default=None)
    tenure = np.array([(ref - f).total_seconds() / 86400 if f is not None and ref else 0.0
                       for f in raw["first"]])
    tenure = np.maximum(tenure, 0.0)
    counts = {"views": np.array(raw["views"], float), "community": np.array(raw["community"], float),
              "shares": np.array(raw["shares"], float), "net_paid": np.array(raw["net_paid"], float),
              "tenure_days": tenure}
    norm = {"C": minmax(counts["views"]), "I": minmax(counts["community"]),
            "R": minmax(counts["shares"]), "Q": minmax(counts["net_paid"]),
            "T": minmax(tenure)}
    return keys, counts, norm


def engagement_index(source: TableSource, *, as_of: dt.datetime | str | None = None,
                     weights: dict[str, float] | None = None,
                     currency: str | None = None) -> EngagementResult:
    """Compute ``U``, ``R'`` and ``I'`` for every user with an event before ``as_of``.

    Parameters
    ----------
    source : Workspace or Store
        Where ``events``, ``orders`` and ``users`` are.
    as_of : datetime or str, optional
        Only events and orders before this UTC instant count; tenure is measured to it
        (default: all data, tenure to the latest first-seen time).
    weights : dict, optional
        Any of ``alpha … xi``; the rest stay 1/3 (:data:`DEFAULT_WEIGHTS`).
    currency : str, optional
        Currency of ``Q`` (default: the workspace's).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kpgrowth.workspace import Workspace
    >>> engagement_index(Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")).rows
    []
    """
    w = _weights(weights)
    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    hi = _instant(as_of)
    keys, counts, norm = _features(source, hi, currency)
    ix = indices(norm, w)
    rows = []
    for j, k in enumerate(keys):
        row: dict[str, Any] = {"user_key": k}
        row.update({c: float(v[j]) for c, v in counts.items()})
        row.update({c: float(v[j]) for c, v in norm.items()})
        row.update({c: float(v[j]) for c, v in ix.items()})
        rows.append(row)
    rows.sort(key=lambda r: (-r["U"], r["user_key"]))
    return EngagementResult(hi.isoformat() if hi else None, w, rows)


def _instant(x: dt.datetime | dt.date | str | None) -> dt.datetime | None:
    if x is None:
        return None
    if isinstance(x, str):
        try:
            x = dt.datetime.fromisoformat(x)
        except ValueError:
            raise InputError("as_of / cutoff must be an ISO date or datetime", value=x) from None
    if not isinstance(x, dt.datetime):
        x = dt.datetime(x.year, x.month, x.day)
    return x if x.tzinfo else x.replace(tzinfo=dt.UTC)


def auc(y: Any, score: Any) -> float:
    """Area under the ROC curve (Mann–Whitney, ties count half).

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> auc([0, 1], [0.5, 0.5])
    0.5
    """
    import numpy as np
    from scipy.stats import rankdata

    y = np.asarray(y, dtype=bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = rankdata(np.asarray(score, dtype=float))
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


@dataclass
class EngagementFit(Result):
    """Weights of ``U`` fitted to predict conversion, and how they compare with hand weights.

    Attributes
    ----------
    weights : dict
        Fitted ``alpha, beta, gamma`` (non-negative, summing to 1).
    coef : dict
        The logistic coefficients on ``C, I, R`` and ``intercept``.
    auc_fitted, auc_hand : float
        Out-of-fold AUC of ``U`` with fitted weights, and AUC with equal weights.
    n_users, folds : int
        Users scored and cross-validation folds.
    cutoff : str
        Features come from before it; the label is a paid order in
        ``[cutoff, cutoff + horizon_days)``.
    """

    weights: dict[str, float]
    coef: dict[str, float]
    auc_fitted: float
    auc_hand: float
    cutoff: str
    horizon_days: int
    n_users: int = 0
    folds: int = 5
    positive_rate: float = 0.0

    @property
    def lift(self) -> float:
        """``auc_fitted - auc_hand``."""
        return self.auc_fitted - self.auc_hand

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame({"weight": list(self.weights),
                             "fitted": list(self.weights.values()),
                             "hand": [1 / 3] * len(self.weights)})

    def figure(self) -> Any:
        """Fitted vs hand weights, with both AUCs in the title."""
        import plotly.express as px

        df = self.to_frame().melt(id_vars="weight", var_name="weights")
        fig = px.bar(df, x="weight", y="value", color="weights", barmode="group")
        fig.update_layout(title=f"U weights: AUC fitted {self.auc_fitted:.3f} "
                                f"vs hand {self.auc_hand:.3f}")
        return fig


def _fit_nonneg_logistic(x: Any, y: Any, l2: float) -> tuple[Any, float]:
    """Logistic regression with coefficients >= 0 (L-BFGS-B), intercept free."""
    import numpy as np
    from scipy.optimize import minimize

    n, k = x.shape

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ p[:k] + p[k]
        ll = np.logaddexp(0.0, z) - y * z
        g = 1.0 / (1.0 + np.exp(-z)) - y
        f = ll.mean() + l2 * (p[:k] @ p[:k])
        grad = np.append(x.T @ g / n + 2 * l2 * p[:k], g.mean())
        return float(f), grad

    p0 = np.zeros(k + 1)
    rate = min(max(y.mean(), 1e-6), 1 - 1e-6)
    p0[k] = np.log(rate / (1 - rate))
    res = minimize(loss, p0, jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None)] * k + [(None, None)])
    return res.x[:k], float(res.x[k])


def fit_engagement_weights(source: TableSource, *, target: str = "purchase",
                           horizon_days: int = 14, seed: int = 0,
                           cutoff: dt.datetime | str | None = None, folds: int = 5,
                           l2: float = 1e-4, currency: str | None = None) -> EngagementFit:
    """Learn non-negative ``α, β, γ`` of ``U`` that best predict conversion.

    Users with an event before ``cutoff`` get ``C, I, R`` from their events before it
    (min–max normalized); the label is whether they place a paid order in
    ``[cutoff, cutoff + horizon_days)``. A logistic regression with non-negative coefficients
    is fitted and its coefficients rescaled to sum to 1 (equal weights if all are 0); the
    reported weights are fitted on all users. ``auc_fitted`` is held out: users are split at
    random (``seed``) into ``folds`` folds and each user is scored with weights fitted on the
    other folds (pooled out-of-fold AUC); ``auc_hand`` is the AUC of equal weights (nothing
    to fit) on the same users.

    Parameters
    ----------
    source : Workspace or Store
        Where ``events`` and ``orders`` are.
    target : {"purchase"}
        What conversion means (a paid order).
    horizon_days : int
        Length of the label window after the cutoff.
    seed : int
        Seed of the train/test split.
    cutoff : datetime or str, optional
        Default: the last event time minus ``horizon_days``.
    folds : int
        Cross-validation folds for the held-out AUC of the fitted weights.
    l2 : float
        Ridge penalty on the coefficients.
    currency : str, optional
        Only orders in this currency count (default: the workspace's).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kpgrowth.workspace import Workspace
    >>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
    >>> fit_engagement_weights(ws)
    Traceback (most recent call last):
    ...
    kpgrowth.errors.InputError: no events to fit engagement weights on (ingest events first)
    """
    import ibis
    import numpy as np

    if target != "purchase":
        raise InputError(f"unknown target {target!r}", hint="use target='purchase'")
    if not isinstance(horizon_days, int) or horizon_days < 1:
        raise InputError("horizon_days must be a positive integer", value=horizon_days)
    if not isinstance(folds, int) or folds < 2:
        raise InputError("folds must be an integer >= 2", value=folds)
    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    horizon = dt.timedelta(days=horizon_days)
    cut = _instant(cutoff)
    if cut is None:
        last = _last_ts(source)
        if last is None:
            raise InputError("no events to fit engagement weights on",
                             hint="ingest events first")
        cut = last - horizon
    keys, _, norm = _features(source, cut, currency)
    if not keys:
        raise InputError("no events before the cutoff", value=cut.isoformat(),
                         hint="choose a later cutoff or a shorter horizon")
    o = source.table("orders")
    lit = lambda v: ibis.literal(v, type="timestamp('UTC')")
    o = o.filter((o.status == "paid") & (o.currency == currency) & o.user_key.notnull()
                 & (o.ts >= lit(cut)) & (o.ts < lit(cut + horizon)))
    buyers = set(o.select("user_key").distinct().to_pyarrow().column(0).to_pylist())
    y = np.array([k in buyers for k in keys], dtype=float)
    x = np.column_stack([norm["C"], norm["I"], norm["R"]])

    if y.min() == y.max():
        raise InputError("both buyers and non-buyers are needed after the cutoff to fit",
                         value=cut.isoformat(), hint="use more data or a longer horizon")
    # out-of-fold scores: every user is scored by weights fitted without them
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(keys)) % folds
    oof = np.zeros(len(keys))
    for k in range(folds):
        train, test = fold != k, fold == k
        if y[train].min() == y[train].max():
            oof[test] = x[test] @ np.full(3, 1 / 3)
            continue
        coef_k, _ = _fit_nonneg_logistic(x[train], y[train], l2)
        tot = float(coef_k.sum())
        oof[test] = x[test] @ (coef_k / tot if tot > 0 else np.full(3, 1 / 3))
    coef, intercept = _fit_nonneg_logistic(x, y, l2)
    total = float(coef.sum())
    w = coef / total if total > 0 else np.full(3, 1 / 3)
    weights = {name: float(v) for name, v in zip(WEIGHTS["U"], w, strict=True)}
    return EngagementFit(
        weights, {"C": float(coef[0]), "I": float(coef[1]), "R": float(coef[2]),
                  "intercept": intercept},
        auc(y, oof), auc(y, x @ np.full(3, 1 / 3)), cut.isoformat(), horizon_days,
        len(keys), folds, float(y.mean()))

"""Early-signal forecast: a new post's final engagement from its first hours.

:func:`post_features` counts, per post, views and engagement (likes, comments, shares,
saves) in the first ``hours`` after posting and engagement within ``horizon_hours``
(the target), with Ibis over ``posts`` and ``events`` (any backend). Only posts whose
horizon has fully passed are labelled.

:class:`EarlySignalModel` is a ridge regression of ``log1p(final)`` on ``log1p`` of the
early counts, the platform, the format and the posting hour (sine/cosine), with Duan's
smearing to return counts. :func:`evaluate_early_signal` trains on older posts, tests
on newer ones and compares with two baselines: the training posts' median
final/early ratio applied to the post's early count, and the platform's median.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"early_views": [10, 100, 50, 5] * 5, "early_engagement": [1, 10, 5, 0] * 5,
...                    "final_engagement": [3, 30, 15, 1] * 5, "platform": ["douyin"] * 20,
...                    "format": ["short_video"] * 20, "posted_hour": [20] * 20})
>>> m = EarlySignalModel().fit(df)
>>> [round(v) for v in m.predict(df.head(2))]
[3, 29]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kpgrowth.errors import InputError, NotFittedError
from kpgrowth.result import Result

ENGAGEMENT = ("like", "comment", "share", "save")


def post_features(source: Any, *, hours: float = 6, horizon_hours: float = 168,
                  tz: str | None = None) -> Any:
    """Per post: early views/engagement, final engagement, platform, format, posted hour.

    Returns a pandas DataFrame ordered by ``posted_at``; ``final_engagement`` is NaN for
    posts whose horizon has not passed yet (they can be predicted, not trained on).
    ``posted_hour`` is the local hour (0-23) in ``tz`` (default: the workspace's time
    zone, else UTC; daylight saving followed, :func:`kpgrowth.timeutil.local_hour`).
    """
    from kpgrowth.timeutil import local_hour, time_span

    settings = getattr(source, "settings", None)
    tz = tz or (settings.timezone if settings else "UTC")
    posts = source.table("posts").filter(lambda p: p.posted_at.notnull())
    ev = source.table("events")
    ev = ev.filter(ev.post_id.notnull() & ev.type.isin(["view", *ENGAGEMENT]))
    j = ev.join(posts.select("post_id", "platform", "posted_at"), ["post_id", "platform"])
    age = (j.ts.epoch_seconds() - j.posted_at.epoch_seconds()) / 3600.0
    eng = j.type.isin(list(ENGAGEMENT))
    span = time_span(source, tz, (("posts", "posted_at"),))  # queried only for DST zones
    agg = j.group_by(["post_id", "platform"]).aggregate(
        early_views=((j.type == "view") & (age <= hours)).cast("int64").sum(),
        early_engagement=(eng & (age <= hours)).cast("int64").sum(),
        final_engagement=(eng & (age <= horizon_hours)).cast("int64").sum())
    out = (posts.left_join(agg, ["post_id", "platform"])
           .select(posts.post_id, posts.platform, posts.format, posts.posted_at,
                   early_views=agg.early_views.fill_null(0),
                   early_engagement=agg.early_engagement.fill_null(0),
                   final_engagement=agg.final_engagement.fill_null(0),
                   posted_hour=local_hour(posts.posted_at, tz, span))
           .order_by(["posted_at", "post_id"]).to_pandas())
    if out.empty:
        return out
    import pandas as pd

    end = source.table("events").ts.max().to_pyarrow().as_py()

    posted = pd.to_datetime(out["posted_at"], utc=True)
    done = posted + pd.Timedelta(hours=horizon_hours) <= pd.to_datetime(end, utc=True)
    out["final_engagement"] = out["final_engagement"].where(done)
    return out


@dataclass(repr=False)
class EarlySignalModel:
    """Ridge regression of log final engagement on early signals and post attributes.

    Parameters
    ----------
    alpha : float
        Ridge penalty (not applied to the intercept).
    """

    alpha: float = 1.0

    def _design(self, df: Any, fit: bool) -> np.ndarray:
        cols = [np.log1p(df["early_engagement"].to_numpy(float)),
                np.log1p(df["early_views"].to_numpy(float))]
        hour = df["posted_hour"].to_numpy(float)
        cols += [np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)]
        if fit:
            self.levels_ = {c: sorted(df[c].fillna("other").unique())[1:]
                            for c in ("platform", "format")}
        for c, levels in self.levels_.items():
            vals = df[c].fillna("other").to_numpy()
            cols += [(vals == lv).astype(float) for lv in levels]
        return np.column_stack([np.ones(len(df))] + cols)

    def fit(self, df: Any) -> EarlySignalModel:
        """Fit on labelled posts (rows with ``final_engagement``)."""
        df = df[df["final_engagement"].notna()]
        if len(df) < 10:
            raise InputError(f"early-signal model needs at least 10 finished posts, got {len(df)}")
        X = self._design(df, fit=True)
        y = np.log1p(df["final_engagement"].to_numpy(float))
        penalty = self.alpha * np.eye(X.shape[1])
        penalty[0, 0] = 0.0
        self.coef_ = np.linalg.solve(X.T @ X + penalty, X.T @ y)
        self.smear_ = float(np.mean(np.exp(y - X @ self.coef_)))
        return self

    def predict(self, df: Any) -> np.ndarray:
        """Expected final engagement of each post in ``df``."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("EarlySignalModel is not fitted yet; call fit(df) first")
        pred = np.exp(self._design(df, fit=False) @ self.coef_) * self.smear_ - 1
        return np.clip(pred, 0, None)


@dataclass
class EarlySignalResult(Result):
    """Test-set errors of the model and the baselines (posts ordered by time)."""

    scores: list[dict[str, Any]]
    hours: float
    horizon_hours: float
    n_train: int
    n_test: int

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.scores)

    def figure(self) -> Any:
        import plotly.express as px

        return px.bar(self.to_frame(), x="model", y="mae", title="Early-signal forecast: MAE")


def _scores(name: str, y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    from scipy.stats import spearmanr

    ape = np.abs(p - y) / np.maximum(y, 1)
    rho = spearmanr(y, p).statistic if np.std(p) > 0 else 0.0
    return {"model": name, "mae": round(float(np.mean(np.abs(p - y))), 3),
            "median_ape": round(float(np.median(ape)), 3), "spearman": round(float(rho), 3)}


def evaluate_early_signal(df: Any, *, hours: float = 6, horizon_hours: float = 168,
                          test_share: float = 0.3, alpha: float = 1.0) -> EarlySignalResult:
    """Train on the older ``1 - test_share`` of finished posts, score on the newer rest."""
    done = df[df["final_engagement"].notna()].reset_index(drop=True)
    cut = int(len(done) * (1 - test_share))
    train, test = done.iloc[:cut], done.iloc[cut:]
    if len(test) < 5:
        raise InputError("too few finished posts to evaluate", hint="use more history")
    y = test["final_engagement"].to_numpy(float)
    model = EarlySignalModel(alpha=alpha).fit(train)
    tr_early = train["early_engagement"].to_numpy(float)
    tr_final = train["final_engagement"].to_numpy(float)
    ratio = float(np.median(tr_final[tr_early > 0] / tr_early[tr_early > 0])) \
        if (tr_early > 0).any() else 1.0
    zero = float(np.median(tr_final[tr_early == 0])) if (tr_early == 0).any() else 0.0
    early = test["early_engagement"].to_numpy(float)
    by_platform = train.groupby("platform")["final_engagement"].median()
    rows = [_scores("early-signal ridge", y, model.predict(test)),
            _scores("median ratio × early", y, np.where(early > 0, early * ratio, zero)),
            _scores("platform median", y, test["platform"].map(by_platform)
                    .fillna(float(np.median(tr_final))).to_numpy(float))]
    return EarlySignalResult(rows, hours, horizon_hours, len(train), len(test))

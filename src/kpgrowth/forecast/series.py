"""Daily series to forecast, built from the workspace tables with Ibis (any backend).

Metrics: ``revenue`` and ``orders`` (paid orders), ``active_users`` (distinct users
with any event), ``engagement`` (likes + comments + shares + saves events) or any
single event type (e.g. ``view``). Filters narrow to a platform, post or product.
Days are local days in the workspace time zone (daylight saving followed,
:func:`kpgrowth.timeutil.local_day`); days with nothing are 0.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> daily_series(ws, "orders").empty
True
"""

from __future__ import annotations

from typing import Any

from kpgrowth.errors import InputError
from kpgrowth.schema import EVENT_TYPES, PLATFORMS
from kpgrowth.timeutil import local_day, time_span

ENGAGEMENT = ("like", "comment", "share", "save")
METRICS = ("revenue", "orders", "active_users", "engagement", *EVENT_TYPES)


def daily_series(source: Any, metric: str = "revenue", *, platform: str | None = None,
                 post_id: str | None = None, product_id: str | None = None,
                 tz: str | None = None) -> Any:
    """The daily ``metric`` as a pandas Series indexed by local date (gaps filled with 0)."""
    import pandas as pd

    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}",
                         hint="use revenue, orders, active_users, engagement or an event type")
    if platform is not None and platform not in PLATFORMS:
        import difflib

        close = difflib.get_close_matches(str(platform), PLATFORMS, n=1)
        raise InputError(f"unknown platform {platform!r}",
                         hint=f"did you mean {close[0]!r}?" if close else
                         f"platforms are: {', '.join(PLATFORMS)}")
    for name, value in (("post_id", post_id), ("product_id", product_id)):
        if value is not None and ("\x00" in value or len(value) > 200):
            raise InputError(f"{name} must be printable text of at most 200 characters")
    settings = getattr(source, "settings", None)
    tz = tz or (settings.timezone if settings else "UTC")
    if metric in ("revenue", "orders"):
        t = source.table("orders")
        t = t.filter(t.status == "paid")
        if post_id:
            raise InputError("orders have no post_id; forecast a post's engagement instead")
    else:
        t = source.table("events")
        if metric == "engagement":
            t = t.filter(t.type.isin(ENGAGEMENT))
        elif metric != "active_users":
            t = t.filter(t.type == metric)
        if post_id:
            t = t.filter(t.post_id == post_id)
    if platform:
        t = t.filter(t.platform == platform)
    if product_id:
        t = t.filter(t.product_id == product_id)
    span = time_span(source, tz, (("orders" if metric in ("revenue", "orders") else "events",
                                   "ts"),))  # queried only for zones with daylight saving
    day = local_day(t.ts, tz, span).name("day")
    if metric == "revenue":
        value = t.amount.sum().cast("float64")
    elif metric == "active_users":
        value = t.user_key.nunique()
    else:
        value = t.count()
    rows = t.group_by(day).aggregate(value=value).to_pyarrow().to_pylist()
    if not rows:
        return pd.Series([], dtype=float, name=metric)
    s = pd.Series({r["day"]: float(r["value"] or 0) for r in rows}, name=metric).sort_index()
    s.index = pd.to_datetime(s.index)
    full = pd.date_range(s.index.min(), s.index.max(), freq="D")
    return s.reindex(full, fill_value=0.0).rename_axis("day")

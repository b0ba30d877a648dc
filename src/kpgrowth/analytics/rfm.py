"""RFM scoring and segments (最近一次消费 / 消费频率 / 消费金额) of buyers.

Definitions (one currency, the workspace's by default; days are local days in the
workspace's time zone):

* buyers: users with at least one paid order (``status = 'paid'``) on or before ``as_of``.
* ``recency``: days from the buyer's last paid order day to ``as_of`` (default: the day of
  the last paid order in the data), so 0 = bought on ``as_of``.
* ``frequency``: number of paid orders; ``monetary``: paid amount minus the absolute amount
  of the buyer's refunded orders (net revenue).
* scores ``r, f, m`` in ``1..bins``: Ibis ``ntile(bins)`` over buyers ordered by the value
  (``user_key`` breaks ties), then every buyer takes the *lowest* score among buyers with
  the same value, so equal values always get equal scores. Recency is reversed: the most
  recent buyers score ``bins``. ``code`` is the three digits, e.g. ``"555"``.

Segments (first rule that matches; ``R``, ``F``, ``M`` are the scores mapped to a 1..5
scale as ``ceil(score * 5 / bins)``, and ``FM = (F + M) / 2``):

==================  ========  ====================================
segment             中文       rule
==================  ========  ====================================
Champions           高价值     R >= 4 and FM >= 4
New                 新客       R >= 4 and F == 1
Loyal               忠诚       R >= 3 and FM >= 3
Potential loyalist  潜力       R >= 3
Can't lose          不能失去   R == 1 and FM >= 4
At risk             流失风险   R <= 2 and FM >= 3
Hibernating         沉睡       R == 2
Lost                已流失     R == 1
==================  ========  ====================================

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w")
>>> res = rfm(ws)
>>> res.to_frame().shape[0], [s["segment"] for s in res.segments][:2]
(0, ['Champions', 'New'])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics._periods import resolve_tz
from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError
from kpgrowth.result import Result
from kpgrowth.timeutil import local_day, time_span

if TYPE_CHECKING:  # pragma: no cover
    import ibis

SEGMENTS: dict[str, str] = {
    "Champions": "高价值", "New": "新客", "Loyal": "忠诚", "Potential loyalist": "潜力",
    "Can't lose": "不能失去", "At risk": "流失风险", "Hibernating": "沉睡", "Lost": "已流失",
}
"""Segment names in rule order, with their Chinese names."""

COLUMNS = ["user_key", "last_day", "recency", "frequency", "monetary", "r", "f", "m", "code",
           "segment", "segment_zh"]


def segment_of(r: int, f: int, m: int, bins: int = 5) -> str:
    """The segment of scores ``r, f, m`` (each ``1..bins``), by the rules of the module.

    Examples
    --------
    >>> segment_of(5, 5, 5), segment_of(5, 1, 2), segment_of(1, 5, 4), segment_of(1, 1, 1)
    ('Champions', 'New', "Can't lose", 'Lost')
    >>> segment_of(3, 3, 3, bins=3)
    'Champions'
    """
    def five(s: int) -> int:
        return -(-s * 5 // bins)

    r5, f5, fm = five(r), five(f), (five(f) + five(m)) / 2
    if r5 >= 4 and fm >= 4:
        return "Champions"
    if r5 >= 4 and f5 == 1:
        return "New"
    if r5 >= 3 and fm >= 3:
        return "Loyal"
    if r5 >= 3:
        return "Potential loyalist"
    if r5 == 1 and fm >= 4:
        return "Can't lose"
    if fm >= 3:
        return "At risk"
    return "Hibernating" if r5 == 2 else "Lost"


@dataclass
class RFMResult(Result):
    """RFM scores per buyer and a summary per segment.

    Attributes
    ----------
    as_of : str
        The day recency is measured to (ISO date).
    bins : int
        Number of score levels.
    users : list of dict
        One dict per buyer with the :data:`COLUMNS`, best codes first.
    segments : list of dict
        ``segment, segment_zh, users, user_share, revenue, revenue_share, recency,
        frequency, monetary`` (the last three are means), in :data:`SEGMENTS` order.
    """

    as_of: str | None
    bins: int = 5
    currency: str = "CNY"
    users: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.users, columns=COLUMNS)

    def segments_frame(self) -> Any:
        """The segment summary as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.segments)

    def figure(self) -> Any:
        """Bars of buyers per segment, coloured by the segment's share of revenue."""
        import plotly.express as px

        df = self.segments_frame()
        df["label"] = df["segment"] + " " + df["segment_zh"]
        fig = px.bar(df, x="label", y="users", color="revenue_share",
                     hover_data=["revenue", "recency", "frequency", "monetary"])
        fig.update_layout(title=f"RFM segments (as of {self.as_of})", xaxis_title=None)
        return fig


def _score(t: ibis.Table, col: str, bins: int, name: str) -> ibis.Table:
    """Add ``name``: 1-based ntile of ``col`` (ties take the lowest score of their value)."""
    import ibis

    raw = f"_{name}"
    t = t.mutate(**{raw: ibis.ntile(bins).over(order_by=[t[col], t.user_key]) + 1})
    return t.mutate(**{name: t[raw].min().over(group_by=t[col])}).drop(raw)


def rfm(source: TableSource, *, as_of: str | dt.date | None = None, bins: int = 5,
        currency: str | None = None, tz: str | None = None) -> RFMResult:
    """Score every buyer on recency, frequency and monetary value and name its segment.

    Parameters
    ----------
    source : Workspace or Store
        Where the ``orders`` table is.
    as_of : str or date, optional
        Local day recency is measured to; orders after it are left out
        (default: the day of the last paid order).
    bins : int
        Score levels (5 = quintiles), at least 2.
    currency, tz : str, optional
        Currency of the money figures and time zone of days (default: the workspace's).

    Returns
    -------
    RFMResult

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kpgrowth.workspace import Workspace
    >>> rfm(Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "w"), bins=3).bins
    3
    """
    import ibis

    if not isinstance(bins, int) or bins < 2:
        raise InputError("bins must be an integer >= 2", value=bins, hint="use e.g. bins=5")
    settings = getattr(source, "settings", None)
    currency = currency or (settings.currency if settings else "CNY")
    tz = resolve_tz(source, tz)
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError("as_of must be an ISO date", value=as_of,
                             hint="e.g. as_of='2026-03-31'") from None
    o = source.table("orders")
    o = o.filter((o.currency == currency) & o.user_key.notnull())
    span = time_span(source, tz, (("orders", "ts"),))  # queried only for DST zones
    o = o.mutate(day=local_day(o.ts, tz, span))
    if as_of is not None:
        o = o.filter(o.day <= ibis.literal(as_of))
    paid, refunded = o.filter(o.status == "paid"), o.filter(o.status == "refunded")
    if as_of is None:
        as_of = paid.day.max().to_pyarrow().as_py()
        if as_of is None:
            return _result(None, bins, currency, [])

    per = paid.group_by("user_key").aggregate(
        last_day=paid.day.max(), frequency=paid.count(),
        gross=paid.amount.cast("float64").sum())
    ref = refunded.group_by(rk=refunded.user_key).aggregate(
        refunds=refunded.amount.cast("float64").abs().sum())
    t = per.left_join(ref, per.user_key == ref.rk)
    t = t.select("user_key", "last_day", "frequency",
                 monetary=(t.gross - t.refunds.fill_null(0.0)).round(2))
    t = _score(t, "last_day", bins, "r")
    t = _score(t, "frequency", bins, "f")
    t = _score(t, "monetary", bins, "m")
    rows = t.to_pyarrow().to_pylist()
    for row in rows:
        last_day = row["last_day"]
        row["recency"] = (as_of - last_day).days
        row["last_day"] = last_day.isoformat()
        row["frequency"] = int(row["frequency"])
        row["monetary"] = round(float(row["monetary"]), 2)
        row["r"], row["f"], row["m"] = int(row["r"]), int(row["f"]), int(row["m"])
        row["code"] = f"{row['r']}{row['f']}{row['m']}" if bins < 10 else \
            f"{row['r']}-{row['f']}-{row['m']}"
        row["segment"] = segment_of(row["r"], row["f"], row["m"], bins)
        row["segment_zh"] = SEGMENTS[row["segment"]]
    rows = [{k: row[k] for k in COLUMNS} for row in rows]
    rows.sort(key=lambda r: (-(r["r"] + r["f"] + r["m"]), -r["monetary"], r["user_key"]))
    return _result(as_of.isoformat(), bins, currency, rows)


def _result(as_of: str | None, bins: int, currency: str, rows: list[dict]) -> RFMResult:
    n = len(rows)
    total = sum(r["monetary"] for r in rows)
    segments = []
    for name, zh in SEGMENTS.items():
        of = [r for r in rows if r["segment"] == name]
        k = len(of)
        revenue = round(sum(r["monetary"] for r in of), 2)
        segments.append({
            "segment": name, "segment_zh": zh, "users": k,
            "user_share": k / n if n else 0.0, "revenue": revenue,
            "revenue_share": revenue / total if total else 0.0,
            "recency": sum(r["recency"] for r in of) / k if k else None,
            "frequency": sum(r["frequency"] for r in of) / k if k else None,
            "monetary": round(sum(r["monetary"] for r in of) / k, 2) if k else None})
    return RFMResult(as_of, bins, currency, rows, segments)

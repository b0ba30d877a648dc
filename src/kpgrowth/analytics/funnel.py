"""Conversion funnels (转化漏斗): how many people go from one event to the next.

Pure Ibis over the ``events`` (and, for user breakdowns, ``users``) tables, so the same
code runs on DuckDB and on Spark. The matching itself lives in
:mod:`kpgrowth.analytics.funnel_query`.

Examples
--------
>>> import datetime as dt, pyarrow as pa
>>> from kpgrowth.store import connect
>>> store = connect("duckdb://:memory:")
>>> t = lambda m: dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=m)
>>> ev = pa.table({"event_id": ["e1", "e2", "e3", "e4", "e5"],
...                "ts": [t(0), t(5), t(9), t(1), t(20)],
...                "user_key": ["u1", "u1", "u1", "u2", "u3"],
...                "type": ["impression", "click", "purchase", "impression", "impression"]})
>>> with store.batch() as b:
...     _ = b.append("events", ev)
>>> f = funnel(store, ["impression", "click", "purchase"])
>>> [r["count"] for r in f.overall]
[3, 1, 1]
>>> round(f.overall[1]["conv_prev"], 3), f.overall[2]["median_s_first"]
(0.333, 540.0)
>>> f.dropped(1).column("user_key").to_pylist()  # most recent first
['u3', 'u2']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpgrowth.analytics.attribution_paths import ATTRIBUTED, attributed
from kpgrowth.analytics.funnel_query import (
    HIST_BINS,
    ORDERS,
    Plan,
    match,
    parse_steps,
    parse_window,
    per_transition,
    stats,
    wilson_interval,
)
from kpgrowth.analytics.overview import TableSource
from kpgrowth.errors import InputError
from kpgrowth.result import Result, jsonable
from kpgrowth.schema import EVENT_TYPES, TABLES
from kpgrowth.timeutil import utc_bounds

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa

DEFAULT_STEPS: tuple[str, ...] = (
    "impression", "click", "trailer_view", "purchase", "lesson_complete", "share")
"""曝光 → 点击 → 试听 → 购买 → 完课 → 转发."""

BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "platform", "campaign_id", "post_id", "product_id", "community_id")
"""Event columns a funnel can be broken down by (the value on the entry event)."""

BREAKDOWNS: tuple[str, ...] = BREAKDOWN_COLUMNS + ATTRIBUTED
"""Every breakdown by name (besides ``users.<column>``); ``kol``, ``promoter`` and
``community`` are attributed to the person at entry (:func:`funnel`)."""

OTHER = "(other)"
"""Breakdown value standing for the values beyond ``breakdown_limit``."""

_UNSET: Any = object()


@dataclass
class FunnelResult(Result):
    """A funnel's step counts, rates, confidence intervals and times to convert.

    Attributes
    ----------
    steps : list of str
        Step labels, in order.
    unit : {"users", "conversions"}
        What ``count`` counts: people, or entries (every step-1 event) when ``repeat``.
    overall : list of dict
        One row per step: ``step`` (1-based), ``name``, ``count``, ``users`` (distinct
        people), ``conv_prev`` and ``conv_first`` (None at step 1 or with no entries) with
        Wilson 95 % bounds ``*_lo``/``*_hi``, ``dropped`` (count here minus count at the next
        step), ``median_s_prev``, ``p90_s_prev``, ``median_s_first``, ``p90_s_first``
        (seconds).
    by : list of dict
        The same rows per breakdown value (key ``breakdown``; None is a missing value and
        ``"(other)"`` the values beyond ``breakdown_limit``); empty without a breakdown.
    histogram : list of dict
        Overall time to convert: ``step``, ``name``, ``basis`` ("previous" or "first"),
        ``bin``, ``lo_s``, ``hi_s`` (None = open), ``count``.
    """

    steps: list[str]
    unit: str
    overall: list[dict[str, Any]]
    by: list[dict[str, Any]] = field(default_factory=list)
    histogram: list[dict[str, Any]] = field(default_factory=list)
    breakdown: str | None = None
    window_s: int = 14 * 86400
    order: str = "sequential"
    start: str | None = None
    end: str | None = None
    platforms: list[str] | None = None
    _wide: Any = field(default=None, repr=False, compare=False)
    _events: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({k: v for k, v in self.__dict__.items() if not k.startswith("_")})

    def to_frame(self) -> Any:
        """Rows per breakdown value and step when broken down, else one row per step."""
        import pandas as pd

        return pd.DataFrame(self.by if self.breakdown else self.overall)

    def figure(self) -> Any:
        """A Plotly funnel (or grouped bars of conversion from step 1 per breakdown value)."""
        if not self.breakdown:
            import plotly.graph_objects as go

            fig = go.Figure(go.Funnel(y=self.steps, x=[r["count"] for r in self.overall],
                                      textinfo="value+percent initial+percent previous"))
            fig.update_layout(title=f"Funnel ({self.unit})")
            return fig
        import plotly.express as px

        df = self.to_frame()
        df["breakdown"] = df["breakdown"].fillna("(none)")
        fig = px.bar(df, x="name", y="conv_first", color="breakdown", barmode="group",
                     hover_data=["count", "conv_prev"])
        fig.update_layout(title=f"Conversion from the first step by {self.breakdown}",
                          xaxis_title=None, yaxis_tickformat=".0%")
        return fig

    def _step(self, step: int | str) -> int:
        if isinstance(step, str):
            if step not in self.steps:
                raise InputError("no such step", column="step", value=step,
                                 hint="use one of " + ", ".join(self.steps))
            return self.steps.index(step) + 1
        if not 1 <= step <= len(self.steps):
            raise InputError(f"step must be 1..{len(self.steps)}", column="step", value=step)
        return step

    def _reached(self, k: int, value: Any) -> ir.Table:
        w = self._wide
        if value is not _UNSET:
            w = w.filter(w.bd.isnull() if value is None else w.bd == value)
        return w.filter(w[f"t{k - 1}"].notnull())

    def positions(self, limit: int | None = None) -> pa.Table:
        """Where every entry got to (漏斗位置): ``entry_id`` (the user_key, or the step-1
        event_id when ``repeat``), ``user_key``, ``breakdown``, ``step`` (last step reached,
        1-based), ``entered_at`` and ``reached_at`` (time of that step)."""
        out = positions_table(self._wide, len(self.steps))
        out = out.order_by(["user_key", "entered_at", "entry_id"])
        return _utc((out.limit(limit) if limit is not None else out).to_pyarrow())

    def users_at(self, step: int | str, limit: int | None = None, *,
                 breakdown: Any = _UNSET) -> pa.Table:
        """People who reached ``step`` (1-based number or name): ``user_key``, ``reached_at``
        (latest time they reached it), ``breakdown`` (of that entry)."""
        k = self._step(step)
        return self._people(self._reached(k, breakdown), k, None, limit)

    def dropped(self, step: int | str, limit: int | None = None, *,
                breakdown: Any = _UNSET) -> pa.Table:
        """People who reached ``step`` but never the next one, for retargeting (再营销).

        Columns: ``user_key``, ``reached_at`` (latest time they reached ``step``),
        ``breakdown`` (of that entry), ``last_event_at`` (their latest event in the store,
        any type or platform). With ``repeat``, a person is dropped when none of their
        entries reached the next step. Most recent first; ``breakdown=`` keeps one value.
        """
        k = self._step(step)
        if k == len(self.steps):
            raise InputError("the last step has no next step to drop before", column="step",
                             value=step, hint=f"use a step from 1 to {len(self.steps) - 1}")
        nxt = self._reached(k + 1, breakdown).select(n_user="user_key").distinct()
        return self._people(self._reached(k, breakdown), k, nxt, limit)

    def _people(self, w: ir.Table, k: int, exclude: ir.Table | None,
                limit: int | None) -> pa.Table:
        import ibis

        if exclude is not None:
            w = w.anti_join(exclude, w.user_key == exclude.n_user)
        t = w[f"t{k - 1}"]
        ranked = w.mutate(reached_at=t, rn=ibis.row_number().over(
            ibis.window(group_by="user_key", order_by=[ibis.desc(t), w.aid])))
        out = ranked.filter(ranked.rn == 0).select("user_key", "reached_at", breakdown="bd")
        if exclude is not None:
            ev = self._events
            last = ev.filter(ev.user_key.notnull()).group_by("user_key").aggregate(
                last_event_at=ev.ts.max()).rename(l_user="user_key")
            j = out.left_join(last, out.user_key == last.l_user)
            out = j.select(*out.columns, j.last_event_at)
        out = out.order_by([ibis.desc("reached_at"), "user_key"])
        return _utc((out.limit(limit) if limit is not None else out).to_pyarrow())


def positions_table(wide: ir.Table, n: int) -> ir.Table:
    """The lazy Ibis table behind :meth:`FunnelResult.positions` (from :func:`match`'s rows)."""
    import ibis

    step = ibis.literal(1)
    reached = wide.t0
    for k in range(1, n):
        step = ibis.ifelse(wide[f"t{k}"].notnull(), k + 1, step)
        reached = ibis.coalesce(wide[f"t{k}"], reached)
    return wide.select(entry_id="aid", user_key="user_key", breakdown="bd", step=step,
                       entered_at="t0", reached_at=reached)


def funnel_positions(source: TableSource,
                     steps: Sequence[str | Mapping[str, Any]] = DEFAULT_STEPS,
                     **options: Any) -> ir.Table:
    """Each entry's position in the funnel as a lazy Ibis table, without running anything.

    Takes the same options as :func:`funnel` (except ``breakdown_limit``); columns as
    :meth:`FunnelResult.positions`. Use it to save an audience or to join positions to other
    tables inside the engine.
    """
    plan, lo, hi = _plan(source, steps, **{**_DEFAULTS, **options})
    return positions_table(_match(source, plan, lo, hi, options.get("platforms")),
                           len(plan.steps))


def _match(source: TableSource, plan: Plan, lo: Any, hi: Any,
           platforms: Sequence[str] | None) -> ir.Table:
    """:func:`match` on the source's tables (restricted to ``platforms``)."""
    events = source.table("events")
    if platforms:
        events = events.filter(events.platform.isin(list(platforms)))
    bd = plan.breakdown
    users = source.table("users") if bd and "." in bd else None
    side = attributed(source, bd, events) if bd in ATTRIBUTED else None
    return match(events, users, plan, lo, hi, side)


def _utc(table: pa.Table) -> pa.Table:
    """Timestamps as UTC microseconds (Spark returns them without a zone)."""
    import pyarrow as pa

    utc = pa.timestamp("us", tz="UTC")
    return pa.table([c.cast(utc) if pa.types.is_timestamp(c.type) else c
                     for c in table.columns], names=table.column_names)


def funnel(source: TableSource, steps: Sequence[str | Mapping[str, Any]] = DEFAULT_STEPS, *,
           window: str | int | dt.timedelta = "14d", order: str = "sequential",
           step_windows: Any = None, min_gap: Any = None, max_gap: Any = None,
           exclusions: Sequence[str] | None = None, repeat: bool = False,
           breakdown: str | None = None, breakdown_limit: int | None = 25,
           start: str | None = None, end: str | None = None,
           platforms: list[str] | None = None, tz: str | None = None) -> FunnelResult:
    """Count how far people get through ``steps`` (PostHog/Amplitude-style funnel).

    Semantics (times are compared exactly, at the stored microsecond):

    * **Entry.** A person enters at their *first* step-1 event whose local day is within
      ``start``..``end``. With ``repeat=True`` every step-1 event in the range is an entry of
      its own (a total-count funnel) that lasts until the person's next step-1 event
      (exclusive), so no later event is credited to two entries; counts are then entries
      ("conversions"), and rates are per entry.
    * **Window.** Every later step must happen at most ``window`` after the entry,
      inclusive: an event exactly ``window`` after step 1 counts, one a microsecond later
      does not. Later steps may fall after ``end`` (entries are what the range selects).
    * **order="sequential"** (default): step k+1 must be strictly later than step k; other
      events may happen in between. A person reaches step k when *some* sequence of their
      events satisfies every constraint up to k (not only the earliest choice).
    * **order="strict"**: additionally no other event of that person (of any type, among
      their events on ``platforms``) may happen strictly between two consecutive steps;
      events at the same timestamp as either step do not break the chain.
    * **order="any"**: steps 2..k may happen in any order, each at or after the entry and
      within the window (step 1 still anchors the window); step k is reached at the latest
      of the first occurrences of steps 1..k. Steps must be distinct in this mode.
    * **step_windows / max_gap / min_gap** (sequential and strict): bounds on the time from
      step k to step k+1, ``min_gap <= t[k+1] - t[k] <= min(step_windows[k+1], max_gap)``,
      both inclusive. Each is one duration for every step, a list with one entry per step
      after the first (None = no bound), or ``{step number or name: duration}``.
    * **exclusions**: event types that stop a person at step k when one happens strictly
      between step k and step k+1 (one at the same instant as a step does not count). So
      an exclusion after the entry stops the person before the next step matched after it.
    * **Times to convert** are measured between the earliest times each step was reached
      (in sequential mode without bounds or exclusions this is exactly the greedy path:
      each step is the first qualifying event after the previous one).
    * **breakdown**: an event column (``platform``, ``campaign_id``, ``post_id``,
      ``product_id``, ``community_id``), taken from the entry event, or a ``users`` column
      such as ``"users.first_channel"``, or who the person is attributed to at entry
      (at or before the entry event's time; :func:`~kpgrowth.analytics.attribution_paths.attributed`):
      ``"kol"`` — the account of the post of their latest event with a ``post_id`` (the KOL,
      or the seller's own account, whose content brought them); ``"promoter"`` (分销) — the
      inviter of their latest ``invite`` edge or the referrer of their latest referred paid
      order; ``"community"`` — the community they were a member of (the earliest joined of
      the stays covering the entry). Missing values form their own group (None); values
      beyond the ``breakdown_limit`` largest groups are pooled as ``"(other)"``.
    * **platforms** keeps only events on those platforms (for every step).

    Parameters
    ----------
    source : Workspace or Store
        Where the ``events`` (and ``users``) tables are.
    steps : sequence of str or dict
        Event types, or dicts ``{"type": "purchase", "product_id": "p1", "name": "买课"}``
        whose other keys filter event columns (a list value means any of them).
    window : str, int or timedelta
        Conversion window from step 1 (``"14d"``, ``"2h"``, ``"30m"``, seconds).
    order : {"sequential", "strict", "any"}
        How steps must follow each other.
    step_windows, min_gap, max_gap : duration, list or dict, optional
        Per-step bounds on the time from the previous step (see above).
    exclusions : list of str, optional
        Event types that disqualify a conversion when they happen between two steps.
    repeat : bool
        Count every entry (total conversions) instead of people.
    breakdown : str, optional
        Column to split by, or ``"kol"``, ``"promoter"``, ``"community"`` (see above).
    breakdown_limit : int, optional
        Keep this many breakdown values (by entries); None keeps all.
    start, end : str, optional
        First and last local day (``YYYY-MM-DD``) of entries.
    platforms : list of str, optional
        Only events on these platforms.
    tz : str, optional
        Time zone of days (default: the workspace's, else UTC).

    Returns
    -------
    FunnelResult
    """
    import ibis

    plan, lo, hi = _plan(source, steps, window=window, order=order, step_windows=step_windows,
                         min_gap=min_gap, max_gap=max_gap, exclusions=exclusions,
                         repeat=repeat, breakdown=breakdown, start=start, end=end, tz=tz,
                         platforms=platforms)
    # The match is computed once into a cache (a temp table on DuckDB, a persisted frame on
    # Spark) that the statistics queries share. ``view()`` makes the expression unique, so
    # Ibis never hands back a table cached by an earlier call (the data may have changed
    # since). The cache is released before returning, so no ``ibis_cached_*`` table outlives
    # this call (it would show in ``store.tables()``); the result keeps the lazy match.
    lazy = _match(source, plan, lo, hi, platforms)
    n = len(plan.steps)
    labels = [s.label for s in plan.steps]
    by: list[dict[str, Any]] = []
    with lazy.view().cache() as wide:
        rows_all = stats(wide, n, by=False, hist=True, repeat=repeat).to_pyarrow().to_pylist()
        overall = _rows(rows_all[0], labels, repeat)
        if breakdown:
            groups = stats(wide, n, by=True, hist=False, repeat=repeat).to_pyarrow().to_pylist()
            # every entry has t0, so n0 is the group's size: pool beyond the largest ones
            sized = sorted((g for g in groups if g["bd"] is not None),
                           key=lambda g: (-(g["n0"] or 0), g["bd"]))
            if breakdown_limit is not None and len(sized) > breakdown_limit:
                top = [g["bd"] for g in sized[:breakdown_limit]]
                pool = lambda w: w.mutate(bd=ibis.ifelse(
                    w.bd.isin(top) | w.bd.isnull(), w.bd, ibis.literal(OTHER)))
                lazy = pool(lazy)
                groups = stats(pool(wide), n, by=True, hist=False,
                               repeat=repeat).to_pyarrow().to_pylist()
            groups.sort(key=lambda g: (-(g["n0"] or 0), g["bd"] is None, str(g["bd"])))
            for g in groups:
                by.extend({"breakdown": g["bd"], **r} for r in _rows(g, labels, repeat))
    return FunnelResult(
        steps=labels, unit="conversions" if repeat else "users", overall=overall, by=by,
        histogram=_histogram(rows_all[0], labels), breakdown=breakdown, window_s=plan.window,
        order=order, start=start, end=end, platforms=list(platforms) if platforms else None,
        _wide=lazy, _events=source.table("events"))


_DEFAULTS: dict[str, Any] = {
    "window": "14d", "order": "sequential", "step_windows": None, "min_gap": None,
    "max_gap": None, "exclusions": None, "repeat": False, "breakdown": None, "start": None,
    "end": None, "tz": None, "platforms": None}


def _plan(source: TableSource, steps: Any, *, window: Any, order: str, step_windows: Any,
          min_gap: Any, max_gap: Any, exclusions: Any, repeat: bool, breakdown: str | None,
          start: str | None, end: str | None, tz: str | None,
          platforms: Any) -> tuple[Plan, Any, Any]:
    parsed = parse_steps(steps)
    if order not in ORDERS:
        raise InputError("unknown funnel order", column="order", value=order,
                         hint="use one of " + ", ".join(ORDERS))
    win = parse_window(window)
    maxes = per_transition(step_windows, parsed, "step_windows")
    caps = per_transition(max_gap, parsed, "max_gap")
    maxes = [a if b is None else b if a is None else min(a, b) for a, b in zip(maxes, caps)]
    mins = per_transition(min_gap, parsed, "min_gap", allow_zero=True)
    if order == "any":
        if any(maxes) or any(m is not None for m in mins):
            raise InputError("step_windows, min_gap and max_gap need an ordered funnel",
                             column="order", value=order, hint='use order="sequential"')
        if len(set(parsed)) < len(parsed):
            raise InputError('order="any" needs distinct steps', column="steps",
                             value=[s.label for s in parsed])
    excl = list(exclusions or [])
    for x in excl:
        if x not in EVENT_TYPES:
            raise InputError("unknown exclusion event type", column="exclusions", value=x,
                             hint="use one of " + ", ".join(EVENT_TYPES))
    if breakdown is not None:
        table, _, col = breakdown.rpartition(".")
        ok = (col in BREAKDOWNS if not table
              else table == "users" and col in TABLES["users"].names and col != "user_key")
        if not ok:
            raise InputError("cannot break a funnel down by this column", column="breakdown",
                             value=breakdown, hint="use one of " + ", ".join(BREAKDOWNS)
                             + " or users.<column>, e.g. users.first_channel")
    settings = getattr(source, "settings", None)
    tz = tz or (settings.timezone if settings else "UTC")
    try:
        lo, hi = utc_bounds(start, end, tz)
    except ValueError as exc:
        raise InputError("start and end must be dates like 2026-03-01", column="start/end",
                         value=f"{start}..{end}") from exc
    plan = Plan(parsed, win, order, maxes, mins, excl, bool(repeat), breakdown)
    return plan, lo, hi


def _rows(g: dict[str, Any], labels: list[str], repeat: bool) -> list[dict[str, Any]]:
    counts = [int(g[f"n{k}"] or 0) for k in range(len(labels))]
    rows = []
    for k, name in enumerate(labels):
        c = counts[k]
        row: dict[str, Any] = {"step": k + 1, "name": name, "count": c,
                               "users": int(g[f"u{k}"] or 0) if repeat else c}
        for tag, base in (("prev", counts[k - 1] if k else 0), ("first", counts[0] if k else 0)):
            ci = wilson_interval(c, base)
            row[f"conv_{tag}"] = c / base if base else None
            row[f"conv_{tag}_lo"], row[f"conv_{tag}_hi"] = ci if ci else (None, None)
        row["dropped"] = c - counts[k + 1] if k + 1 < len(labels) else None
        for tag, t in (("prev", "p"), ("first", "f")):
            row[f"median_s_{tag}"] = g.get(f"med{t}{k}")
            row[f"p90_s_{tag}"] = g.get(f"p90{t}{k}")
        rows.append(row)
    return rows


def _histogram(g: dict[str, Any], labels: list[str]) -> list[dict[str, Any]]:
    out = []
    for k in range(1, len(labels)):
        for tag, basis in (("p", "previous"), ("f", "first")):
            for b, (label, lo, hi) in enumerate(HIST_BINS):
                out.append({"step": k + 1, "name": labels[k], "basis": basis, "bin": label,
                            "lo_s": lo, "hi_s": None if hi == float("inf") else hi,
                            "count": int(g[f"h{tag}{k}_{b}"] or 0)})
    return out

"""Local days and hours from UTC timestamps, the same way on every backend.

Stored times are UTC; sellers think in local days. Engines disagree on time-zone
functions, so local time is computed with portable Ibis arithmetic: the UTC offset of
each timestamp is a ``CASE`` over the zone's offset changes (daylight saving time) in
the span of the data, and a local day is ``(epoch seconds + offset) // 86400``. Zones
without changes (Asia/Shanghai, the default, UTC and most of Asia) need no ``CASE``.
This is the one implementation of "local calendar day / hour of a timestamp": the
overview, forecasts, content and the period calendar of retention all use it.

Examples
--------
>>> utc_offset_hours("Asia/Shanghai"), utc_offset_hours("UTC")
(8, 0)
>>> transitions("Asia/Shanghai", 1767225600, 1798761600)
(28800, ())
>>> transitions("America/New_York", 1767225600, 1798761600)  # 2026: 8 March, 1 November
(-18000, ((1772953200, -14400), (1793512800, -18000)))
>>> lo, hi = utc_bounds("2026-03-02", "2026-03-02", "Asia/Shanghai")
>>> lo.isoformat(), hi.isoformat()
('2026-03-01T16:00:00+00:00', '2026-03-02T16:00:00+00:00')
>>> utc_bounds("2026-02-30", None, "UTC")
Traceback (most recent call last):
...
kpgrowth.errors.InputError: not a valid day: '2026-02-30' (write days as YYYY-MM-DD)

In Ibis (23:30 in New York on 7 and 8 March 2026, either side of the switch to summer time):

>>> import datetime as dt, ibis
>>> t = ibis.memtable({"ts": [dt.datetime(2026, 3, 8, 4, 30, tzinfo=dt.UTC),
...                           dt.datetime(2026, 3, 9, 3, 30, tzinfo=dt.UTC)]})
>>> tz = "America/New_York"
>>> t.select(day=local_day(t.ts, tz), hour=local_hour(t.ts, tz)).to_pyarrow().to_pylist()
[{'day': datetime.date(2026, 3, 7), 'hour': 23}, {'day': datetime.date(2026, 3, 8), 'hour': 23}]
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

Span = tuple[int, int]
"""Epoch seconds ``(lo, hi)`` that the timestamps of a query lie in; ``(0, 0)`` = unknown."""

_Y2001, _Y2041 = 978307200, 2240611200  # epoch seconds of 2001-01-01 and 2041-01-01 UTC
DEFAULT_SPAN: Span = (_Y2001, _Y2041)
"""The span assumed when none is given: every offset change of 2001-2040."""


def utc_offset_hours(tz: str) -> int:
    """The zone's standard offset from UTC in whole hours (January 1st, 2026)."""
    offset = ZoneInfo(tz).utcoffset(dt.datetime(2026, 1, 1)) or dt.timedelta(0)
    return int(offset.total_seconds() // 3600)


@lru_cache(maxsize=64)
def transitions(tz: str, lo: int, hi: int) -> tuple[int, tuple[tuple[int, int], ...]]:
    """UTC offset (s) at epoch second ``lo`` and the ``(epoch, new offset)`` changes up to
    ``hi`` (to the second)."""
    zone = ZoneInfo(tz)

    def off(sec: int) -> int:
        local = dt.datetime.fromtimestamp(sec, dt.UTC).astimezone(zone)
        return int(local.utcoffset().total_seconds())  # type: ignore[union-attr]

    first = off(lo)
    changes: list[tuple[int, int]] = []
    step = 86400  # offsets change at most once a day
    t, cur = lo, first
    while t < hi:
        nxt = min(t + step, hi)
        o = off(nxt)
        if o != cur:  # bisect to the second
            a, b = t, nxt
            while b - a > 1:
                m = (a + b) // 2
                a, b = (m, b) if off(m) == cur else (a, m)
            changes.append((b, o))
            cur = o
        t = nxt
    return first, tuple(changes)


def is_fixed(tz: str) -> bool:
    """Whether ``tz`` keeps one UTC offset over 2001-2040 (no daylight saving)."""
    return not transitions(tz, *DEFAULT_SPAN)[1]


def time_span(source: Any, tz: str, tables: tuple[tuple[str, str], ...] = (
        ("events", "ts"), ("orders", "ts"))) -> Span:
    """Epoch seconds spanning the ``(table, column)`` times of ``source`` (a day's margin).

    Only queried for zones that change offset; ``(0, 0)`` for fixed zones and empty
    tables. Pass the result as ``span`` to keep the offset ``CASE`` short.
    """
    import ibis

    if is_fixed(tz):
        return 0, 0
    parts = []
    for name, col in tables:
        t = source.table(name)
        ts = t[col].cast("timestamp('UTC')")  # one (nullable) type for the union
        parts.append(t.aggregate(lo=ts.min(), hi=ts.max()))
    u = ibis.union(*parts) if len(parts) > 1 else parts[0]
    row = u.aggregate(lo=u.lo.min(), hi=u.hi.max()).to_pyarrow().to_pylist()[0]
    if row["lo"] is None:
        return 0, 0
    return int(row["lo"].timestamp()) - 86400, int(row["hi"].timestamp()) + 86400


def bounds_span(lo: dt.datetime | None, hi: dt.datetime | None) -> Span | None:
    """The span of a query bounded by UTC instants ``lo``..``hi`` (None if either is open)."""
    if lo is None or hi is None:
        return None
    return int(lo.timestamp()) - 86400, int(hi.timestamp()) + 86400


def _offsets(tz: str, span: Span | None) -> tuple[int, tuple[tuple[int, int], ...]]:
    if is_fixed(tz):
        return transitions(tz, *DEFAULT_SPAN)[0], ()
    if span is None or span[0] >= span[1]:
        span = DEFAULT_SPAN
    return transitions(tz, *span)


def utc_offset(ts: ir.TimestampValue, tz: str, span: Span | None = None) -> Any:
    """The UTC offset in seconds of each timestamp ``ts`` in ``tz`` (an Ibis expression,
    or an int for fixed zones). ``span`` bounds the times (:func:`time_span`); outside it
    the nearest offset applies. Default: 2001-2040."""
    import ibis

    first, changes = _offsets(tz, span)
    if not changes:
        return first
    sec = ts.epoch_seconds()
    branches, prev = [], first
    for at, o in changes:
        branches.append((sec < at, prev))
        prev = o
    return ibis.cases(*branches, else_=prev)


def local_seconds(ts: ir.TimestampValue, tz: str, span: Span | None = None) -> ir.IntegerValue:
    """Seconds since 1970-01-01 00:00 local time (the local wall clock as epoch seconds)."""
    return (ts.epoch_seconds() + utc_offset(ts, tz, span)).cast("int64")


def local_day_number(ts: ir.TimestampValue, tz: str,
                     span: Span | None = None) -> ir.IntegerValue:
    """Local day number (days since 1970-01-01 in ``tz``) of UTC timestamps ``ts``."""
    return (local_seconds(ts, tz, span) // 86400).cast("int64")


def local_day(ts: ir.TimestampValue, tz: str, span: Span | None = None) -> ir.DateValue:
    """The local calendar day (a date) of the Ibis timestamp expression ``ts``."""
    import ibis

    first, changes = _offsets(tz, span)
    if not changes:
        return (ts + ibis.interval(seconds=first)).date()
    sec = ts.epoch_seconds()
    branches, prev = [], first
    for at, o in changes:
        branches.append((sec < at, (ts + ibis.interval(seconds=prev)).date()))
        prev = o
    return ibis.cases(*branches, else_=(ts + ibis.interval(seconds=prev)).date())


def local_hour(ts: ir.TimestampValue, tz: str, span: Span | None = None) -> ir.IntegerValue:
    """Local hour of the day (0-23)."""
    return ((local_seconds(ts, tz, span) // 3600) % 24).cast("int64")


def local_hour_of_week(ts: ir.TimestampValue, tz: str,
                       span: Span | None = None) -> ir.IntegerValue:
    """Local hour of the week: 0 = Monday 00h … 167 = Sunday 23h."""
    return (((local_seconds(ts, tz, span) // 3600) + 72) % 168).cast("int64")  # 1970-01-01: Thu


def utc_bounds(start: str | None, end: str | None, tz: str) -> tuple[Any, Any]:
    """UTC instants bounding local days ``start``..``end`` (inclusive; None = open)."""
    zone = ZoneInfo(tz)

    def edge(day: str | None, plus: int) -> dt.datetime | None:
        if not day:
            return None
        try:
            d = dt.date.fromisoformat(str(day)) + dt.timedelta(days=plus)
        except (ValueError, OverflowError):
            from kpgrowth.errors import InputError

            raise InputError(f"not a valid day: {day!r}", hint="write days as YYYY-MM-DD") from None
        return dt.datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(dt.UTC)

    return edge(start, 0), edge(end, 1)


MAX_DURATION_S = 3660 * 86400  # ten years: longer windows are typos, and overflow engines
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration_seconds(value: Any, *, number_unit: float = 1.0) -> float | None:
    """Seconds in ``"14d"``, ``"12h"``, ``"30m"``, ``"45s"``, ``"2w"``, a timedelta or a
    number (times ``number_unit`` seconds); None when it is not a duration or is longer
    than ten years.

    Examples
    --------
    >>> duration_seconds("2w"), duration_seconds(3, number_unit=86400), duration_seconds("9999y")
    (1209600.0, 259200.0, None)
    >>> duration_seconds("200000000d") is None
    True
    """
    import re

    if isinstance(value, dt.timedelta):
        secs = value.total_seconds()
    elif isinstance(value, bool):
        return None
    elif isinstance(value, (int, float)):
        secs = float(value) * number_unit
    elif isinstance(value, str) and (m := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*",
                                                       value.lower())):
        secs = float(m.group(1)) * _UNITS[m.group(2)]
    else:
        return None
    return secs if 0 <= secs <= MAX_DURATION_S else None

"""Local days from UTC timestamps, the same way on every backend.

Stored times are UTC; sellers think in local days. Ibis has no portable time-zone
conversion, so a local day is ``(ts + offset).date()`` with the zone's standard UTC
offset. That is exact for zones without daylight saving (Asia/Shanghai, the default,
and most of Asia) and off by an hour around DST changes elsewhere.

Examples
--------
>>> utc_offset_hours("Asia/Shanghai"), utc_offset_hours("UTC")
(8, 0)
>>> lo, hi = utc_bounds("2026-03-02", "2026-03-02", "Asia/Shanghai")
>>> lo.isoformat(), hi.isoformat()
('2026-03-01T16:00:00+00:00', '2026-03-02T16:00:00+00:00')
>>> utc_bounds("2026-02-30", None, "UTC")
Traceback (most recent call last):
...
kpgrowth.errors.InputError: not a valid day: '2026-02-30' (write days as YYYY-MM-DD)
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo


def utc_offset_hours(tz: str) -> int:
    """The zone's standard offset from UTC in whole hours (January 1st, 2026)."""
    offset = ZoneInfo(tz).utcoffset(dt.datetime(2026, 1, 1)) or dt.timedelta(0)
    return int(offset.total_seconds() // 3600)


def local_day(ts: Any, tz: str) -> Any:
    """The local calendar day of the Ibis timestamp expression ``ts``."""
    import ibis

    return (ts + ibis.interval(hours=utc_offset_hours(tz))).date()


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
        return dt.datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(dt.timezone.utc)

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

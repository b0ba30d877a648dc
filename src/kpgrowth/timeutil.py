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
        d = dt.date.fromisoformat(day) + dt.timedelta(days=plus)
        return dt.datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(dt.timezone.utc)

    return edge(start, 0), edge(end, 1)

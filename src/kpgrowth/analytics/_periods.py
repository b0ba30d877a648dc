"""Local calendar periods as Ibis expressions, the same on every engine.

Times are stored in UTC. Retention, lifecycle and active-user analyses count
people per *local* day, week or month of the workspace time zone. Engines
disagree on time-zone functions, so local periods are computed with integer
arithmetic on UTC epoch seconds:

* the UTC offset of each timestamp is a ``CASE`` over the zone's transitions
  (daylight saving time; none for fixed-offset zones such as Asia/Shanghai);
* a **day** is the number of local days since 1970-01-01;
* a **week** is an ISO week (Monday to Sunday), numbered from Monday 1969-12-29;
* a **month** is ``year * 12 + month - 1`` of the local date.

Examples
--------
>>> period_start(0, "day"), period_start(2923, "week"), period_start(24315, "month")
('1970-01-01', '2026-01-05', '2026-04-01')
>>> [period_start(period_of_day(d, "week"), "week") for d in (20457, 20458)]  # Sun, Mon
['2025-12-29', '2026-01-05']
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kpgrowth.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import ibis
    import ibis.expr.types as ir

PERIODS = ("day", "week", "month")
EPOCH = dt.date(1970, 1, 1)
_MONDAY0 = dt.date(1969, 12, 29)  # week 0 starts on this Monday
_Y2001, _Y2041 = 978307200, 2240611200  # epoch seconds of 2001-01-01 and 2041-01-01 UTC


def check_choice(name: str, value: Any, allowed: tuple[str, ...], func: str) -> None:
    """Raise :class:`InputError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InputError(f"The {name!r} parameter of {func} must be one of "
                         f"{', '.join(map(repr, allowed))}. Got {value!r} instead.")


def resolve_tz(source: Any, tz: str | None) -> str:
    """``tz``, else the workspace's time zone, else UTC; checked to be a known zone."""
    settings = getattr(source, "settings", None)
    tz = tz or (settings.timezone if settings else "UTC")
    try:
        ZoneInfo(tz)
    except (KeyError, ValueError):
        raise InputError(f"unknown time zone {tz!r}",
                         hint="use an IANA name such as Asia/Shanghai or UTC") from None
    return tz


@lru_cache(maxsize=64)
def transitions(tz: str, lo: int, hi: int) -> tuple[int, tuple[tuple[int, int], ...]]:
    """UTC offset (s) at epoch second ``lo`` and the ``(epoch, new offset)`` changes up to ``hi``.

    Examples
    --------
    >>> transitions("Asia/Shanghai", 1767225600, 1798761600)
    (28800, ())
    >>> transitions("Europe/Berlin", 1767225600, 1798761600)[1]
    ((1774746000, 7200), (1792890000, 3600))
    """
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


def _time_range(source: Any, tz: str, table: str = "events", col: str = "ts") -> tuple[int, int]:
    """Epoch seconds spanning ``table`` (only queried for zones that change offset)."""
    if not transitions(tz, _Y2001, _Y2041)[1]:
        return 0, 0  # a fixed offset over 2001-2040: no range needed
    t = source.table(table)
    row = t.aggregate(lo=t[col].min(), hi=t[col].max()).to_pyarrow().to_pylist()[0]
    if row["lo"] is None:
        return 0, 0
    return int(row["lo"].timestamp()) - 86400, int(row["hi"].timestamp()) + 86400


def local_day(ts: ir.TimestampValue, tz: str, span: tuple[int, int]) -> ir.IntegerValue:
    """Local day number (days since 1970-01-01 in ``tz``) of UTC timestamps ``ts``."""
    import ibis

    sec = ts.epoch_seconds()
    lo, hi = span
    if lo == hi:  # fixed offset
        first, changes = transitions(tz, _Y2001, _Y2041)[0], ()
    else:
        first, changes = transitions(tz, lo, hi)
    if changes:
        branches = []
        prev = first
        for at, o in changes:
            branches.append((sec < at, prev))
            prev = o
        offset: Any = ibis.cases(*branches, else_=prev)
    else:
        offset = first
    return ((sec + offset) // 86400).cast("int64")


def period_of_day(day: Any, period: str) -> Any:
    """Period number of local day number ``day`` (an Ibis expression or an int)."""
    if period == "day":
        return day
    if period == "week":
        return (day + 3) // 7
    # month: civil-from-days (H. Hinnant), integer arithmetic valid for years >= 0
    z = day + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    late = mp // 10  # 1 for January and February (of the next civil year)
    month0 = mp + 2 - 12 * late  # 0-based month
    year = yoe + era * 400 + late
    return year * 12 + month0


def period_start(p: int, period: str) -> str:
    """ISO date of the first local day of period number ``p``."""
    if period == "day":
        return (EPOCH + dt.timedelta(days=int(p))).isoformat()
    if period == "week":
        return (_MONDAY0 + dt.timedelta(weeks=int(p))).isoformat()
    return dt.date(int(p) // 12, int(p) % 12 + 1, 1).isoformat()


def day_number(day: str) -> int:
    """Local day number of an ISO date ``YYYY-MM-DD``."""
    try:
        return (dt.date.fromisoformat(day) - EPOCH).days
    except ValueError:
        raise InputError(f"bad date {day!r}", hint="use YYYY-MM-DD") from None


class Calendar:
    """Local periods of one source in one time zone.

    Parameters
    ----------
    source : Workspace or Store
        Where the tables are.
    tz : str
        IANA time zone of local days.
    period : {"day", "week", "month"}
        Period length.
    """

    def __init__(self, source: Any, tz: str, period: str) -> None:
        self.source, self.tz, self.period = source, tz, period
        self.span = _time_range(source, tz)

    def day(self, ts: ir.TimestampValue) -> ir.IntegerValue:
        """Local day number of ``ts``."""
        return local_day(ts, self.tz, self.span)

    def of(self, ts: ir.TimestampValue) -> ir.IntegerValue:
        """Period number of ``ts``."""
        return period_of_day(self.day(ts), self.period).cast("int64")

    def bound(self, day: str | None) -> int | None:
        """Period number of local day ``day`` (``None`` stays ``None``)."""
        return None if day is None else int(period_of_day(day_number(day), self.period))

    def label(self, p: int) -> str:
        """ISO date where period ``p`` starts."""
        return period_start(p, self.period)


def activity(source: Any, cal: Calendar, *, types: list[str] | None = None,
             platforms: list[str] | None = None, by_day: bool = False) -> ibis.Table:
    """Distinct ``(user_key, p)`` of people with an event (of ``types``) in period ``p``.

    With ``by_day`` the rows are ``(user_key, day)`` (local day numbers) instead.
    """
    ev = source.table("events")
    ev = ev.filter(ev.user_key.notnull())
    if types:
        ev = ev.filter(ev.type.isin(list(types)))
    if platforms:
        ev = ev.filter(ev.platform.isin(list(platforms)))
    key = cal.day(ev.ts) if by_day else cal.of(ev.ts)
    return ev.select(user_key=ev.user_key, p=key).distinct()


def as_list(value: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    """``None``, or ``value`` as a list of strings."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)

"""Local calendar periods as Ibis expressions, the same on every engine.

Times are stored in UTC. Retention, lifecycle and active-user analyses count
people per *local* day, week or month of the workspace time zone. Engines
disagree on time-zone functions, so local periods are computed with integer
arithmetic on UTC epoch seconds:

* the UTC offset of each timestamp is a ``CASE`` over the zone's transitions
  (daylight saving time; none for fixed-offset zones such as Asia/Shanghai), the one
  implementation in :mod:`kpgrowth.timeutil` that overview, forecasts and content use too;
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
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kpgrowth.errors import InputError
from kpgrowth.timeutil import local_day_number, time_span, transitions  # noqa: F401

if TYPE_CHECKING:  # pragma: no cover
    import ibis
    import ibis.expr.types as ir

PERIODS = ("day", "week", "month")
EPOCH = dt.date(1970, 1, 1)
_MONDAY0 = dt.date(1969, 12, 29)  # week 0 starts on this Monday


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
        self.span = time_span(source, tz)

    def day(self, ts: ir.TimestampValue) -> ir.IntegerValue:
        """Local day number of ``ts``."""
        return local_day_number(ts, self.tz, self.span)

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


def rolling_active(a: ibis.Table, key: str, widths: tuple[int, ...] = (7, 30)) -> ibis.Table:
    """Changes of the rolling distinct-active counts per group ``key``, as an Ibis table.

    ``a`` holds distinct ``(key, user_key, p)`` rows (``p``: local day numbers). Returns
    ``key, w, p, delta`` (``key`` cast to string): for ``w = 1`` the people active on day
    ``p``; for each width in ``widths`` the +1/-1 changes whose running sum over ``p`` is the
    number of people active on ``p`` or the ``w - 1`` days before. Each person-day covers
    the days it counts for, overlapping coverage of one person merged with a window
    function, so nothing is expanded w-fold. :func:`rolling_series` sums them up.
    """
    import ibis

    a = a.mutate(prev=a.p.lag().over(ibis.window(group_by=[a[key], a.user_key],
                                                 order_by=a.p)))

    def part(t: Any, w: int, p: Any, delta: Any) -> Any:
        return t.select(**{key: t[key].cast("string")}, w=ibis.literal(w, "int64"),
                        p=p.cast("int64"), delta=delta.cast("int64"))

    daily = a.group_by([key, "p"]).aggregate(n=a.count())
    moves = []
    for width in widths:
        begin = ibis.greatest(a.p, (a.prev + width).fill_null(a.p))
        moves += [part(a, width, begin, ibis.literal(1)),
                  part(a, width, a.p + width, ibis.literal(-1))]
    roll = ibis.union(*moves)
    roll = roll.group_by([key, "w", "p"]).aggregate(delta=roll.delta.sum())
    return ibis.union(part(daily, 1, daily.p, daily.n), roll.select(key, "w", "p", "delta"))


def rolling_series(rows: list[dict[str, Any]], key: str, lo: int, hi: int,
                   ) -> dict[Any, dict[int, dict[int, int]]]:
    """``{group: {w: {day: count}}}`` for days ``lo..hi`` from :func:`rolling_active` rows."""
    import numpy as np

    rows = [r for r in rows if r["w"] > 0]
    if not rows or hi < lo:
        return {}
    base = min(min(r["p"] for r in rows), lo)
    size = max(hi, max(r["p"] for r in rows)) - base + 1
    acc: dict[Any, dict[int, Any]] = {}
    for r in rows:
        arr = acc.setdefault(r[key], {}).setdefault(r["w"], np.zeros(size, dtype=np.int64))
        arr[r["p"] - base] += int(r["delta"])
    out: dict[Any, dict[int, dict[int, int]]] = {}
    for g, per in acc.items():
        out[g] = {}
        for w, arr in per.items():
            counts = arr if w == 1 else np.cumsum(arr)
            out[g][w] = {d: int(counts[d - base]) for d in range(lo, hi + 1)}
    return out

"""One local-day implementation (kpgrowth.timeutil) with daylight saving time, checked where
it is used: the overview, forecast series and early-signal features, content by hour of week
and the period calendar of retention (DuckDB and Spark, identical assertions).

America/New_York switches to summer time on 2026-03-08 at 07:00 UTC (02:00 EST -> 03:00 EDT)
and back on 2026-11-01 at 06:00 UTC. A fixed standard offset (UTC-5) puts events between
midnight and 01:00 summer time on the previous day; these must land on their own day.
"""

from __future__ import annotations

import datetime as dt
import decimal
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from kpgrowth.analytics._periods import Calendar
from kpgrowth.analytics.content import content_performance
from kpgrowth.analytics.overview import overview
from kpgrowth.forecast.early import post_features
from kpgrowth.forecast.series import daily_series
from kpgrowth.timeutil import local_day, local_hour, local_hour_of_week, transitions

NY = "America/New_York"
T = pa.timestamp("us", tz="UTC")


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


# (UTC time, local day in New York, local hour); the starred ones a fixed offset gets wrong
TIMES = [
    (utc(3, 8, 4, 30), "2026-03-07", 23),    # 23:30 EST, before the switch
    (utc(3, 8, 6, 30), "2026-03-08", 1),     # 01:30 EST
    (utc(3, 8, 7, 30), "2026-03-08", 3),     # 03:30 EDT, just after the switch *
    (utc(3, 9, 3, 30), "2026-03-08", 23),    # 23:30 EDT *
    (utc(3, 9, 4, 30), "2026-03-09", 0),     # 00:30 EDT: UTC-5 says 03-08 23:30 *
    (utc(11, 1, 3, 59), "2026-10-31", 23),   # 23:59 EDT *
    (utc(11, 1, 4, 30), "2026-11-01", 0),    # 00:30 EDT: UTC-5 says 10-31 23:30 *
    (utc(11, 1, 5, 30), "2026-11-01", 1),    # 01:30 EDT (first time) *
    (utc(11, 1, 6, 30), "2026-11-01", 1),    # 01:30 EST (second time)
    (utc(11, 2, 4, 30), "2026-11-01", 23),   # 23:30 EST
]


def test_times_agree_with_zoneinfo():
    for ts, day, hour in TIMES:
        local = ts.astimezone(ZoneInfo(NY))
        assert (local.date().isoformat(), local.hour) == (day, hour), ts


def _tables() -> dict[str, pa.Table]:
    n = len(TIMES)
    ts = pa.array([t for t, _, _ in TIMES], T)
    return {
        "events": pa.table({"event_id": [f"e{i}" for i in range(n)], "ts": ts,
                            "user_key": [f"u{i}" for i in range(n)], "type": ["like"] * n,
                            "platform": ["douyin"] * n, "post_id": [f"p{i}" for i in range(n)]}),
        "orders": pa.table({"order_id": [f"o{i}" for i in range(n)], "ts": ts,
                            "user_key": [f"u{i}" for i in range(n)], "product_id": ["p"] * n,
                            "amount": [decimal.Decimal(10 * (i + 1)) for i in range(n)],
                            "currency": ["CNY"] * n, "status": ["paid"] * n,
                            "platform": ["douyin"] * n}),
        "posts": pa.table({"post_id": [f"p{i}" for i in range(n)], "platform": ["douyin"] * n,
                           "posted_at": ts}),
    }


def _expected_days() -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, (_, day, _) in enumerate(TIMES):
        out.setdefault(day, []).append(i)
    return out


def test_overview_days_follow_daylight_saving(store_of):
    store = store_of(_tables())
    ov = overview(store, tz=NY)
    got = {r["day"]: (r["orders"], r["revenue"], r["active_users"]) for r in ov.daily}
    want = {d: (len(ix), float(sum(10 * (i + 1) for i in ix)), len(ix))
            for d, ix in _expected_days().items()}
    assert got == want
    # a local-day range selects by local midnight, too: 03-09 starts at 04:00 UTC
    assert overview(store, tz=NY, start="2026-03-09", end="2026-03-09").kpis["orders"] == 1


def test_forecast_series_and_features_follow_daylight_saving(store_of):
    store = store_of(_tables())
    s = daily_series(store, "orders", tz=NY)
    got = {d.date().isoformat(): v for d, v in s.items() if v}
    assert got == {d: float(len(ix)) for d, ix in _expected_days().items()}
    assert s.index[0].date().isoformat() == "2026-03-07"
    users = daily_series(store, "active_users", tz=NY)
    assert users[users > 0].to_dict() == s[s > 0].to_dict()
    f = post_features(store, hours=1, horizon_hours=1, tz=NY).set_index("post_id")
    assert [int(f.loc[f"p{i}", "posted_hour"]) for i in range(len(TIMES))] == [
        h for _, _, h in TIMES]


def test_content_hour_of_week_and_calendar_follow_daylight_saving(store_of):
    store = store_of(_tables())
    how = {r["key"]: r["posts"] for r in
           content_performance(store, by="hour_of_week", tz=NY).rows}
    want: dict[int, int] = {}
    for ts, _, _ in TIMES:
        local = ts.astimezone(ZoneInfo(NY))
        k = local.weekday() * 24 + local.hour
        want[k] = want.get(k, 0) + 1
    assert how == want
    cal = Calendar(store, NY, "day")
    ev = store.table("events")
    rows = ev.select("event_id", d=cal.day(ev.ts)).to_pyarrow().to_pylist()
    got = {r["event_id"]: cal.label(r["d"]) for r in rows}
    assert got == {f"e{i}": day for i, (_, day, _) in enumerate(TIMES)}


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC", NY, "Europe/Berlin",
                                "Australia/Sydney"])
def test_expressions_match_zoneinfo_for_any_span(tz):
    """Without a span (2001-2040 offsets), with the data's span, and for fixed zones."""
    import ibis

    stamps = [t for t, _, _ in TIMES] + [utc(1, 1, 0, 0), utc(7, 1, 12, 0),
                                         dt.datetime(2039, 3, 27, 1, 30, tzinfo=dt.UTC)]
    t = ibis.memtable({"ts": pa.array(stamps, T)})
    secs = [int(x.timestamp()) for x in stamps]
    for span in (None, (min(secs) - 86400, max(secs) + 86400)):
        rows = t.select(d=local_day(t.ts, tz, span), h=local_hour(t.ts, tz, span),
                        w=local_hour_of_week(t.ts, tz, span)).to_pyarrow().to_pylist()
        for ts, r in zip(stamps, rows):
            local = ts.astimezone(ZoneInfo(tz))
            assert (r["d"], r["h"], r["w"]) == (
                local.date(), local.hour, local.weekday() * 24 + local.hour), (tz, ts, span)
    # Shanghai kept summer time in 1986-1991: "fixed" means over 2001-2040
    assert transitions("Asia/Shanghai", 0, 2_000_000_000)[1][0][1] == 9 * 3600
    assert transitions("Asia/Shanghai", 978307200, 2240611200) == (8 * 3600, ())

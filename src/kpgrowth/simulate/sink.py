"""The simulation clock and the event sink that streams events into a store batch.

Times inside the simulator are UTC microseconds (int64). Events are collected as
integer-coded numpy columns and turned into an Arrow ``events`` chunk on
:meth:`EventSink.flush`, so a day's events never become Python objects.

Examples
--------
>>> import numpy as np, pyarrow as pa
>>> clock = Clock("2026-01-05", days=2, tz="UTC")   # a Monday
>>> int(clock.how(np.array([clock.start_us]))[0])
0
>>> sink = EventSink(pa.array(["u_a", "u_b"]), {}, clock)
>>> sink.add("like", np.array([clock.start_us, clock.start_us + 1]), np.array([1, 0]))
>>> t = sink.flush(); t.num_rows, t.column("user_key").to_pylist()
(2, ['u_b', 'u_a'])
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.schema import EVENT_TYPES, TABLES
from kpgrowth.simulate.params import SIM_PLATFORMS
from kpgrowth.store import conform

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
TYPE_CODE = {t: i for i, t in enumerate(EVENT_TYPES)}
_TS = pa.timestamp("us", tz="UTC")


class Clock:
    """Days of the simulation in a time zone.

    Parameters
    ----------
    start : str
        First local day, ``YYYY-MM-DD``.
    days : int
        Number of simulated days.
    tz : str
        IANA time zone of the business (local days and hour-of-week).
    """

    def __init__(self, start: str, days: int, tz: str = "Asia/Shanghai") -> None:
        d0 = date.fromisoformat(start)
        local = datetime(d0.year, d0.month, d0.day, tzinfo=ZoneInfo(tz))
        offset = local.utcoffset() or timedelta(0)
        self.tz = tz
        self.start_date = d0
        self.days = days
        self.offset_us = int(offset.total_seconds()) * US
        epoch = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
        self.start_us = int((local - epoch).total_seconds()) * US
        self.end_us = self.start_us + days * DAY

    def day_start(self, day: int) -> int:
        """UTC microseconds of local midnight of ``day`` (0-based)."""
        return self.start_us + day * DAY

    def how(self, ts: np.ndarray) -> np.ndarray:
        """Local hour of week (0 = Monday 00h) of UTC microsecond times."""
        return ((ts + self.offset_us) // HOUR + 72) % 168

    def day_of(self, ts: np.ndarray) -> np.ndarray:
        """0-based local day index of UTC microsecond times."""
        return (ts - self.start_us) // DAY

    def date(self, day: int) -> date:
        """The local calendar date of ``day``."""
        return self.start_date + timedelta(days=day)


def ts_array(us: np.ndarray) -> pa.Array:
    """UTC microseconds as an Arrow ``timestamp[us, tz=UTC]`` array (NaT-free int64)."""
    return pa.array(np.asarray(us, dtype=np.int64), type=pa.int64()).cast(_TS)


def take(strings: pa.Array, idx: np.ndarray) -> pa.Array:
    """``strings[idx]`` with nulls where ``idx < 0``."""
    idx = np.asarray(idx, dtype=np.int64)
    return strings.take(pa.array(idx, mask=idx < 0))


def ids(prefix: str, start: int, n: int, width: int = 10) -> pa.Array:
    """``n`` string ids ``prefix`` + zero-padded counter from ``start``."""
    nums = pa.array(np.arange(start, start + n, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width, padding="0"), "")


class EventSink:
    """Collects integer-coded events and emits conformed Arrow ``events`` chunks.

    Parameters
    ----------
    users : pyarrow.Array
        ``user_key`` strings indexed by user number.
    lookups : dict
        Arrow string arrays for ``post``, ``product``, ``community`` and ``campaign``.
    clock : Clock
        Events at or after ``clock.end_us`` are dropped.
    """

    _COLS = ("ts", "user", "type", "platform", "post", "product", "community", "campaign",
             "value", "props")

    def __init__(self, users: pa.Array, lookups: dict[str, pa.Array], clock: Clock) -> None:
        self.users = users
        empty = pa.array([], pa.string())
        self.lookups = {k: lookups.get(k, empty)
                        for k in ("post", "product", "community", "campaign")}
        self.clock = clock
        self.parts: list[dict[str, np.ndarray]] = []
        self.props: list[str] = []
        self._prop_code: dict[str, int] = {}
        self.emitted = 0
        self.by_type: Counter[str] = Counter()
        self.by_day_type: Counter[tuple[int, str]] = Counter()

    def prop(self, text: str) -> int:
        """Integer code of a ``properties`` JSON string."""
        if text not in self._prop_code:
            self._prop_code[text] = len(self.props)
            self.props.append(text)
        return self._prop_code[text]

    def add(self, type_: str, ts: np.ndarray, user: np.ndarray | int, *,
            platform: np.ndarray | int = -1, post: np.ndarray | int = -1,
            product: np.ndarray | int = -1, community: np.ndarray | int = -1,
            campaign: np.ndarray | int = -1, value: np.ndarray | float = np.nan,
            props: np.ndarray | int = -1) -> None:
        """Add events of one type; scalars broadcast to the length of ``ts``."""
        n = len(ts)
        if n == 0:
            return
        full = lambda v, dt: np.broadcast_to(np.asarray(v, dtype=dt), (n,))
        self.parts.append({
            "ts": np.asarray(ts, dtype=np.int64), "user": full(user, np.int64),
            "type": np.full(n, TYPE_CODE[type_], dtype=np.int16),
            "platform": full(platform, np.int16), "post": full(post, np.int64),
            "product": full(product, np.int64), "community": full(community, np.int64),
            "campaign": full(campaign, np.int64), "value": full(value, np.float64),
            "props": full(props, np.int64)})

    def flush(self) -> pa.Table:
        """Return the collected events as a conformed, time-sorted ``events`` table."""
        if not self.parts:
            return conform(TABLES["events"], pa.table({"event_id": pa.array([], pa.string())}))
        cols = {c: np.concatenate([p[c] for p in self.parts]) for c in self._COLS}
        self.parts = []
        keep = (cols["ts"] < self.clock.end_us) & (cols["ts"] >= self.clock.start_us)
        order = np.argsort(cols["ts"][keep], kind="stable")
        cols = {c: v[keep][order] for c, v in cols.items()}
        n = len(cols["ts"])
        types = np.asarray(EVENT_TYPES, dtype=object)
        codes, counts = np.unique(cols["type"], return_counts=True)
        self.by_type.update({types[c]: int(k) for c, k in zip(codes, counts)})
        days = self.clock.day_of(cols["ts"])
        pair, pcount = np.unique(days * 64 + cols["type"], return_counts=True)
        self.by_day_type.update({(int(p // 64), types[p % 64]): int(k)
                                 for p, k in zip(pair, pcount)})
        value = cols["value"]
        table = pa.table({
            "event_id": ids("ev", self.emitted, n, 10),
            "ts": ts_array(cols["ts"]),
            "user_key": take(self.users, cols["user"]),
            "type": take(pa.array(EVENT_TYPES), cols["type"]),
            "platform": take(pa.array(SIM_PLATFORMS), cols["platform"]),
            "post_id": take(self.lookups["post"], cols["post"]),
            "product_id": take(self.lookups["product"], cols["product"]),
            "community_id": take(self.lookups["community"], cols["community"]),
            "campaign_id": take(self.lookups["campaign"], cols["campaign"]),
            "value": pa.array(value, mask=np.isnan(value)),
            "properties": take(pa.array(self.props or [""], pa.string()), cols["props"]),
        })
        self.emitted += n
        return conform(TABLES["events"], table)

"""Dates and timestamps for :func:`kpgrowth.ingest.parse.parse_column`.

A vectorized ISO fast path, then ``strptime`` and regular expressions over the
values left, then Python for the rare rest (``2024年3月5日``, ``Mar 5, 2024``).
Numbers are read as Excel serials or Unix epochs when the format says so or when
the whole column looks like one. Naive values are wall time in ``tz``.

Examples
--------
>>> import pyarrow as pa
>>> arr, bad = parse_times(pa.array(["2024年3月5日", "45356", "oops"]), "date", None, "UTC")
>>> arr.to_pylist()[0].isoformat(), bad
('2024-03-05', [(1, 'not a valid date'), (2, 'not a valid date')])
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.ingest.parse import (  # shared patterns and vector helpers
    _COMPACT,
    _DT,
    _DT_RE,
    _EXCEL_EPOCH_DAYS,
    _EXCEL_MAX,
    _EXCEL_MIN,
    _FLOAT,
    _ISO_AWARE,
    _ISO_NAIVE,
    _MONTH_FORMATS,
    _NUMERIC,
    _US_PER_DAY,
    REASONS,
    _blank_to_null,
    _clean,
    _looks,
    _mask,
    _nfkc,
    _take,
    _try_cast,
    _valid,
)


class _Times:
    """Accumulates parsed instants: microseconds, and whether each is UTC or local wall time."""

    def __init__(self, n: int) -> None:
        self.us = np.zeros(n, dtype=np.int64)
        self.ok = np.zeros(n, dtype=bool)
        self.aware = np.zeros(n, dtype=bool)

    def put(self, idx: np.ndarray, us: np.ndarray, aware: bool | np.ndarray) -> None:
        self.us[idx] = us
        self.ok[idx] = True
        self.aware[idx] = aware


def parse_times(arr: pa.Array, dtype: str, fmt: str | None,
                tz: str) -> tuple[pa.Array, list[tuple[int, str]]]:
    n = len(arr)
    reason = REASONS[dtype]
    if fmt is None or fmt == "iso":
        arr = _blank_to_null(arr)
        fast = _fast_iso(arr)
        if fast is not None:
            return _finish_time(fast, dtype, tz), []
    times = _Times(n)
    clean = _clean(arr)
    valid = _valid(clean)
    if fmt in ("excel", "epoch_s", "epoch_ms", "epoch_us"):
        _numeric_times(clean, valid, times, fmt)
    elif fmt is not None and fmt != "iso":
        _strptime_times(clean, valid, times, fmt)
    else:
        idx = np.flatnonzero(valid)
        if len(idx) and _looks(clean.filter(pc.is_valid(clean)), _NUMERIC) \
                and _mask(clean, _NUMERIC)[idx].all():
            _auto_numeric_times(clean, valid, times)
        else:
            _vector_times(clean, valid, times)
            rest = np.flatnonzero(valid & ~times.ok)
            if len(rest):
                _python_times(_take(clean, rest).to_pylist(), rest, times)
    bad = np.flatnonzero(valid & ~times.ok)
    return _finish_time(times, dtype, tz), [(int(i), reason) for i in bad]


def _fast_iso(arr: pa.Array) -> _Times | None:
    """All values ISO 8601 and all naive (or all with offsets): one Arrow cast."""
    for target, aware, pattern in ((pa.timestamp("us"), False, _ISO_NAIVE),
                                   (pa.timestamp("us", "UTC"), True, _ISO_AWARE)):
        got = _try_cast(arr, target) if _looks(arr, pattern) else None
        if got is not None:
            t = _Times(len(arr))
            ok = _valid(got)
            us = got.cast(pa.int64()).to_numpy(zero_copy_only=False)
            t.us[:] = np.where(ok, us, 0)
            t.ok[:] = ok
            t.aware[:] = aware
            return t
    return None


def _finish_time(t: _Times, dtype: str, tz: str) -> pa.Array:
    us = t.us.copy()
    if dtype == "timestamp":
        local = np.flatnonzero(t.ok & ~t.aware)
        if len(local):
            naive = pa.array(us[local], pa.timestamp("us"))
            utc = pc.assume_timezone(naive, tz, ambiguous="earliest", nonexistent="earliest")
            us[local] = utc.cast(pa.int64()).to_numpy(zero_copy_only=False)
        return pa.array(np.where(t.ok, us, 0), pa.int64(), mask=~t.ok).cast(
            pa.timestamp("us", "UTC"))
    aware = np.flatnonzero(t.ok & t.aware)
    if len(aware):
        inst = pa.array(us[aware], pa.timestamp("us", tz))
        us[aware] = pc.local_timestamp(inst).cast(pa.int64()).to_numpy(zero_copy_only=False)
    days = np.floor_divide(np.where(t.ok, us, 0), _US_PER_DAY).astype(np.int32)
    return pa.array(days, pa.int32(), mask=~t.ok).cast(pa.date32())


def _numbers_of(clean: pa.Array, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float values and a parsed-ok mask for clean[idx] (NFKC + plain numbers only)."""
    sub = _take(clean, idx)
    got = _try_cast(sub, pa.float64())
    if got is not None:
        return got.to_numpy(zero_copy_only=False), np.ones(len(idx), bool)
    out, ok = np.zeros(len(idx)), np.zeros(len(idx), bool)
    for j, text in enumerate(sub.to_pylist()):
        s = _nfkc(text)
        if re.fullmatch(_FLOAT, s):
            out[j], ok[j] = float(s), True
    return out, ok


def _numeric_times(clean: pa.Array, valid: np.ndarray, times: _Times, fmt: str) -> None:
    idx = np.flatnonzero(valid)
    x, ok = _numbers_of(clean, idx)
    if fmt == "excel":
        good = ok & (x >= 1) & (x < 2_958_466)  # Excel's own range: 1900-01-01..9999-12-31
        us = np.rint((x[good] - _EXCEL_EPOCH_DAYS) * _US_PER_DAY).astype(np.int64)
        times.put(idx[good], us, False)
        return
    per = {"epoch_s": 1e6, "epoch_ms": 1e3, "epoch_us": 1.0}[fmt]
    good = ok & (np.abs(x * per) < 2.5e17)  # about year 9900
    times.put(idx[good], np.rint(x[good] * per).astype(np.int64), True)


def _auto_numeric_times(clean: pa.Array, valid: np.ndarray, times: _Times) -> None:
    """A column of bare numbers: Excel serials, yyyymmdd, or epochs by magnitude."""
    idx = np.flatnonzero(valid)
    x, ok = _numbers_of(clean, idx)
    if ok.all() and len(x) and ((x >= _EXCEL_MIN) & (x < _EXCEL_MAX)).all():
        _numeric_times(clean, valid, times, "excel")
        return
    # yyyymmdd first (8 digits), then epochs by number of integer digits
    _regex_times(clean, idx[_mask(_take(clean, idx), _COMPACT)], times)
    left = ~times.ok[idx] & ok
    digits = np.floor(np.log10(np.maximum(np.abs(x), 1))).astype(int) + 1
    for n_digits, per in ((9, 1e6), (10, 1e6), (12, 1e3), (13, 1e3), (15, 1.0), (16, 1.0)):
        sel = left & (digits == n_digits)
        if sel.any():
            times.put(idx[sel], np.rint(x[sel] * per).astype(np.int64), True)


def _strptime_times(clean: pa.Array, valid: np.ndarray, times: _Times, fmt: str) -> None:
    idx = np.flatnonzero(valid)
    sub = _take(clean, idx)
    aware = "%z" in fmt
    try:
        got = pc.strptime(sub, format=fmt, unit="us", error_is_null=True)
        # Arrow's strptime rolls 2024-02-30 over to 2024-03-01: keep only exact round trips
        back = pc.strftime(got, format=fmt) if not aware else None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        got, back = None, None
    if got is not None and back is not None:
        same = pc.fill_null(pc.equal(back, sub), False).to_numpy(zero_copy_only=False)
        us = got.cast(pa.int64()).to_numpy(zero_copy_only=False)
        times.put(idx[same], us[same], False)
    rest = np.flatnonzero(valid & ~times.ok)
    for i, text in zip(rest.tolist(), _take(clean, rest).to_pylist(), strict=True):
        for candidate in (text, _nfkc(text)):
            try:
                d = dt.datetime.strptime(candidate, fmt)
            except ValueError:
                continue
            times.put(np.array([i]), np.array([_to_us(d)]), d.tzinfo is not None)
            break


def _vector_times(clean: pa.Array, valid: np.ndarray, times: _Times) -> None:
    """Year-first layouts (any separator, 年月日, optional time and offset) with RE2."""
    idx = np.flatnonzero(valid)
    sub = _take(clean, idx)
    # zero-padded layouts become ISO with plain replaces, then one validating cast
    for old_sep, new_sep in (("/", "-"), ("年", "-"), ("月", "-"), ("日", "")):
        if pc.any(pc.match_substring(sub, old_sep)).as_py():
            sub = pc.replace_substring(sub, old_sep, new_sep)
    for target, aware, pattern in ((pa.timestamp("us"), False, _ISO_NAIVE),
                                   (pa.timestamp("us", "UTC"), True, _ISO_AWARE)):
        hit = np.flatnonzero(_mask(sub, pattern))
        if len(hit):
            got = _try_cast(_take(sub, hit), target)
            if got is not None:
                times.put(idx[hit], got.cast(pa.int64()).to_numpy(zero_copy_only=False), aware)
    idx = idx[~times.ok[idx]]
    if len(idx):
        _regex_times(clean, idx[_mask(_take(clean, idx), _DT)], times, pattern=_DT)
    left = idx[~times.ok[idx]]
    if len(left):
        _regex_times(clean, left[_mask(_take(clean, left), _COMPACT)], times)


def _regex_times(clean: pa.Array, idx: np.ndarray, times: _Times, pattern: str = _COMPACT) -> None:
    if not len(idx):
        return
    parts = pc.extract_regex(_take(clean, idx), pattern)

    def field(name: str, default: int = 0) -> np.ndarray:
        try:
            f = parts.field(name)
        except KeyError:
            return np.full(len(idx), default, dtype=np.int64)
        f = pc.if_else(pc.equal(f, ""), str(default), f)
        return f.cast(pa.int64()).to_numpy(zero_copy_only=False)

    y, m, d = field("y"), field("m"), field("d")
    hh, mi, ss = field("H"), field("M"), field("S")
    frac = np.zeros(len(idx), dtype=np.int64)
    aware = np.zeros(len(idx), dtype=bool)
    offset = np.zeros(len(idx), dtype=np.int64)
    if pattern == _DT:
        f = parts.field("f")
        f = pc.utf8_slice_codeunits(pc.utf8_rpad(f, 6, "0"), 0, 6)
        frac = f.cast(pa.int64()).to_numpy(zero_copy_only=False)
        aware = pc.not_equal(parts.field("z"), "").to_numpy(zero_copy_only=False)
        sign = np.where(pc.equal(parts.field("zs"), "-").to_numpy(zero_copy_only=False), -1, 1)
        offset = sign * (field("zh") * 3600 + field("zm") * 60)
    good = _valid_ymdhms(y, m, d, hh, mi, ss) & (np.abs(offset) <= 14 * 3600)
    days = _days_from_civil(y, m, d)
    us = (days * 86_400 + hh * 3600 + mi * 60 + ss - offset) * 1_000_000 + frac
    times.put(idx[good], us[good], aware[good])


def _valid_ymdhms(y: np.ndarray, m: np.ndarray, d: np.ndarray, hh: np.ndarray,
                  mi: np.ndarray, ss: np.ndarray) -> np.ndarray:
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    dim = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 1, 12) - 1]
    dim = dim + ((m == 2) & leap)
    return ((y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= dim)
            & (hh < 24) & (mi < 60) & (ss < 60))


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _python_times(texts: list[str], rows: np.ndarray, times: _Times) -> None:
    for i, text in zip(rows.tolist(), texts, strict=True):
        got = _time_py(text)
        if got is not None:
            us, aware = got
            times.put(np.array([i]), np.array([us]), aware)


def _time_py(text: str) -> tuple[int, bool] | None:
    """One value the vectorized stages could not read: full-width, month names, epochs."""
    s = _nfkc(text)
    m = _DT_RE.match(s)
    if m:
        g = m.groupdict()
        try:
            d = dt.datetime(int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"] or 0),
                            int(g["M"] or 0), int(g["S"] or 0),
                            int((g["f"] or "0")[:6].ljust(6, "0")))
        except ValueError:
            return None
        if g["z"]:
            sign = -1 if g["zs"] == "-" else 1
            off = sign * (int(g["zh"] or 0) * 3600 + int(g["zm"] or 0) * 60)
            return _to_us(d) - off * 1_000_000, True
        return _to_us(d), False
    if re.fullmatch(r"\d{8}", s):
        try:
            return _to_us(dt.datetime.strptime(s, "%Y%m%d")), False
        except ValueError:
            return None
    if re.fullmatch(r"\d{9,10}(\.\d+)?|\d{12,13}|\d{15,16}", s):
        digits = len(s.split(".")[0])
        per = 1_000_000 if digits <= 10 else 1_000 if digits <= 13 else 1
        return round(float(s) * per), True
    for f in _MONTH_FORMATS:
        try:
            d = dt.datetime.strptime(s, f)
        except ValueError:
            continue
        return _to_us(d), d.tzinfo is not None
    return None


def _to_us(d: dt.datetime) -> int:
    """Microseconds since the epoch: UTC for aware datetimes, wall time for naive ones."""
    if d.tzinfo is not None:
        d = d.astimezone(dt.UTC).replace(tzinfo=None)
    delta = d - dt.datetime(1970, 1, 1)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

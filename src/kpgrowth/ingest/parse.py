"""Vectorized value parsers: strings from platform exports -> typed Arrow arrays.

:func:`parse_column` turns one column of strings into one of the canonical
dtypes of :mod:`kpgrowth.schema`. It is built for speed first: a clean column is
converted by one Arrow cast over the whole array; only the values that cast
cannot read go through regular expressions (still vectorized, with RE2), and
only what those cannot read is parsed one value at a time in Python.

What it accepts, beyond plain numbers and ISO 8601:

- surrounding whitespace (also the full-width space), full-width digits and
  punctuation (``１２３``), and the null tokens of :data:`NULL_TOKENS` (``-``,
  ``--``, ``N/A`` … as dashboards print missing values) for non-string columns;
- thousands separators ``1,234``; currency symbols and codes ``¥12.50``,
  ``￥``, ``$``, ``CNY``, ``12元``; count abbreviations ``1.2万`` (12,000),
  ``3.4w``/``3.4W`` (34,000), ``2亿``, ``1.5k``/``1.5千``; a trailing ``+``
  as in WeChat's ``10万+`` (read as its lower bound, 100,000); a seconds unit
  (``8.5秒``, ``8.5s``); percentages
  ``12.5%`` (0.125);
- timestamps ``2024-03-05T10:00:00+08:00``, ``…Z``, ``2024-03-05 10:00``,
  ``2024/03/05 10:00``, ``2024-3-5``, ``2024年3月5日``, ``2024年03月05日 14:30``,
  ``14时30分``, ``20240305`` (Douyin's ``p_date``), month names
  (``Mar 5, 2024``), unix epochs (10 digits = seconds, 13 = milliseconds,
  16 = microseconds), Excel serial dates (``45356.5``) when ``fmt="excel"`` or
  when the whole column is numbers between 20000 and 80000 (1954–2119).

Naive timestamps are wall-clock times in ``tz``; values with an offset or ``Z``
keep their own offset; epochs are UTC. Timestamps come back as
``timestamp[us, tz=UTC]``; dates as ``date32`` (the local date in ``tz``).

Examples
--------
>>> import pyarrow as pa
>>> from kpgrowth.ingest.parse import parse_column
>>> values, errors = parse_column(pa.array(["1,234", "1.2万", " 3.4w ", "", "abc"]), "int64")
>>> values.to_pylist(), errors
([1234, 12000, 34000, None, None], [(4, 'not a number')])
>>> parse_column(pa.array(["12345", "99"]), "decimal", scale=0.01)[0].to_pylist()
[Decimal('123.45'), Decimal('0.99')]
>>> parse_column(pa.array(["12.5%", "-"]), "float64")[0].to_pylist()
[0.125, None]
>>> ts, _ = parse_column(pa.array(["2024年3月5日", "2024-03-05T10:00:00Z"]), "timestamp")
>>> [t.isoformat() for t in ts.to_pylist()]
['2024-03-04T16:00:00+00:00', '2024-03-05T10:00:00+00:00']
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.errors import InputError
from kpgrowth.schema import DTYPES

__all__ = ["NULL_TOKENS", "NUMBER_FORMATS", "REASONS", "TIME_FORMATS", "parse_column"]

NULL_TOKENS: tuple[str, ...] = (
    "", "-", "--", "---", "—", "——", "/", "null", "NULL", "Null", "None", "none",
    "N/A", "n/a", "NA", "nan", "NaN", "暂无", "无",
)
"""Values read as missing (null, no error) in non-string columns, after trimming."""

NUMBER_FORMATS: tuple[str, ...] = ("percent", "plain")
"""``fmt`` for numeric dtypes: ``percent`` (values are percents even without ``%``:
``45`` -> 0.45) or ``plain`` (no ``万``/``k`` abbreviations and no ``%``)."""

TIME_FORMATS: tuple[str, ...] = ("excel", "epoch_s", "epoch_ms", "epoch_us", "iso")
"""Named ``fmt`` values for date and timestamp dtypes; any other ``fmt`` is a strptime format."""

REASONS: dict[str, str] = {
    "int64": "not a whole number",
    "float64": "not a number",
    "decimal": "not a number",
    "timestamp": "not a valid timestamp",
    "date": "not a valid date",
    "boolean": "not true/false",
}
"""The reason given for a value of each dtype that cannot be parsed."""

NOT_A_NUMBER = "not a number"
TOO_LARGE = "number out of range"

_TRUE = ("true", "t", "yes", "y", "1", "是", "对", "真", "已", "√", "✓", "on")
_FALSE = ("false", "f", "no", "n", "0", "否", "错", "假", "未", "×", "✗", "off")

_US_PER_DAY = 86_400_000_000
_EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel (1900 system) serial
_EXCEL_MIN, _EXCEL_MAX = 20_000, 80_000
_DECIMAL_LIMIT = 1e16  # decimal(18, 2)

# One regex for every year-first date(time) layout, used by RE2 (vectorized) and `re`.
_DT = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:(?:\s*T\s*|\s+)?(?P<H>\d{1,2})\s*[:时時点點]\s*(?P<M>\d{1,2})\s*分?"
    r"(?:\s*[:]?\s*(?P<S>\d{1,2})\s*秒?(?:[.,](?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<z>Z|z|UTC|GMT|(?P<zs>[+-])(?P<zh>\d{2}):?(?P<zm>\d{2})?)?$"
)
_DT_RE = re.compile(_DT)
_ISO_NAIVE = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$"
_ISO_AWARE = (r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
              r"(?:Z|[+-]\d{2}:?\d{2})$")
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_NUMERIC = r"^[+-]?(?:\d+\.?\d*|\.\d+)$"
_INT = r"^[+-]?\d+$"
_FLOAT = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_CURRENCY = re.compile(r"^(?:[¥￥$€£]|RMB|CNY|USD|US\$|HK\$)\s*|\s*(?:元|RMB|CNY|USD)$", re.IGNORECASE)
_SYMBOLS = r"^(?:[¥￥$]|RMB|CNY|USD)\s*"
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_SUFFIX = {"万": Decimal(10_000), "w": Decimal(10_000), "W": Decimal(10_000),
           "亿": Decimal(100_000_000), "k": Decimal(1_000), "K": Decimal(1_000),
           "千": Decimal(1_000), "秒": Decimal(1), "s": Decimal(1)}
_MONTH_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p",
                  "%b %d, %Y %H:%M", "%d %b %Y", "%d %B %Y", "%d %b %Y %H:%M",
                  "%a, %d %b %Y %H:%M:%S %z", "%a %b %d %H:%M:%S %Y")


def parse_column(
    values: pa.Array | pa.ChunkedArray,
    dtype: str,
    *,
    fmt: str | None = None,
    tz: str = "Asia/Shanghai",
    scale: float | None = None,
) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Parse a column of strings into ``dtype``.

    Parameters
    ----------
    values : pyarrow.Array or pyarrow.ChunkedArray
        The raw values (strings; other types are cast to string first).
    dtype : {"string", "int64", "float64", "boolean", "date", "timestamp", "decimal"}
        A canonical dtype (see :data:`kpgrowth.schema.DTYPES`).
    fmt : str, optional
        For ``date``/``timestamp``: ``"excel"``, ``"epoch_s"``, ``"epoch_ms"``,
        ``"epoch_us"``, ``"iso"`` or a strptime format such as ``"%Y年%m月%d日"``
        (then only that format is accepted). For numbers: ``"percent"`` or
        ``"plain"`` (see :data:`NUMBER_FORMATS`). ``None`` detects the layout.
    tz : str
        IANA time zone of naive timestamps (and of the local date of ``date``).
    scale : float, optional
        Multiply numbers by this, e.g. ``0.01`` for amounts in fen.

    Returns
    -------
    (array, errors)
        ``array`` has the Arrow type of ``dtype`` (``timestamp[us, tz=UTC]``,
        ``decimal128(18, 2)``…), null where the input is null, empty or bad.
        ``errors`` lists ``(row_index, reason)`` for every non-empty value that
        could not be parsed; reasons are short and stable (see :data:`REASONS`).

    Raises
    ------
    InputError
        If ``dtype`` or ``fmt`` is not one this function knows.

    Examples
    --------
    >>> import pyarrow as pa
    >>> parse_column(pa.array(["20240305", "2024-3-6", "x"]), "date")
    (<pyarrow.lib.Date32Array object at ...>
    [
      2024-03-05,
      2024-03-06,
      null
    ], [(2, 'not a valid date')])
    >>> parse_column(pa.array(["1.5", "7"]), "int64")[1]
    [(0, 'not a whole number')]
    >>> parse_column(pa.array(["是", "no", "maybe"]), "boolean")
    (<pyarrow.lib.BooleanArray object at ...>
    [
      true,
      false,
      null
    ], [(2, 'not true/false')])
    """
    if dtype not in DTYPES:
        raise InputError(f"unknown dtype {dtype!r}", hint=f"use one of {', '.join(DTYPES)}")
    arr = _as_strings(values)
    if dtype == "string":
        return _parse_string(arr), []
    if dtype == "boolean":
        return _parse_boolean(arr)
    if dtype in ("int64", "float64", "decimal"):
        if fmt is not None and fmt not in NUMBER_FORMATS:
            raise InputError(f"unknown number format {fmt!r} for dtype {dtype}",
                             hint=f"use one of {', '.join(NUMBER_FORMATS)} or leave it out")
        return _parse_number(arr, dtype, fmt, scale)
    _check_tz(tz)
    from kpgrowth.ingest.parse_time import parse_times

    return parse_times(arr, dtype, fmt, tz)


# -- helpers --------------------------------------------------------------------------------
def _as_strings(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif not isinstance(values, pa.Array):
        values = pa.array(values)
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


def _check_tz(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {tz!r}",
                         hint="use an IANA name such as Asia/Shanghai or UTC") from None


def _parse_string(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _clean(arr: pa.Array) -> pa.Array:
    """Trimmed values with the null tokens turned into nulls."""
    trimmed = pc.utf8_trim_whitespace(arr)
    blank = pc.is_in(trimmed, value_set=pa.array(NULL_TOKENS))
    return pc.if_else(blank, pa.scalar(None, pa.string()), trimmed)


def _mask(arr: pa.Array, pattern: str) -> np.ndarray:
    """Boolean numpy mask of values fully matching RE2 ``pattern`` (null -> False)."""
    m = pc.match_substring_regex(arr, pattern)
    return pc.fill_null(m, False).to_numpy(zero_copy_only=False)


def _valid(arr: pa.Array) -> np.ndarray:
    return pc.is_valid(arr).to_numpy(zero_copy_only=False)


def _looks(arr: pa.Array, pattern: str, sample: int = 2048) -> bool:
    """Whether a cast of ``arr`` is worth trying: no empty strings, and an even sample
    of values matches ``pattern`` (a failing Arrow cast costs ~1 s per million values)."""
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return False
    idx = np.unique(np.linspace(0, n - 1, min(n, sample)).astype(np.int64))
    hits = pc.match_substring_regex(_take(arr, idx), pattern)
    return bool(pc.all(pc.fill_null(hits, True)).as_py())


def _blank_to_null(arr: pa.Array) -> pa.Array:
    """``arr`` with empty strings as nulls (cheap; lets a clean column take the fast path)."""
    if len(arr) and arr.null_count < len(arr) and pc.min(pc.utf8_length(arr)).as_py() == 0:
        return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return arr


def _take(arr: pa.Array, idx: np.ndarray) -> pa.Array:
    return arr.take(pa.array(idx, pa.int64()))


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _fill(n: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n, dtype=dtype), np.zeros(n, dtype=bool)


# -- boolean --------------------------------------------------------------------------------
def _parse_boolean(arr: pa.Array) -> tuple[pa.Array, list[tuple[int, str]]]:
    clean = _clean(arr)
    low = pc.utf8_lower(clean)
    is_true = pc.fill_null(pc.is_in(low, value_set=pa.array(_TRUE)), False)
    is_false = pc.fill_null(pc.is_in(low, value_set=pa.array(_FALSE)), False)
    known = pc.or_(is_true, is_false)
    out = pc.if_else(known, is_true, pa.scalar(None, pa.bool_()))
    bad = np.flatnonzero(_valid(clean) & ~known.to_numpy(zero_copy_only=False))
    if len(bad):  # full-width letters and digits
        low_list = _take(clean, bad).to_pylist()
        fixed: dict[int, bool] = {}
        for i, text in zip(bad.tolist(), low_list, strict=True):
            t = _nfkc(text).lower()
            if t in _TRUE or t in _FALSE:
                fixed[i] = t in _TRUE
        if fixed:
            vals = out.to_pylist()
            for i, v in fixed.items():
                vals[i] = v
            out = pa.array(vals, pa.bool_())
        bad = np.array([i for i in bad.tolist() if i not in fixed], dtype=np.int64)
    return out, [(int(i), REASONS["boolean"]) for i in bad]


# -- numbers --------------------------------------------------------------------------------
def _parse_number(arr: pa.Array, dtype: str, fmt: str | None,
                  scale: float | None) -> tuple[pa.Array, list[tuple[int, str]]]:
    n = len(arr)
    percent = fmt == "percent"
    target = pa.int64() if dtype == "int64" else pa.float64()
    errors: list[tuple[int, str]] = []
    exact: dict[int, Decimal] = {}  # rows read by the Python path (already /100 if percent)
    fast = None  # fast path: the whole column casts as it is
    arr = _blank_to_null(arr)
    if _looks(arr, _INT if dtype == "int64" else _FLOAT):
        fast = _try_cast(arr, target)
    if fast is not None:
        ok = _valid(fast)
        # fill nulls before leaving Arrow: an int64 array with nulls becomes float64 in numpy
        vals = pc.fill_null(fast, 0).to_numpy(zero_copy_only=False)
    else:
        clean = _clean(arr)
        vals, ok = _fill(n, target.to_pandas_dtype())
        plain = np.flatnonzero(_mask(clean, _INT if dtype == "int64" else _FLOAT))
        if len(plain):
            sub = _try_cast(_take(clean, plain), target)
            if sub is not None:
                vals[plain] = sub.to_numpy(zero_copy_only=False)
                ok[plain] = True
        rest = np.flatnonzero(_valid(clean) & ~ok)
        if len(rest) and fmt != "plain":  # ¥1,234.50: symbols and separators, vectorized
            sub = pc.replace_substring_regex(_take(clean, rest), _SYMBOLS, "")
            hit = _mask(sub, _GROUPED.pattern) | _mask(sub, _INT if dtype == "int64" else _FLOAT)
            if hit.any():
                got = _try_cast(pc.replace_substring(sub.filter(pa.array(hit)), ",", ""), target)
                if got is not None:
                    vals[rest[hit]] = got.to_numpy(zero_copy_only=False)
                    ok[rest[hit]] = True
                    rest = rest[~hit]
        for i, text in zip(rest.tolist(), _take(clean, rest).to_pylist(), strict=True):
            number, reason = _number_py(text, lenient=fmt != "plain", percent=percent)
            if number is None:
                errors.append((i, reason))
            else:
                exact[i] = number
    if percent:
        vals = vals / 100.0
    if dtype == "int64":
        vals, ok = _scale_ints(vals, ok, scale, errors)
        if exact:
            factor = Decimal(repr(scale)) if scale is not None else Decimal(1)
            for i, number in exact.items():
                number = number * factor
                if number != number.to_integral_value():
                    errors.append((i, REASONS["int64"]))
                elif abs(number) >= 2**63:
                    errors.append((i, TOO_LARGE))
                else:
                    vals[i], ok[i] = int(number), True
        return pa.array(vals, pa.int64(), mask=~ok), sorted(errors)
    vals = vals.astype(np.float64)
    for i, number in exact.items():
        vals[i], ok[i] = float(number), True
    return _finish_number(vals, ok, dtype, scale, errors)


def _scale_ints(vals: np.ndarray, ok: np.ndarray, scale: float | None,
                errors: list[tuple[int, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``scale`` to whole numbers; results that are not whole are errors."""
    if vals.dtype != np.int64:  # percent turned them into floats
        x = vals
    elif scale is None or scale == 1:
        return vals, ok
    else:
        x = vals.astype(np.float64)
    x = x * (scale if scale is not None else 1)
    r = np.rint(x)
    whole = np.abs(x - r) <= 1e-9 * np.maximum(1.0, np.abs(x))
    big = np.abs(r) >= 2.0**63
    errors.extend((int(i), REASONS["int64"]) for i in np.flatnonzero(ok & ~whole))
    errors.extend((int(i), TOO_LARGE) for i in np.flatnonzero(ok & whole & big))
    ok = ok & whole & ~big
    return np.where(ok, r, 0).astype(np.int64), ok


def _finish_number(x: np.ndarray, ok: np.ndarray, dtype: str, scale: float | None,
                   errors: list[tuple[int, str]]) -> tuple[pa.Array, list[tuple[int, str]]]:
    if scale is not None and scale != 1:
        x = x * scale
    ok = ok & ~np.isnan(x)  # "nan" is a null token, read as missing
    finite = np.isfinite(x)
    errors.extend((int(i), NOT_A_NUMBER) for i in np.flatnonzero(ok & ~finite))
    ok = ok & finite
    if dtype == "float64":
        return pa.array(np.where(ok, x, 0.0), pa.float64(), mask=~ok), sorted(errors)
    x = np.round(np.where(ok, x, 0.0), 2)
    big = ok & (np.abs(x) >= _DECIMAL_LIMIT)
    errors.extend((int(i), TOO_LARGE) for i in np.flatnonzero(big))
    ok = ok & ~big
    x = np.where(ok, x, 0.0)
    return pa.array(x, pa.float64(), mask=~ok).cast(pa.decimal128(18, 2)), sorted(errors)


def _try_cast(arr: pa.Array, target: pa.DataType) -> pa.Array | None:
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _number_py(text: str, *, lenient: bool, percent: bool) -> tuple[Decimal | None, str]:
    """Parse one number the way people write them in exports (see the module doc)."""
    s = _nfkc(text).replace("−", "-").replace(" ", "")
    if lenient:
        s = _CURRENCY.sub("", s).strip()
    factor = Decimal(1)
    pct = False
    if lenient and s.endswith("+") and len(s) > 1:  # "10万+": a lower bound
        s = s[:-1]
    if lenient and s.endswith("%"):
        s, pct = s[:-1], True
    elif lenient and s and s[-1] in _SUFFIX:
        factor = _SUFFIX[s[-1]]
        s = s[:-1]
    if "," in s:
        if not _GROUPED.match(s):
            return None, NOT_A_NUMBER
        s = s.replace(",", "")
    if not re.fullmatch(_FLOAT, s):
        return None, NOT_A_NUMBER
    try:
        number = Decimal(s) * factor
    except InvalidOperation:  # pragma: no cover - the regex guards this
        return None, NOT_A_NUMBER
    if pct or percent:
        number = number / 100
    return number, ""

"""Validation of one chunk against the canonical schema, vectorized with Arrow.

:func:`check_columns` refuses a file whose header lacks required columns (one
line, with the closest header). :func:`validate` converts the columns of a
chunk to their canonical types (strings through
:func:`kpgrowth.ingest.parse.parse_column`, typed Parquet columns by cast) and
checks required values, allowed values, bounds, patterns and the order-amount
rule. It returns the good rows, conformed to the store's types, and one
problem per bad (row, column) with a short, stable reason.

Examples
--------
>>> import pyarrow as pa
>>> from kpgrowth.schema import TABLES
>>> chunk = pa.table({"order_id": ["o1", "o2", None], "ts": ["2024-03-05 10:00", "昨天", "2024-03-05"],
...                   "product_id": ["c1", "c1", "c1"], "amount": ["99", "-5", "1,234"],
...                   "status": ["paid", "paid", "paid"]})
>>> checked = validate(chunk, TABLES["orders"], tz="Asia/Shanghai", currency="CNY")
>>> checked.good.num_rows, checked.good["currency"].to_pylist()
(1, ['CNY'])
>>> for p in checked.problems: print(p)
(1, 'ts', '昨天', 'not a valid timestamp')
(1, 'amount', '-5', 'must be >= 0 unless status is refunded')
(2, 'order_id', None, 'missing required value')
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kpgrowth.errors import MissingColumnsError
from kpgrowth.ingest.parse import parse_column
from kpgrowth.schema import Column, Table
from kpgrowth.store import conform

MISSING = "missing required value"
NOT_ALLOWED = "not one of the allowed values"
REFUND_RULE = "must be >= 0 unless status is refunded"
VALUE_LIMIT = 1000
"""Longest ``value`` kept in a quarantine row (the whole raw row is kept in ``row``)."""

Problem = tuple[int, str, "str | None", str]
"""(row index in the chunk, column, raw value, reason)."""


def defaulted(table: Table) -> set[str]:
    """Required columns the workspace fills when an export lacks them (the currency)."""
    return {c.name for c in table.columns if c.name == "currency" and not c.nullable}


def check_columns(table: Table, columns: Sequence[str], file: str) -> list[str]:
    """Raise :class:`MissingColumnsError` if a required column is absent; return ignored ones.

    >>> from kpgrowth.schema import TABLES
    >>> check_columns(TABLES["orders"], ["orderid", "ts", "product_id", "amount", "status"], "orders.csv")
    Traceback (most recent call last):
    ...
    kpgrowth.errors.MissingColumnsError: orders.csv: missing required column 'order_id' (closest header: 'orderid')
    """
    have = set(columns)
    missing = [c for c in table.required if c not in have and c not in defaulted(table)]
    if missing:
        close = {m: difflib.get_close_matches(m, [c for c in columns if c not in table.names],
                                              n=1, cutoff=0.6) for m in missing}
        hints = [f"closest header: {close[m][0]!r}" if len(missing) == 1
                 else f"{m!r} ~ {close[m][0]!r}" for m in missing if close[m]]
        if not any(c in table.names for c in columns):
            hints.append("is this a platform export? pass a mapping")
        names = ", ".join(repr(m) for m in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise MissingColumnsError(f"missing required {noun} {names}", file=file,
                                  hint="; ".join(hints) or f"the {table.name} table needs: "
                                  + ", ".join(table.required))
    return [c for c in columns if c not in table.names]


@dataclass
class Checked:
    """The outcome of :func:`validate` for one chunk."""

    good: pa.Table
    bad_rows: np.ndarray
    problems: list[Problem] = field(default_factory=list)


def validate(chunk: pa.Table, table: Table, *, tz: str, currency: str,
             errors: Sequence[Problem] = (), sources: dict[str, str] | None = None) -> Checked:
    """Convert and check ``chunk`` (canonical column names); see the module docstring.

    Parameters
    ----------
    chunk : pyarrow.Table
        Canonical columns, as strings or already typed.
    table : Table
        The target table.
    tz : str
        Time zone of naive timestamps.
    currency : str
        Default for a missing or empty required ``currency``.
    errors : sequence of Problem
        Problems found before (e.g. by a mapping); their rows are bad too.
    sources : dict, optional
        Canonical column -> the source header it came from; a problem already
        reported on the source header is not reported again on the canonical column
        (a bad ``实付金额`` is not also a "missing required value" of ``amount``).
    """
    n = chunk.num_rows
    problems: list[Problem] = list(errors)
    typed: dict[str, pa.Array] = {}
    masks: list[tuple[str, str, np.ndarray]] = []
    for col in table.columns:
        if col.name not in chunk.column_names:
            if col.name in defaulted(table):
                typed[col.name] = pa.array([currency] * n, pa.string())
            continue
        raw = _one(chunk.column(col.name))
        arr, errs = _convert(raw, col, tz)
        if col.name in defaulted(table):
            arr = pc.fill_null(arr, currency)
        typed[col.name] = arr
        problems.extend((i, col.name, _value(raw, i), reason) for i, reason in errs)
        masks.extend((col.name, reason, m) for reason, m in _rules(col, arr))
    if table.name == "orders" and "amount" in typed and "status" in typed:
        refunded = pc.fill_null(pc.equal(typed["status"], "refunded"), False)
        neg = pc.fill_null(pc.less(typed["amount"].cast(pa.float64()), 0), False)
        masks.append(("amount", REFUND_RULE, _np(pc.and_(neg, pc.invert(refunded)))))
    for name, reason, mask in masks:
        idx = np.flatnonzero(mask)
        if len(idx):
            raw = _one(chunk.column(name))
            values = _take_values(raw, idx)
            problems.extend(zip(idx.tolist(), [name] * len(idx), values, [reason] * len(idx)))
    problems = _first_per_cell(problems, {v: k for k, v in (sources or {}).items()})
    bad = np.unique(np.fromiter((p[0] for p in problems), dtype=np.int64, count=len(problems)))
    out = pa.table(typed) if typed else pa.table({"_": pa.nulls(n)})
    if len(bad):
        keep = np.ones(n, dtype=bool)
        keep[bad] = False
        out = out.filter(pa.array(keep))
    return Checked(conform(table, out), bad, problems)


def _rules(col: Column, arr: pa.Array) -> list[tuple[str, np.ndarray]]:
    """(reason, failing-rows mask) for the column's declared constraints."""
    out = []
    if not col.nullable:
        out.append((MISSING, _np(pc.is_null(arr))))
    if col.allowed is not None:
        ok = pc.is_in(arr, value_set=pa.array(col.allowed, pa.string()))
        out.append((NOT_ALLOWED, _np(pc.and_(pc.is_valid(arr), pc.invert(ok)))))
    if col.pattern is not None:
        ok = pc.match_substring_regex(arr, col.pattern)
        out.append((f"does not match {col.pattern}", _np(pc.invert(ok))))
    if col.min is not None or col.max is not None:
        num = arr.cast(pa.float64()) if pa.types.is_decimal(arr.type) else arr
        if col.min is not None:
            out.append((f"must be >= {col.min:g}", _np(pc.less(num, col.min))))
        if col.max is not None:
            out.append((f"must be <= {col.max:g}", _np(pc.greater(num, col.max))))
    return [(r, m) for r, m in out if m.any()]


def _convert(raw: pa.Array, col: Column, tz: str) -> tuple[pa.Array, list[tuple[int, str]]]:
    """Typed values and parse errors; typed inputs (Parquet) are cast when they can be."""
    if pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type):
        if col.dtype in ("int64", "float64"):  # plain numbers: one exact cast
            got = _plain_number(raw, pa.int64() if col.dtype == "int64" else pa.float64())
            if got is not None:
                return got, []
        return parse_column(raw.cast(pa.string()), col.dtype, tz=tz)
    t = raw.type
    if col.dtype == "timestamp" and pa.types.is_timestamp(t):
        if t.tz is None:
            raw = pc.assume_timezone(raw, tz, ambiguous="earliest", nonexistent="earliest")
        return raw.cast(pa.timestamp("us", "UTC")), []
    if col.dtype == "date" and pa.types.is_date(t):
        return raw.cast(pa.date32()), []
    if col.dtype in ("int64", "float64", "boolean", "decimal") and not (
            pa.types.is_timestamp(t) or pa.types.is_date(t)):
        target = {"int64": pa.int64(), "float64": pa.float64(), "boolean": pa.bool_(),
                  "decimal": pa.decimal128(18, 2)}[col.dtype]
        try:
            return raw.cast(target), []
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return parse_column(raw.cast(pa.string()), col.dtype, tz=tz)


def _plain_number(raw: pa.Array, target: pa.DataType) -> pa.Array | None:
    """``raw`` cast to ``target`` when every value is a plain finite number, else None."""
    try:
        got = raw.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_floating(target) and pc.all(pc.is_finite(got)).as_py() is False:
        return None  # nan / inf: let parse_column decide
    return got


def _one(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def _np(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _short(v: object) -> str | None:
    if v is None:
        return None
    s = v if isinstance(v, str) else str(v)
    return s if len(s) <= VALUE_LIMIT else s[: VALUE_LIMIT - 1] + "…"


def _value(raw: pa.Array, i: int) -> str | None:
    return _short(raw[i].as_py())


def _take_values(raw: pa.Array, idx: np.ndarray) -> list[str | None]:
    return [_short(v) for v in raw.take(pa.array(idx, pa.int64())).to_pylist()]


def _first_per_cell(problems: list[Problem], canonical: dict[str, str]) -> list[Problem]:
    seen: set[tuple[int, str]] = set()
    out = []
    for p in problems:
        cell = (p[0], canonical.get(p[1], p[1]))
        if cell not in seen:
            seen.add(cell)
            out.append(p)
    return sorted(out, key=lambda p: p[0])

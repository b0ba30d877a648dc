"""Hypothesis strategies derived from the canonical schema (one place, every table)."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
from hypothesis import strategies as st

from kpgrowth.schema import Column, Table

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_ts = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
                   timezones=st.just(dt.timezone.utc))
_date = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


def value(col: Column) -> st.SearchStrategy:
    """Values valid for ``col`` (including None when nullable)."""
    if col.allowed:
        base = st.sampled_from(col.allowed)
    elif col.pattern:
        base = st.from_regex(col.pattern, fullmatch=True)
    elif col.dtype == "string":
        base = _text
    elif col.dtype == "int64":
        base = st.integers(min_value=int(col.min) if col.min is not None else -(2**62),
                           max_value=2**62)
    elif col.dtype == "float64":
        lo = col.min if col.min is not None else -1e12
        hi = col.max if col.max is not None else 1e12
        base = st.floats(min_value=lo, max_value=hi, allow_nan=False)
    elif col.dtype == "boolean":
        base = st.booleans()
    elif col.dtype == "date":
        base = _date
    elif col.dtype == "timestamp":
        base = _ts
    else:  # decimal money
        base = st.decimals(min_value=0 if col.min is not None else -10**9, max_value=10**9,
                           places=2, allow_nan=False, allow_infinity=False)
    return st.one_of(st.none(), base) if col.nullable else base


def rows(table: Table, max_size: int = 20) -> st.SearchStrategy:
    """Lists of row dicts for ``table`` with unique keys."""
    row = st.fixed_dictionaries({c.name: value(c) for c in table.columns})
    return st.lists(row, max_size=max_size,
                    unique_by=lambda r: tuple(str(r[k]) for k in table.key))


def to_arrow(table: Table, data: list[dict]) -> pa.Table:
    """Row dicts as an Arrow table in ``table``'s storage schema."""
    from kpgrowth.store.base import storage_schema

    return pa.Table.from_pylist(data, schema=storage_schema(table))


def normalize(table: pa.Table, key: tuple[str, ...]) -> list[dict]:
    """Rows as dicts sorted by key, with timestamps as UTC and decimals normalized."""
    out = []
    for r in table.to_pylist():
        for k, v in r.items():
            if isinstance(v, dt.datetime) and v.tzinfo is None:
                r[k] = v.replace(tzinfo=dt.timezone.utc)
            elif isinstance(v, decimal.Decimal):
                r[k] = v.quantize(decimal.Decimal("0.01"))
        out.append(r)
    return sorted(out, key=lambda r: tuple(str(r[k]) for k in key))

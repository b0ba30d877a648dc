"""Property: random valid rows written as CSV or JSON Lines are ingested and read back equal."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpgrowth.ingest import ingest
from kpgrowth.schema import TABLES, Column
from kpgrowth.workspace import Workspace

from ..strategies import normalize, to_arrow
from ..strategies import value as schema_value

# free text as exports hold it: no leading/trailing blanks (they are trimmed), never empty
# (empty is null); quotes, delimiters, CJK and embedded newlines included
_TEXT = st.text(alphabet=st.sampled_from(list('ab Z9,;|"\'\n\t-_.#%万课程入门😀é')), min_size=1,
                max_size=20).map(str.strip).filter(bool)


def _value(col: Column) -> st.SearchStrategy:
    if col.dtype == "string" and not col.allowed and not col.pattern:
        return st.one_of(st.none(), _TEXT) if col.nullable else _TEXT
    return schema_value(col)


def _rows(name: str) -> st.SearchStrategy:
    table = TABLES[name]
    row = st.fixed_dictionaries({c.name: _value(c) for c in table.columns})
    return st.lists(row, min_size=1, max_size=15,
                    unique_by=lambda r: tuple(str(r[k]) for k in table.key))


def _text(v: object) -> object:
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, (dt.date, decimal.Decimal)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return v


def _write(path, rows, fmt):
    names = list(rows[0])
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(names)
            w.writerows([["" if r[n] is None else _text(r[n]) for n in names] for r in rows])
    else:
        with path.open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({k: _text(v) if not isinstance(v, (int, float)) or
                                     isinstance(v, bool) else v for k, v in r.items()},
                                    ensure_ascii=False) + "\n")


def test_roundtrip(tmp_path_factory):
    root = tmp_path_factory.mktemp("rt")
    ws = Workspace.init(root / "ws")
    n = iter(range(10**6))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.sampled_from(["products", "post_metrics", "orders"]),
           fmt=st.sampled_from(["csv", "jsonl"]), data=st.data())
    def run(name, fmt, data):
        rows = data.draw(_rows(name))
        if name == "orders":  # negative amounts only for refunds
            for r in rows:
                if r["amount"] < 0:
                    r["status"] = "refunded"
        table = TABLES[name]
        path = root / f"{next(n)}.{fmt}"
        _write(path, rows, fmt)
        for t in (name, "_batches", "quarantine"):
            ws.store.raw.execute(f"DELETE FROM {t}")
        r = ingest(ws, name, [path])
        assert ws.store.count("quarantine") == 0, ws.store.to_pyarrow("quarantine").to_pylist()
        assert r.files[0].landed == len(rows)
        got = normalize(ws.store.to_pyarrow(name), table.key)
        want = normalize(to_arrow(table, rows), table.key)
        assert got == want

    try:
        run()
    finally:
        ws.close()
        shutil.rmtree(root, ignore_errors=True)

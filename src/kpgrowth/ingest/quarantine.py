"""Reading the quarantine: rejected rows with where and why, to list, count and export.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> from kpgrowth.ingest import ingest_rows
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> ws = Workspace.init(root / "ws")
>>> _ = ingest_rows(ws, "products", [
...     {"product_id": "c1", "kind": "course", "title": "Python 入门", "price": "99"},
...     {"product_id": "c2", "kind": "podcast", "title": "播客", "price": "-1"}])
>>> quarantine_counts(ws)
[('products', 'must be >= 0', 1), ('products', 'not one of the allowed values', 1)]
>>> list_quarantine(ws, table="products").select(["line", "column_name", "value"]).to_pylist()
[{'line': 2, 'column_name': 'kind', 'value': 'podcast'}, {'line': 2, 'column_name': 'price', 'value': '-1'}]
>>> export_quarantine(ws, root / "bad.csv")
2
>>> (root / "bad.csv").read_bytes()[:3] == b"\\xef\\xbb\\xbf"
True
>>> ws.close()
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpgrowth.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from kpgrowth.workspace import Workspace

_ORDER = ("quarantined_at", "batch_id", "line", "column_name")


def _filtered(ws: Workspace, table: str | None, batch_id: str | None) -> Any:
    t = ws.store.table("quarantine")
    if table is not None:
        t = t.filter(t.table_name == table)
    if batch_id is not None:
        t = t.filter(t.batch_id == batch_id)
    return t.order_by([t[c] for c in _ORDER])


def list_quarantine(ws: Workspace, *, table: str | None = None, batch_id: str | None = None,
                    limit: int = 100, offset: int = 0) -> pa.Table:
    """Quarantined rows (oldest first), optionally for one table or batch, one page at a time."""
    if limit < 0 or offset < 0:
        raise InputError(f"limit and offset must be >= 0, got limit={limit}, offset={offset}")
    return _filtered(ws, table, batch_id).limit(limit, offset=offset).to_pyarrow()


def quarantine_counts(ws: Workspace) -> list[tuple[str, str, int]]:
    """``(table_name, reason, count)`` for every reason, most frequent first."""
    t = ws.store.table("quarantine")
    agg = t.group_by(["table_name", "reason"]).aggregate(count=t.count())
    rows = agg.to_pyarrow().to_pylist()
    rows.sort(key=lambda r: (-r["count"], r["table_name"], r["reason"]))
    return [(r["table_name"], r["reason"], int(r["count"])) for r in rows]


def export_quarantine(ws: Workspace, path: Path, *, table: str | None = None,
                      batch_id: str | None = None) -> int:
    """Write quarantined rows to ``path`` and return how many were written.

    The format follows the suffix: ``.csv`` (UTF-8 with BOM, so Excel shows
    Chinese), ``.jsonl``/``.ndjson``, or ``.parquet``.
    """
    import pyarrow as pa

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson", ".parquet"):
        raise InputError(f"cannot export the quarantine as {suffix or 'a file without suffix'}",
                         file=str(path), hint="use .csv, .jsonl or .parquet")
    data = _filtered(ws, table, batch_id).to_pyarrow()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(data, path)
    elif suffix == ".csv":
        import pyarrow.csv as pcsv

        data = data.set_column(data.schema.get_field_index("quarantined_at"), "quarantined_at",
                               data["quarantined_at"].cast(pa.string()))
        with path.open("wb") as fh:
            fh.write(b"\xef\xbb\xbf")
            pcsv.write_csv(data, fh)
    else:
        import json

        with path.open("w", encoding="utf-8") as fh:
            for row in data.to_pylist():
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return data.num_rows

"""Shared helpers for the ingest tests: write files, check that no row is lost."""

from __future__ import annotations

from pathlib import Path

from kpgrowth.ingest import IngestResult

ORDERS_HEADER = "order_id,ts,product_id,amount,status"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def conserved(result: IngestResult) -> None:
    """rows_read == landed + duplicates + rows with at least one quarantine entry, per file."""
    for f in result.files:
        assert f.rows_read == f.landed + f.duplicates + f.quarantined, f


def quarantine_rows(ws, **filters) -> list[dict]:
    from kpgrowth.ingest.quarantine import list_quarantine

    return list_quarantine(ws, limit=10_000, **filters).to_pylist()


def cells(ws) -> set[tuple[int, str | None, str]]:
    """(line, column_name, reason) of every quarantine row."""
    return {(r["line"], r["column_name"], r["reason"]) for r in quarantine_rows(ws)}


def events_csv(path: Path, n: int, start: int = 0) -> Path:
    """A valid events CSV with ``n`` rows (vectorized, fast for big n)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    idx = np.arange(start, start + n)
    ts = np.datetime_as_string(np.datetime64("2024-01-01T00:00:00")
                               + (idx % 86_400).astype("timedelta64[s]"), unit="s")
    t = pa.table({
        "event_id": pa.array(np.char.add("e", idx.astype(str))),
        "ts": pa.array(np.char.replace(ts, "T", " ")),
        "user_key": pa.array(np.char.add("u", (idx % 997).astype(str))),
        "type": pa.array(np.where(idx % 2 == 0, "view", "like")),
        "platform": pa.array(np.where(idx % 3 == 0, "douyin", "wechat")),
        "value": pa.array((idx % 100).astype(float)),
        "properties": pa.array(np.where(idx % 5 == 0, '{"k": "值"}', "x" * 40)),
    })
    pcsv.write_csv(t, path)
    return path

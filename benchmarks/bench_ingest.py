"""Benchmark: kpgrowth ingest (with validation) against DuckDB's own bare load.

For CSV and Parquet files of generated ``events`` rows, times

- bare: ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` / ``read_parquet(...)``
  into a fresh DuckDB database file (DuckDB's own parsing, no checks), and
- kpgrowth: :func:`kpgrowth.ingest.ingest` into a fresh workspace (hashing,
  encoding check, parsing, type conversion, validation, quarantine, idempotent
  append, ``_batches`` record, commit),

and reports ratio = bare seconds / kpgrowth seconds (1.0 = as fast as DuckDB).
Each measurement is the best of ``--repeat`` runs. The files are generated in a
temporary folder and deleted. Results go to ``benchmarks/results/ingest.json``.

Usage::

    python benchmarks/bench_ingest.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

RESULTS = Path(__file__).parent / "results" / "ingest.json"


def make_events(n: int, seed: int = 0) -> pa.Table:
    """``n`` valid events rows with canonical columns (naive timestamps, as exports have)."""
    rng = np.random.default_rng(seed)
    types = np.array(["impression", "view", "like", "click", "purchase"])
    plats = np.array(["douyin", "wechat", "weibo", "xiaohongshu", "bilibili"])
    secs = rng.integers(0, 365 * 86_400, n)
    ts = (np.datetime64("2024-01-01T00:00:00") + secs.astype("timedelta64[s]"))
    post = rng.integers(0, 5_000, n)
    return pa.table({
        "event_id": pa.array([f"e{i:010d}" for i in range(n)]),
        "ts": pa.array(ts.astype("datetime64[us]")),
        "user_key": pa.array(np.char.add("u_", rng.integers(0, 100_000, n).astype(str))),
        "type": pa.array(types[rng.integers(0, len(types), n)]),
        "platform": pa.array(plats[rng.integers(0, len(plats), n)]),
        "post_id": pa.array(np.char.add("p", post.astype(str))),
        "product_id": pa.array(np.char.add("c", rng.integers(0, 50, n).astype(str))),
        "community_id": pa.nulls(n, pa.string()),
        "campaign_id": pa.array(np.where(rng.random(n) < 0.3, "cmp1", None), pa.string()),
        "value": pa.array(np.round(rng.random(n) * 100, 2)),
        "properties": pa.array(np.where(rng.random(n) < 0.1, '{"src": "feed"}', None),
                               pa.string()),
    })


def write_files(folder: Path, n: int) -> dict[str, Path]:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    t = make_events(n)
    csv_t = t.set_column(1, "ts", pa.array(
        np.datetime_as_string(t["ts"].to_numpy(), unit="s")).cast(pa.string()))
    csv_t = csv_t.set_column(1, "ts", pa.compute.replace_substring(csv_t["ts"], "T", " "))
    paths = {"csv": folder / "events.csv", "parquet": folder / "events.parquet"}
    pcsv.write_csv(csv_t, paths["csv"])
    pq.write_table(t, paths["parquet"])
    return paths


def bare(path: Path, fmt: str, folder: Path) -> float:
    import duckdb

    db = folder / "bare.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    fn = "read_csv" if fmt == "csv" else "read_parquet"
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM {fn}('{path}')")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def ours(path: Path, folder: Path) -> tuple[float, dict]:
    from kpgrowth.ingest import ingest
    from kpgrowth.workspace import Workspace

    root = folder / "ws"
    shutil.rmtree(root, ignore_errors=True)
    ws = Workspace.init(root)
    t0 = time.perf_counter()
    result = ingest(ws, "events", [path])
    elapsed = time.perf_counter() - t0
    ws.close()
    return elapsed, result.totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kp-bench-ingest-"))
    rows = []
    try:
        paths = write_files(folder, args.rows)
        for fmt, path in paths.items():
            b = min(bare(path, fmt, folder) for _ in range(args.repeat))
            runs = [ours(path, folder) for _ in range(args.repeat)]
            k = min(r[0] for r in runs)
            totals = runs[0][1]
            assert totals["landed"] == args.rows, totals
            rows.append({"format": fmt, "rows": args.rows, "bytes": path.stat().st_size,
                         "bare_s": round(b, 3), "kpgrowth_s": round(k, 3),
                         "ratio": round(b / k, 3), "rows_per_s": round(args.rows / k)})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'format':8} {'rows':>10} {'bare s':>8} {'kpgrowth s':>11} {'ratio':>6} {'rows/s':>11}")
    for r in rows:
        print(f"{r['format']:8} {r['rows']:>10,} {r['bare_s']:>8.3f} {r['kpgrowth_s']:>11.3f} "
              f"{r['ratio']:>6.2f} {r['rows_per_s']:>11,}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "benchmark": "ingest", "goal_ratio": 0.5, "results": rows,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()}}, indent=2) + "\n")


if __name__ == "__main__":
    main()

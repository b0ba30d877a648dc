"""Benchmark the simulator: events generated, events/s, wall time and peak RSS per size.

Each size runs in its own subprocess (a fresh workspace in a temporary folder,
DuckDB store), which reports its own peak resident memory, so sizes do not
contaminate each other.

Usage::

    python benchmarks/bench_simulate.py                      # 20k, 100k, 1M users, 90 days
    python benchmarks/bench_simulate.py --sizes 20000,100000 --days 30

Writes ``benchmarks/results/simulate.json`` (git-ignored) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one(users: int, days: int, seed: int, memory_limit: str = "") -> dict:
    """Run one simulation in this process and return its measurements."""
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    os.environ.setdefault("KPGROWTH_PSEUDONYM_KEY", "ab" * 32)
    with tempfile.TemporaryDirectory(prefix="kp-bench-") as tmp:
        ws = Workspace.init(Path(tmp) / "shop", memory_limit=memory_limit or None)
        t0 = time.perf_counter()
        res = simulate(ws, users=users, days=days, seed=seed)
        wall = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in Path(tmp, "shop").glob("warehouse.duckdb*"))
        ws.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"users": users, "days": days, "seed": seed, "events": res.counts["events"],
            "rows_total": sum(res.counts.values()), "wall_s": round(wall, 2),
            "events_per_s": round(res.counts["events"] / wall), "peak_rss_mb": round(peak_kb / 1024),
            "duckdb_mb": round(size / 2**20, 1), "memory_limit": memory_limit, "counts": res.counts}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,100000,1000000", help="comma-separated user counts")
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--memory-limit", default="4GB",
                    help="DuckDB memory limit of the workspace ('' for DuckDB's default, 80%% of RAM)")
    ap.add_argument("--out", default=str(HERE / "results" / "simulate.json"))
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args.days, args.seed, args.memory_limit)))
        return 0
    rows = []
    for users in (int(s) for s in args.sizes.split(",") if s.strip()):
        proc = subprocess.run([sys.executable, __file__, "--one", str(users), "--days", str(args.days),
                               "--seed", str(args.seed), "--memory-limit", args.memory_limit],
                              capture_output=True, text=True, check=False)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{r['users']:>10,} users  {r['events']:>12,} events  {r['wall_s']:>8.1f} s  "
              f"{r['events_per_s']:>10,} ev/s  {r['peak_rss_mb']:>7,} MB peak", flush=True)
    print()
    print(f"DuckDB memory_limit: {args.memory_limit or 'default'}")
    print("| users | days | events | all rows | wall s | events/s | peak RSS MB | DuckDB MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['users']:,} | {r['days']} | {r['events']:,} | {r['rows_total']:,} | {r['wall_s']} | "
              f"{r['events_per_s']:,} | {r['peak_rss_mb']:,} | {r['duckdb_mb']} |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "simulate", "machine": {
        "python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "results": rows}, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

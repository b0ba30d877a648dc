"""Run every benchmark in this folder (each prints its table and writes results/<name>.json).

Usage: ``python benchmarks/run_all.py`` runs each ``bench_*.py`` with its defaults
(``bench_ingest.py``: 1M rows; ``bench_simulate.py``: 20k, 100k and 1M users — the 1M run
takes about 5 minutes and 9 GB; ``bench_analytics.py``: 10M and 100M events on DuckDB and 10M
on Spark — about 30 minutes, plus about 13 minutes and 4 GB of disk the first time to build its
cached datasets under ``benchmarks/results/analytics-cache/``). Run a script alone to choose
sizes (``--help``; ``bench_analytics.py --quick`` is a 1M-event smoke run).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.name}: exit {rc} in {time.perf_counter() - t0:.1f} s", flush=True)
        if rc:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

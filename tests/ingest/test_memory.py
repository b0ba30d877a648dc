"""Large files stream: the reader and validator hold a bounded amount of Arrow memory.

Measured in fresh subprocesses (peak RSS is inherited across fork, so the parent's
own memory would blur it): the peak of Arrow's memory pool stays under a fixed
number of parser blocks, and peak RSS grows clearly less than the file does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from .helpers import events_csv

_CHILD = textwrap.dedent("""
    import json, sys, threading, time
    import psutil, pyarrow as pa
    from kpgrowth.workspace import Workspace
    from kpgrowth.ingest import ingest
    proc, peak = psutil.Process(), [0]
    def sample():
        while True:
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.005)
    threading.Thread(target=sample, daemon=True).start()
    ws = Workspace.init(sys.argv[1])
    ingest(ws, "events", [sys.argv[3]])          # warm up: imports, caches
    time.sleep(0.05)
    base = proc.memory_info().rss
    peak[0] = base
    pool_before = pa.default_memory_pool().max_memory()
    r = ingest(ws, "events", [sys.argv[2]])
    time.sleep(0.05)
    print(json.dumps({"rss_growth": peak[0] - base, "landed": r.totals["landed"],
                      "pool_peak": pa.default_memory_pool().max_memory()}))
""")


def _measure(tmp_path, name, n):
    big = events_csv(tmp_path / f"{name}.csv", n)
    small = events_csv(tmp_path / f"{name}-warm.csv", 1000, start=10**8)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path / f"ws-{name}"), str(big),
                          str(small)], capture_output=True, text=True, timeout=300, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["landed"] == n
    big.unlink()
    return got


@pytest.mark.slow
def test_memory_does_not_follow_file_size(tmp_path):
    mid = _measure(tmp_path, "mid", 500_000)     # ~45 MB, 3 parser blocks
    big = _measure(tmp_path, "big", 1_500_000)   # ~135 MB, 9 parser blocks
    mb = 2**20
    # Arrow memory (raw blocks, parsed and validated chunks): a fixed number of 16 MB blocks
    # (reads are throttled to two blocks ahead), not the file
    assert big["pool_peak"] < 16 * 16 * mb, big
    # the process as a whole: DuckDB keeps the open transaction's rows and key hash table,
    # so some growth remains, but far below the file held as Arrow strings (~2x its size)
    assert big["rss_growth"] < 2.2 * mid["rss_growth"] + 64 * mb, (mid, big)

"""Idempotent re-ingest, one batch per file, and all-or-nothing even under SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kpgrowth.ingest import ingest
from kpgrowth.ingest.pipeline import MARKER_ENV, SLEEP_ENV
from kpgrowth.workspace import Workspace

from .helpers import ORDERS_HEADER, conserved, events_csv, write


def test_reingest_lands_nothing_twice(ws, tmp_path):
    path = write(tmp_path / "o.csv", f"{ORDERS_HEADER}\no1,2024-03-05,c1,1,paid\n"
                                     "o2,bad,c1,1,paid\n")
    first = ingest(ws, "orders", [path])
    again = ingest(ws, "orders", [path])
    assert first.files[0].landed == 1 and not first.files[0].skipped_as_already_ingested
    assert again.files[0].skipped_as_already_ingested and again.totals["landed"] == 0
    assert again.files[0].batch_id == first.files[0].batch_id
    assert (ws.store.count("orders"), ws.store.count("quarantine"),
            ws.store.count("_batches")) == (1, 1, 1)
    batch = ws.store.to_pyarrow("_batches").to_pylist()[0]
    assert (batch["rows_read"], batch["landed"], batch["quarantined"]) == (2, 1, 1)


def test_overlapping_files_count_duplicates(ws, tmp_path):
    a = write(tmp_path / "a.csv", f"{ORDERS_HEADER}\no1,2024-03-05,c1,1,paid\no2,2024-03-05,c1,1,paid\n")
    b = write(tmp_path / "b.csv", f"{ORDERS_HEADER}\no2,2024-03-05,c1,1,paid\no3,2024-03-05,c1,1,paid\n")
    r = ingest(ws, "orders", [a, b])
    conserved(r)
    assert [(f.landed, f.duplicates) for f in r.files] == [(2, 0), (1, 1)]
    assert ws.store.count("orders") == 3 and ws.store.count("_batches") == 2


def test_same_file_other_table_or_mapping_is_another_batch(ws, tmp_path):
    path = write(tmp_path / "e.csv", "event_id,ts,type\ne1,2024-03-05,view\n")
    r1 = ingest(ws, "events", [path])
    path.write_text("event_id,ts,type\ne1,2024-03-05,view\ne2,2024-03-05,like\n")
    r2 = ingest(ws, "events", [path])  # changed content: a new batch, e1 is a duplicate
    assert r1.files[0].batch_id != r2.files[0].batch_id
    assert (r2.files[0].landed, r2.files[0].duplicates) == (1, 1)


def test_builtin_mapping_end_to_end(ws):
    fixture = Path(__file__).parents[1] / "mapping" / "fixtures" / "xiaoe_orders.csv"
    assert fixture.exists(), f"fixture {fixture} is part of the repo"
    r = ingest(ws, "orders", [fixture], mapping="xiaoe_orders")
    conserved(r)
    assert r.files[0].landed >= 1
    assert ws.store.count("identities") >= 1
    users = ws.store.to_pyarrow("orders")["user_key"].to_pylist()
    assert all(u is None or u.startswith("u_") for u in users)
    assert ingest(ws, "orders", [fixture], mapping="xiaoe_orders").files[0].skipped_as_already_ingested
    with pytest.raises(ValueError, match="is for table 'orders', not 'events'"):
        ingest(ws, "events", [fixture], mapping="xiaoe_orders")


_CHILD = textwrap.dedent("""
    import sys
    from kpgrowth.workspace import Workspace
    from kpgrowth.ingest import ingest
    ws = Workspace.open(sys.argv[1])
    ingest(ws, "events", [sys.argv[2]])
    ws.close()
""")


@pytest.mark.slow
def test_sigkill_mid_batch_leaves_nothing_and_rerun_completes(tmp_path):
    n = 300_000  # ~20 MB: two 16 MB parser blocks, so the kill lands between chunks
    path = events_csv(tmp_path / "events.csv", n)
    root = tmp_path / "ws"
    Workspace.init(root).close()
    marker = tmp_path / "marker"
    env = {**os.environ, MARKER_ENV: str(marker), SLEEP_ENV: "30"}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(root), str(path)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():  # the first chunk is appended, the transaction is open
            assert proc.poll() is None, "ingest ended before the first chunk was written"
            assert time.monotonic() < deadline, "no progress marker within 60 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Workspace.open(root) as ws:
        assert (ws.store.count("events"), ws.store.count("_batches")) == (0, 0)
        r = ingest(ws, "events", [path])
        assert (r.files[0].landed, ws.store.count("events"), ws.store.count("_batches")) == (n, n, 1)
        assert ingest(ws, "events", [path]).files[0].skipped_as_already_ingested
        assert ws.store.count("events") == n


def test_error_at_the_end_of_a_multi_chunk_file_rolls_everything_back(ws, tmp_path, monkeypatch):
    from kpgrowth.ingest import readers

    monkeypatch.setattr(readers, "CHUNK_ROWS", 10)
    lines = [f'{{"product_id": "c{i}", "kind": "course", "title": "t", "price": 1}}'
             for i in range(55)]
    path = write(tmp_path / "p.jsonl", "\n".join(lines) + '\n{"product_id": "c99", "ki')
    with pytest.raises(ValueError, match="truncated last line"):
        ingest(ws, "products", [path])
    assert (ws.store.count("products"), ws.store.count("_batches")) == (0, 0)

"""Listing, counting and exporting quarantined rows."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from kpgrowth.errors import InputError
from kpgrowth.ingest import ingest
from kpgrowth.ingest.quarantine import export_quarantine, list_quarantine, quarantine_counts

from .helpers import ORDERS_HEADER, write


@pytest.fixture()
def filled(ws, tmp_path):
    a = write(tmp_path / "a.csv", f"{ORDERS_HEADER}\n" + "\n".join(
        f"o{i},坏日期{i},c1,1,paid" for i in range(5)) + "\no9,2024-03-05,c1,1,unknown\n")
    b = write(tmp_path / "b.csv", "product_id,kind,title,price\nc1,course,课程,-3\n")
    ra = ingest(ws, "orders", [a])
    ingest(ws, "products", [b])
    return ws, ra.files[0].batch_id


def test_counts_sorted_by_count(filled):
    ws, _ = filled
    assert quarantine_counts(ws) == [("orders", "not a valid timestamp", 5),
                                     ("orders", "not one of the allowed values", 1),
                                     ("products", "must be >= 0", 1)]


def test_list_filters_and_pages(filled):
    ws, batch = filled
    assert list_quarantine(ws).num_rows == 7
    assert list_quarantine(ws, table="products").column("value").to_pylist() == ["-3"]
    page = list_quarantine(ws, batch_id=batch, limit=2, offset=1)
    assert page.column("line").to_pylist() == [3, 4]
    assert list_quarantine(ws, table="events").num_rows == 0
    with pytest.raises(InputError):
        list_quarantine(ws, limit=-1)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_export(filled, tmp_path, suffix):
    ws, _ = filled
    path = tmp_path / f"bad{suffix}"
    assert export_quarantine(ws, path, table="orders") == 6
    if suffix == ".csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and "坏日期0".encode() in raw
    elif suffix == ".jsonl":
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        assert json.loads(rows[0]["row"])["ts"] == "坏日期0"
    else:
        assert pq.read_table(path).num_rows == 6


def test_export_refuses_unknown_suffix(filled, tmp_path):
    ws, _ = filled
    with pytest.raises(InputError, match="cannot export"):
        export_quarantine(ws, tmp_path / "bad.xls")

"""Every supported format and encoding is read, with the right line numbers."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kpgrowth.ingest import ingest, ingest_rows

from .helpers import ORDERS_HEADER, cells, conserved, write

ROWS = ["o1,2024-03-05 10:00:00,c1,99.00,paid", "o2,2024年3月6日,c2,1299,refunded",
        "o3,2024/03/07 08:30,c1,-10,refunded"]


@pytest.mark.parametrize("delim", [",", "\t", ";", "|"])
def test_delimiters_are_sniffed(ws, tmp_path, delim):
    text = "\n".join(line.replace(",", delim) for line in [ORDERS_HEADER, *ROWS]) + "\n"
    r = ingest(ws, "orders", [write(tmp_path / "o.txt", text)])
    assert r.files[0].landed == 3
    conserved(r)


def test_timestamps_are_local_time_stored_utc_and_currency_defaults(ws, tmp_path):
    ingest(ws, "orders", [write(tmp_path / "o.csv", "\n".join([ORDERS_HEADER, *ROWS]))])
    got = {r["order_id"]: r for r in ws.store.to_pyarrow("orders").to_pylist()}
    assert got["o1"]["ts"] == dt.datetime(2024, 3, 5, 2, 0, tzinfo=dt.UTC)
    assert got["o2"]["ts"] == dt.datetime(2024, 3, 5, 16, 0, tzinfo=dt.UTC)
    assert str(got["o3"]["amount"]) == "-10.00" and got["o3"]["currency"] == "CNY"


@pytest.mark.parametrize("encoding,reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"),
                                               ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_encodings(ws, tmp_path, encoding, reported):
    text = "product_id,kind,title,price\nc1,course,Python 入门课（第二期）,99\nc2,ebook,《增长黑客》,19.9\n"
    r = ingest(ws, "products", [write(tmp_path / "p.csv", text, encoding)])
    assert r.files[0].encoding == reported
    titles = sorted(ws.store.to_pyarrow("products")["title"].to_pylist())
    assert titles == ["Python 入门课（第二期）", "《增长黑客》"]


def test_bom_does_not_stick_to_the_first_column(ws, tmp_path):
    path = write(tmp_path / "p.csv", "product_id,kind,title,price\nc1,course,t,1\n", "utf-8-sig")
    assert ingest(ws, "products", [path]).files[0].landed == 1


def test_xlsx_lines_are_sheet_rows(ws, tmp_path):
    import xlsxwriter

    path = tmp_path / "orders.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ORDERS_HEADER.split(","))
    fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(1, 0, ["o1", None, "c1", 99, "paid"])
    sheet.write_datetime(1, 1, dt.datetime(2024, 3, 5, 10, 0), fmt)
    sheet.write_row(3, 0, ["o2", "not a date", "c1", 5, "paid"])  # row 3 left empty
    book.close()
    r = ingest(ws, "orders", [path])
    assert (r.files[0].format, r.files[0].landed, r.files[0].quarantined) == ("xlsx", 1, 1)
    assert cells(ws) == {(4, "ts", "not a valid timestamp")}
    ts = ws.store.to_pyarrow("orders")["ts"][0].as_py()
    assert ts == dt.datetime(2024, 3, 5, 2, 0, tzinfo=dt.UTC)


def test_parquet_typed_columns(ws, tmp_path):
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({
        "event_id": ["e1", "e2", "e3"],
        "ts": pa.array([dt.datetime(2024, 3, 5, 10)] * 3, pa.timestamp("ms")),
        "type": ["view", "bogus", "like"], "value": [1, 2, 3]}), path)
    r = ingest(ws, "events", [path])
    assert (r.files[0].landed, r.files[0].quarantined) == (2, 1)
    assert cells(ws) == {(2, "type", "not one of the allowed values")}
    got = ws.store.to_pyarrow("events").sort_by("event_id")
    assert got["value"].to_pylist() == [1.0, 3.0]
    assert got["ts"][0].as_py() == dt.datetime(2024, 3, 5, 2, tzinfo=dt.UTC)


def test_parquet_detected_by_magic_bytes_whatever_the_name(ws, tmp_path):
    path = tmp_path / "export.dat"
    pq.write_table(pa.table({"product_id": ["c1"], "kind": ["course"], "title": ["t"],
                             "price": ["9.9"]}), path)
    assert ingest(ws, "products", [path]).files[0].format == "parquet"


def test_jsonl_lines_blank_lines_and_bad_json(ws, tmp_path):
    lines = [json.dumps({"product_id": "c1", "kind": "course", "title": "课", "price": 99}),
             "",
             "{not json",
             json.dumps({"product_id": "c2", "kind": "live", "title": "直播", "price": "1.2万"}),
             json.dumps(["a", "list"]),
             json.dumps({"product_id": "c3", "kind": "ebook", "title": "书", "price": -1})]
    r = ingest(ws, "products", [write(tmp_path / "p.ndjson", "\n".join(lines) + "\n")])
    conserved(r)
    assert (r.files[0].rows_read, r.files[0].landed) == (5, 2)
    assert cells(ws) == {(3, None, "not valid JSON"), (5, None, "not a JSON object"),
                         (6, "price", "must be >= 0")}
    prices = dict(zip(*ws.store.to_pyarrow("products").select(["product_id", "price"])
                      .to_pydict().values()))
    assert str(prices["c2"]) == "12000.00"


def test_ingest_rows_same_rules_and_idempotent(ws):
    rows = [{"event_id": "e1", "ts": "2024-03-05T10:00:00+08:00", "type": "view"},
            {"event_id": "e2", "ts": "yesterday", "type": "view"},
            {"event_id": "e1", "ts": "2024-03-05T10:00:00+08:00", "type": "view"}]
    r = ingest_rows(ws, "events", rows, source="api")
    conserved(r)
    f = r.files[0]
    assert (f.file, f.landed, f.duplicates, f.quarantined) == ("api", 1, 1, 1)
    assert cells(ws) == {(2, "ts", "not a valid timestamp")}
    again = ingest_rows(ws, "events", rows)
    assert again.files[0].skipped_as_already_ingested
    assert ws.store.count("events") == 1 and ws.store.count("quarantine") == 1


def test_unknown_columns_are_reported_not_fatal(ws, tmp_path):
    path = write(tmp_path / "p.csv", "product_id,kind,title,price,备注\nc1,course,t,1,hi\n")
    assert ingest(ws, "products", [path]).files[0].ignored_columns == ["备注"]


def test_result_surfaces(ws, tmp_path):
    r = ingest(ws, "orders", [write(tmp_path / "o.csv", "\n".join([ORDERS_HEADER, *ROWS,
                                                                  "o4,bad,c1,1,paid"]))])
    assert r.to_frame().loc[0, "quarantined"] == 1
    d = r.to_dict()
    json.dumps(d)
    assert d["top_reasons"][0] == {"reason": "not a valid timestamp", "count": 1,
                                   "example": f"{tmp_path / 'o.csv'}:5"}
    assert len(r.figure().data) == 3

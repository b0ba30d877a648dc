"""Malformed input: each case raises one clear error, or quarantines the right cells.

Whatever happens, no row is lost: rows_read == landed + duplicates + quarantined.
"""

from __future__ import annotations

import pytest

from kpgrowth.errors import FileFormatError, InputError, MissingColumnsError
from kpgrowth.ingest import ingest

from .helpers import ORDERS_HEADER, cells, conserved, quarantine_rows, write


def _nothing_written(ws) -> None:
    for t in ("orders", "products", "events", "post_metrics", "quarantine", "_batches"):
        assert ws.store.count(t) == 0, t


# -- whole-file errors ---------------------------------------------------------------------
def test_invalid_bytes_name_encodings_and_offset(ws, tmp_path):
    data = (ORDERS_HEADER + "\no1,2024-03-05,c1,1,paid\n").encode() + b"o2,\xff\xfe\xfa,c1,1,paid\n"
    path = tmp_path / "o.csv"
    path.write_bytes(data)
    with pytest.raises(FileFormatError) as e:
        ingest(ws, "orders", [path])
    msg = str(e.value)
    offset = data.index(bytes([0xFF]))
    assert "UTF-8" in msg and "GB18030" in msg and f"offset {offset}" in msg
    assert "\n" not in msg
    _nothing_written(ws)


@pytest.mark.parametrize("content,words", [
    (b"", "empty"),
    (b"\xef\xbb\xbf\r\n  \n", "empty"),
    ((ORDERS_HEADER + "\n").encode(), "no data rows"),
    (ORDERS_HEADER.encode(), "no data rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "PNG image"),
    (b"order_id,ts\x00\x00\x01\x02garbage", "NUL byte at offset 11"),
    (b"PK\x03\x04junk", "zip archive"),
])
def test_unreadable_files(ws, tmp_path, content, words):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=words) as e:
        ingest(ws, "orders", [path])
    assert isinstance(e.value, InputError) and isinstance(e.value, ValueError)
    assert str(e.value).startswith(str(path)) and "\n" not in str(e.value)
    _nothing_written(ws)


def test_fake_xlsx_and_parquet(ws, tmp_path):
    for name in ("o.xlsx", "o.parquet"):
        with pytest.raises(FileFormatError, match="not (an Excel workbook|a Parquet file)"):
            ingest(ws, "orders", [write(tmp_path / name, "order_id\no1\n")])


def test_truncated_last_line_writes_nothing(ws, tmp_path):
    good = "\n".join(f"o{i},2024-03-05,c1,{i},paid" for i in range(50))
    path = write(tmp_path / "o.csv", f"{ORDERS_HEADER}\n{good}\no99,2024-03")
    with pytest.raises(FileFormatError, match="truncated last line: expected 5 fields, found 2"
                       ) as e:
        ingest(ws, "orders", [path])
    assert e.value.line == 52
    _nothing_written(ws)


def test_unclosed_quote_at_the_end(ws, tmp_path):
    path = write(tmp_path / "o.csv", f'{ORDERS_HEADER}\no1,2024-03-05,c1,1,paid\n'
                                     f'o2,2024-03-05,c1,"1,paid\no3,2024-03-05,c1,1,paid\n')
    with pytest.raises(FileFormatError, match="quote that is never closed") as e:
        ingest(ws, "orders", [path])
    assert e.value.line == 3
    _nothing_written(ws)


def test_missing_column_names_the_closest_header(ws, tmp_path):
    path = write(tmp_path / "orders.csv", "orderid,ts,product_id,amount,status\no1,2024-03-05,c1,1,paid\n")
    with pytest.raises(MissingColumnsError) as e:
        ingest(ws, "orders", [path])
    assert str(e.value) == (f"{path}: missing required column 'order_id' "
                            "(closest header: 'orderid')")


def test_a_bad_second_file_stops_before_anything_is_written(ws, tmp_path):
    ok = write(tmp_path / "a.csv", f"{ORDERS_HEADER}\no1,2024-03-05,c1,1,paid\n")
    bad = write(tmp_path / "b.csv", "order,ts\n1,2\n")
    with pytest.raises(MissingColumnsError):
        ingest(ws, "orders", [ok, bad])
    _nothing_written(ws)


# -- row-level problems go to quarantine ----------------------------------------------------
def test_embedded_newlines_and_quotes_keep_line_numbers(ws, tmp_path):
    text = ("product_id,kind,title,price\n"
            'c1,course,"多行\n标题\n第三行",10\n'
            'c2,course,"He said ""hi""",bad\n'
            'c3,ebook,"line\r\nbreak",20\n'
            'c4,podcast,plain,5\n')
    r = ingest(ws, "products", [write(tmp_path / "p.csv", text)])
    conserved(r)
    assert cells(ws) == {(5, "price", "not a number"), (8, "kind", "not one of the allowed values")}
    titles = dict(zip(*ws.store.to_pyarrow("products").select(["product_id", "title"])
                      .to_pydict().values()))
    assert titles["c1"] == "多行\n标题\n第三行" and titles["c3"] == "line\r\nbreak"


def test_blank_lines_and_ragged_rows(ws, tmp_path):
    text = (f"{ORDERS_HEADER}\n\no1,2024-03-05,c1,1,paid\n"
            'o2,"two\nlines",c1\n'  # lines 4-5: three fields
            "\n\no3,2024-03-05,c1,1,paid,extra\n"  # line 8: six fields
            "o4,2024-13-45,c1,1,paid\n")  # line 9
    r = ingest(ws, "orders", [write(tmp_path / "o.csv", text)])
    conserved(r)
    assert (r.files[0].rows_read, r.files[0].landed) == (4, 1)
    assert cells(ws) == {(4, None, "wrong number of fields"), (8, None, "wrong number of fields"),
                         (9, "ts", "not a valid timestamp")}


def test_bad_dates_null_and_duplicate_keys(ws, tmp_path):
    text = "\n".join([ORDERS_HEADER,
                      "o1,2024-03-05 10:00,c1,10,paid",
                      "o2,2024-02-30,c1,10,paid",
                      ",2024-03-05,c1,10,paid",
                      "o1,2024-03-05 10:00,c1,10,paid",
                      "o3,45356.5,c1,10,paid",
                      "o4,2024-03-05,,10,unknown"]) + "\n"
    r = ingest(ws, "orders", [write(tmp_path / "o.csv", text)])
    conserved(r)
    f = r.files[0]
    assert (f.rows_read, f.landed, f.duplicates, f.quarantined, f.problems) == (6, 1, 1, 4, 5)
    assert cells(ws) == {(3, "ts", "not a valid timestamp"), (4, "order_id", "missing required value"),
                         (6, "ts", "not a valid timestamp"),  # a lone Excel serial among dates
                         (7, "product_id", "missing required value"),
                         (7, "status", "not one of the allowed values")}


def test_mixed_types_wan_counts_and_percentages(ws, tmp_path):
    text = ("post_id,platform,date,views,likes,completion_rate\n"
            "p1,douyin,2024-03-05,1.2万,3.4w,12.5%\n"
            "p2,douyin,2024-03-05,\"1,234\",7,0.5\n"
            "p3,douyin,2024-03-05,many,7,0.5\n"
            "p4,douyin,2024-03-05,1.5,7,150%\n")
    r = ingest(ws, "post_metrics", [write(tmp_path / "m.csv", text)])
    conserved(r)
    got = {x["post_id"]: x for x in ws.store.to_pyarrow("post_metrics").to_pylist()}
    assert (got["p1"]["views"], got["p1"]["likes"], got["p1"]["completion_rate"]) == (12000, 34000, 0.125)
    assert got["p2"]["views"] == 1234
    assert cells(ws) == {(4, "views", "not a number"), (5, "views", "not a whole number"),
                         (5, "completion_rate", "must be <= 1")}


def test_negative_prices_and_refunds(ws, tmp_path):
    text = "\n".join([ORDERS_HEADER, "o1,2024-03-05,c1,-99,refunded", "o2,2024-03-05,c1,-99,paid"])
    r = ingest(ws, "orders", [write(tmp_path / "o.csv", text)])
    conserved(r)
    assert cells(ws) == {(3, "amount", "must be >= 0 unless status is refunded")}
    p = write(tmp_path / "p.csv", "product_id,kind,title,price,currency\nc1,course,t,-1,CNY\nc2,course,t,1,rmb\n")
    ingest(ws, "products", [p])
    assert {(c[1], c[2]) for c in cells(ws)} >= {("price", "must be >= 0"),
                                                 ("currency", "does not match ^[A-Z]{3}$")}


def test_quarantine_row_keeps_the_whole_raw_row(ws, tmp_path):
    ingest(ws, "orders", [write(tmp_path / "o.csv", f"{ORDERS_HEADER},备注\no1,明天,c1,5,paid,加急\n")])
    (row,) = quarantine_rows(ws)
    import json

    assert json.loads(row["row"]) == {"order_id": "o1", "ts": "明天", "product_id": "c1",
                                      "amount": "5", "status": "paid", "备注": "加急"}
    assert (row["value"], row["file"], row["table_name"]) == ("明天", str(tmp_path / "o.csv"), "orders")


@pytest.mark.parametrize("size", [1 << 20, 40 << 20])
def test_huge_fields(ws, tmp_path, size):
    big = "长" * (size // 3) + "x"
    text = f"product_id,kind,title,description,price\nc1,course,t,\"{big}\",1\nc2,course,t,short,oops\n"
    r = ingest(ws, "products", [write(tmp_path / "p.csv", text)])
    conserved(r)
    assert (r.files[0].landed, r.files[0].quarantined) == (1, 1)
    assert cells(ws) == {(3, "price", "not a number")}
    desc = ws.store.raw.execute("SELECT length(description) FROM products").fetchone()[0]
    assert desc == len(big)

"""Ingest through a built-in mapping: one quarantine entry per real problem; stable user keys."""

from __future__ import annotations

from kpgrowth.ingest import ingest

HEADER = "订单号,用户ID,商品ID,商品名称,实付金额,订单状态,下单时间,unionid\n"


def _write(path, rows, encoding="gb18030"):
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode(encoding))
    return path


def test_bad_source_value_is_reported_once_on_the_source_column(ws, tmp_path):
    f = _write(tmp_path / "xiaoe.csv", [
        "X1,u1,p1,课,19900,已支付,2024年3月5日 10:00,UN1",
        "X2,u2,p1,课,abc,已支付,2024-03-06 09:00,",
        "X3,u3,p1,课,9900,神秘状态,2024-03-07 09:00,"])
    res = ingest(ws, "orders", [f], mapping="xiaoe_orders")
    assert (res.totals["landed"], res.totals["quarantined"]) == (1, 2)
    q = ws.store.to_pyarrow("quarantine").to_pylist()
    cells = sorted((r["line"], r["column_name"], r["value"]) for r in q)
    assert cells == [(3, "实付金额", "abc"), (4, "订单状态", "神秘状态")]


def test_known_external_id_keeps_its_user_key_in_later_batches(ws, tmp_path):
    first = _write(tmp_path / "a.csv", ["X1,u1,p1,课,19900,已支付,2024-03-05 10:00,UN1"])
    later = _write(tmp_path / "b.csv", ["X2,u1,p2,课,9900,已支付,2024-04-01 10:00,"])
    ingest(ws, "orders", [first], mapping="xiaoe_orders")
    ingest(ws, "orders", [later], mapping="xiaoe_orders")
    keys = {r["order_id"]: r["user_key"] for r in ws.store.to_pyarrow("orders").to_pylist()}
    assert keys["X1"] == keys["X2"]
    ids = ws.store.to_pyarrow("identities").to_pylist()
    assert len(ids) == 1 and ids[0]["external_id"] == "u1"
    # the raw id lives only in identities
    assert "u1" not in str(ws.store.to_pyarrow("orders").to_pylist())

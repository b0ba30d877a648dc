"""The same data in DuckDB and Spark gives identical aggregates through the same Ibis code."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pyarrow as pa
import pytest

from kpgrowth.schema import PLATFORMS
from kpgrowth.store import connect

pytestmark = [pytest.mark.spark, pytest.mark.usefixtures("spark_ok")]


def _data(n: int = 3000, seed: int = 7) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    ts = [t0 + dt.timedelta(seconds=int(s)) for s in rng.integers(0, 90 * 86400, n)]
    users = [f"u_{i:05d}" for i in rng.integers(0, 500, n)]
    orders = pa.table({
        "order_id": [f"o{i}" for i in range(n)], "ts": ts, "user_key": users,
        "product_id": [f"p{i}" for i in rng.integers(0, 12, n)],
        "amount": [decimal.Decimal(int(c)) / 100 for c in rng.integers(990, 199900, n)],
        "currency": ["CNY"] * n,
        "platform": list(rng.choice(PLATFORMS[:8], n)),
        "status": list(rng.choice(["paid", "paid", "paid", "refunded"], n)),
    })
    events = pa.table({
        "event_id": [f"e{i}" for i in range(n)], "ts": ts, "user_key": users,
        "type": list(rng.choice(["impression", "click", "purchase", "lesson_complete"], n)),
        "platform": list(rng.choice(PLATFORMS[:8], n)),
        "value": rng.random(n).round(6),
    })
    return {"orders": orders, "events": events}


def _aggregates(store) -> dict[str, list]:
    o, e = store.table("orders"), store.table("events")
    paid = o.filter(o.status == "paid")
    by_product = (paid.group_by("product_id")
                  .aggregate(n=paid.count(), revenue=paid.amount.sum(),
                             buyers=paid.user_key.nunique())
                  .order_by("product_id"))
    day = e.ts.date().name("day")
    by_day = (e.group_by([day, e.type]).aggregate(n=e.count(), v=e.value.sum().round(6))
              .order_by(["day", "type"]))
    span = o.aggregate(first=o.ts.min(), last=o.ts.max(), users=o.user_key.nunique())
    out = {}
    for name, expr in {"by_product": by_product, "by_day": by_day, "span": span}.items():
        rows = expr.to_pyarrow().to_pylist()
        for r in rows:
            for k, v in r.items():
                if isinstance(v, dt.datetime):
                    r[k] = v.replace(tzinfo=None) if v.tzinfo else v
                elif isinstance(v, decimal.Decimal):
                    r[k] = v.quantize(decimal.Decimal("0.01"))
        out[name] = rows
    return out


def test_duckdb_and_spark_agree(tmp_path):
    data = _data()
    duck = connect("duckdb://:memory:")
    spark = connect("pyspark://local[2]", tmp_path)
    for store in (duck, spark):
        with store.batch() as b:
            for name, table in data.items():
                assert b.append_new(name, table) == (table.num_rows, 0)
    a, b = _aggregates(duck), _aggregates(spark)
    assert a["span"] == b["span"]
    assert a["by_product"] == b["by_product"]
    assert a["by_day"] == b["by_day"]
    assert len(a["by_day"]) > 300
    # idempotency holds on Spark too
    with spark.batch() as batch:
        assert batch.append_new("orders", data["orders"]) == (0, data["orders"].num_rows)
    duck.close()


def test_spark_workspace_persists_across_sessions(tmp_path):
    from kpgrowth.workspace import Workspace

    ws = Workspace.init(tmp_path / "w", backend="pyspark://local[2]")
    assert ws.store.url == "pyspark://local[2]"
    data = _data(50)
    ws.store.append("orders", data["orders"])
    ws.close()
    # a new store object re-registers the Parquet folders it finds
    again = Workspace.open(tmp_path / "w")
    assert again.store.count("orders") == 50
    assert again.store.count("_migrations") >= 1
    assert (tmp_path / "w" / "spark-warehouse" / "orders").is_dir()


def test_spark_store_with_a_relative_root(tmp_path, monkeypatch):
    # table locations are registered as absolute paths, whatever the working directory
    monkeypatch.chdir(tmp_path)
    spark = connect("pyspark://local[2]", "rel")
    spark.append("orders", _data(20)["orders"])
    assert (tmp_path / "rel" / "spark-warehouse" / "orders").is_dir()
    spark.close()
    again = connect("pyspark://local[2]", "rel")  # re-registers the Parquet folders it finds
    assert again.count("orders") == 20

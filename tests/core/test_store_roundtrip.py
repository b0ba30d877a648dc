"""insert -> read back == same, for every table (datasette/sqlite-utils style)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from kpgrowth.schema import INTERNAL, TABLES
from kpgrowth.store import connect
from tests.strategies import normalize, rows, to_arrow

ALL = {**TABLES, **INTERNAL}


@pytest.fixture(scope="module")
def store():
    s = connect("duckdb://:memory:")
    yield s
    s.close()


@pytest.mark.parametrize("name", sorted(ALL))
def test_round_trip(store, name):
    table = ALL[name]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows(table))
    def check(data):
        store.create(table, overwrite=True)
        store.append(name, to_arrow(table, data))
        back = store.to_pyarrow(name)
        assert normalize(back, table.key) == normalize(to_arrow(table, data), table.key)

    check()


def test_append_new_is_idempotent_and_dedupes_within_data(store):
    import pyarrow as pa

    table = TABLES["edges"]
    store.create(table, overwrite=True)
    data = pa.table({"src": ["a", "a", "b"], "dst": ["b", "b", "c"],
                     "kind": ["follow"] * 3, "platform": [None, None, "weibo"]})
    with store.batch() as b:
        assert b.append_new("edges", data) == (2, 1)  # NULL platform keys compare equal
    with store.batch() as b:
        assert b.append_new("edges", data) == (0, 3)
    assert store.count("edges") == 2


def test_failed_batch_leaves_nothing(store):
    import pyarrow as pa

    store.create(TABLES["products"], overwrite=True)
    rows_ = pa.table({"product_id": ["p1"], "kind": ["course"], "title": ["t"],
                      "price": [1], "currency": ["CNY"]})
    with pytest.raises(RuntimeError):
        with store.batch() as b:
            b.append("products", rows_)
            raise RuntimeError("boom")
    assert store.count("products") == 0


def test_migrations_are_recorded_once(tmp_path):
    s = connect("duckdb://w.duckdb", tmp_path)
    assert s.count("_migrations") >= 1
    assert s.migrate() == []
    s.close()
    s2 = connect("duckdb://w.duckdb", tmp_path)
    assert s2.migrate() == []
    s2.close()

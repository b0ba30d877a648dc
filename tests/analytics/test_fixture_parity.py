"""The shared fixture loads the same rows into each backend."""

from __future__ import annotations


def test_store_of_holds_exactly_the_given_rows(store_of, sim_tables):
    store = store_of({"orders": sim_tables["orders"]})
    assert store.count("orders") == sim_tables["orders"].num_rows > 0
    assert store.count("events") == 0

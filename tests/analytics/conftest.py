"""Analytics tests run on DuckDB and on Spark with the same data and the same assertions.

Use the ``store_of`` fixture: ``store = store_of({"events": arrow_table, ...})`` gives a store
of the parametrized backend holding exactly those tables (canonical schema, cast with
``conform``). Spark cases are marked ``spark`` and skip with the reason where Java is missing
(they fail instead under CI=true). ``sim`` is a small simulated business shared by the session,
and ``sim_tables`` its canonical tables as Arrow, to load into either backend.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from kpgrowth.schema import TABLES
from kpgrowth.store import connect
from kpgrowth.store.base import Store, conform


def _load(store: Store, tables: dict[str, pa.Table]) -> Store:
    for name in TABLES:  # every canonical table exists and is empty unless given
        store.create(TABLES[name], overwrite=True)
    with store.batch() as b:
        for name, data in tables.items():
            if data.num_rows:
                b.append(name, conform(TABLES[name], data))
    return store


@pytest.fixture(scope="session")
def _duck() -> Store:
    s = connect("duckdb://:memory:")
    yield s
    s.close()


@pytest.fixture(scope="session")
def _spark(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from tests.conftest import IN_CI, spark_unavailable

    reason = spark_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but Spark tests cannot run: {reason}")
        pytest.skip(reason)
    return connect("pyspark://local[2]", tmp_path_factory.mktemp("spark"))


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def store_of(request: pytest.FixtureRequest) -> Callable[[dict[str, pa.Table]], Store]:
    """A factory: tables -> a store of this test's backend holding exactly them."""
    store = request.getfixturevalue("_duck" if request.param == "duckdb" else "_spark")
    return lambda tables: _load(store, tables)


@pytest.fixture(scope="session")
def sim(tmp_path_factory: pytest.TempPathFactory):
    """A small simulated workspace (2,000 users, 30 days, seed 11) with its truth tables."""
    from kpgrowth.simulate import simulate
    from kpgrowth.workspace import Workspace

    ws = Workspace.init(Path(tmp_path_factory.mktemp("sim")) / "ws")
    simulate(ws, users=2000, days=30, seed=11)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def sim_tables(sim) -> dict[str, pa.Table]:
    """The simulated canonical tables as Arrow (to load into any backend with ``store_of``)."""
    return {name: sim.store.to_pyarrow(name) for name in TABLES if name != "quarantine"}

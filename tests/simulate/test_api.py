"""The public API: determinism, refusal and overwrite, atomicity, parameters, the result object."""

from __future__ import annotations

import json

import pytest
from conftest import KEY, build  # type: ignore[import-not-found]

from kpgrowth.errors import InputError, WorkspaceError
from kpgrowth.simulate import SimulationResult, simulate
from kpgrowth.simulate.core import CANONICAL
from kpgrowth.simulate.truth import TRUTH_TABLES
from kpgrowth.store.base import table_def
from kpgrowth.workspace import Workspace

TINY = {"users": 600, "days": 10}


def _read(ws: Workspace, name: str):
    keys = [(k, "ascending") for k in table_def(name).key]
    return ws.store.to_pyarrow(name).sort_by(keys)


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("KPGROWTH_PSEUDONYM_KEY", KEY)


def test_same_seed_gives_identical_tables(tmp_path, key):
    a, ra = build(tmp_path / "a", seed=3, **TINY)
    b, rb = build(tmp_path / "b", seed=3, **TINY)
    c, _ = build(tmp_path / "c", seed=4, **TINY)
    try:
        assert ra.counts == rb.counts
        for name in (*CANONICAL, *TRUTH_TABLES):
            ta, tb = a.store.to_pyarrow(name), b.store.to_pyarrow(name)
            assert ta.equals(tb), f"{name} differs between two runs with the same seed"
        differ = [n for n in ("events", "orders", "truth_users", "comments") if not _read(a, n).equals(_read(c, n))]
        assert differ == ["events", "orders", "truth_users", "comments"]
    finally:
        for ws in (a, b, c):
            ws.close()


def test_refuses_existing_data_and_overwrites_on_request(tmp_path, key):
    ws, first = build(tmp_path / "w", seed=1, **TINY)
    try:
        before = {n: _read(ws, n) for n in ("events", "orders", "truth_edges")}
        with pytest.raises(WorkspaceError, match="overwrite=True"):
            simulate(ws, seed=2, **TINY)
        again = simulate(ws, seed=1, overwrite=True, **TINY)
        assert again.counts == first.counts
        for name, table in before.items():
            assert _read(ws, name).equals(table), name
    finally:
        ws.close()


def test_a_failure_leaves_nothing_behind(tmp_path, key, monkeypatch):
    from kpgrowth.simulate import build as build_mod

    ws = Workspace.init(tmp_path / "w")
    calls = {"n": 0}
    real = build_mod.step_day

    def failing(w, day, coupon):
        calls["n"] += 1
        if day == 3:
            raise RuntimeError("boom")
        real(w, day, coupon)

    monkeypatch.setattr(build_mod, "step_day", failing)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            simulate(ws, **TINY)
        assert all(ws.store.count(n) == 0 for n in CANONICAL)
        assert not any(ws.store.has_table(n) for n in TRUTH_TABLES)
    finally:
        ws.close()


@pytest.mark.parametrize("kw, message", [
    ({"users": 5}, "'users' parameter of simulate must be an int >= 10"),
    ({"users": 2.5}, "'users' parameter"),
    ({"days": 0}, "'days' parameter"),
    ({"seed": -1}, "'seed' parameter"),
    ({"start": "01/02/2026"}, "'start' parameter"),
])
def test_bad_parameters_are_input_errors(tmp_path, kw, message):
    ws = Workspace.init(tmp_path / "w")
    try:
        with pytest.raises(InputError, match=message):
            simulate(ws, **kw)
    finally:
        ws.close()


def test_result_object(sim):
    _, res = sim
    assert isinstance(res, SimulationResult)
    assert res.seed == 7 and res.params["users"] == 3000 and res.params["days"] == 45
    assert res.elapsed > 0 and res.events_per_second > 0
    d = res.to_dict()
    json.dumps(d)
    frame = res.to_frame()
    assert set(frame.table) == set(res.counts) and set(frame.kind) == {"canonical", "truth"}
    assert sum(x["events"] for x in res.daily) == res.counts["events"]
    fig = res.figure()
    assert fig.layout.title.text.startswith("Simulated events per day")


def test_parquet_staging_append_both_paths(tmp_path):
    """The store's append_parquet (used to stage events) lands rows on DuckDB and via the generic path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kpgrowth.schema import TABLES
    from kpgrowth.store import Batch, conform, connect

    store = connect("duckdb://:memory:")
    paths = []
    for i in range(2):
        t = conform(TABLES["edges"], pa.table({"src": [f"a{i}"], "dst": ["b"], "kind": ["follow"]}))
        paths.append(str(tmp_path / f"e{i}.parquet"))
        pq.write_table(t, paths[-1])
    with store.batch() as b:
        assert b.append_parquet("edges", paths) == 2
        assert Batch.append_parquet(b, "edges", paths[:1]) == 1
        assert b.append_parquet("edges", []) == 0
    assert store.to_pyarrow("edges").column("src").to_pylist() == ["a0", "a1", "a0"]

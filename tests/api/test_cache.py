"""Workspace info is computed once and reused until the store changes."""

from __future__ import annotations

import pytest

import kpgrowth.info
from kpgrowth.ingest import ingest_rows

PRODUCT = {"product_id": "cache1", "kind": "course", "title": "t", "price": "9"}


@pytest.fixture()
def calls(monkeypatch):
    seen = []
    real = kpgrowth.info.workspace_info

    def counting(ws):
        seen.append(1)
        return real(ws)

    monkeypatch.setattr(kpgrowth.info, "workspace_info", counting)
    return seen


def _products(api) -> int:
    return next(t["rows"] for t in api.get("/v1/workspace").json()["tables"]
                if t["table"] == "products")


def test_info_is_computed_once_while_nothing_changes(api, calls):
    first = api.get("/v1/workspace").content
    for _ in range(5):
        assert api.get("/v1/workspace").content == first
    api.get("/v1/tables")
    assert len(calls) == 1


def test_ingest_through_the_api_invalidates(api, calls):
    n = _products(api)
    api.post("/v1/tables/products/rows", json={"rows": [PRODUCT]})
    assert _products(api) == n + 1 and len(calls) == 2


def test_writes_outside_the_api_are_noticed(api, calls):
    n = _products(api)
    ingest_rows(api.ws, "products", [PRODUCT])  # e.g. a dashboard upload, not via the gate
    assert _products(api) == n + 1 and len(calls) == 2


def test_gate_fingerprint_without_a_file(api):
    from kpgrowth.api.cache import StoreGate

    gate = StoreGate(api.ws)
    gate._files = []  # a store without a local file (Spark): time-bucketed, bumped by writes
    fp = gate.fingerprint()
    gate.invalidate()
    assert gate.fingerprint() != fp

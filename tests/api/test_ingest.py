"""POST /v1/tables/{table}/rows: validation, quarantine, idempotency, limits, cache invalidation."""

from __future__ import annotations

import json

ORDERS = [{"order_id": f"api{i}", "ts": "2026-01-05 10:00", "product_id": "c1",
           "amount": 99 + i, "status": "paid"} for i in range(5)]


def _count(api, table: str) -> int:
    return next(t["rows"] for t in api.get("/v1/tables").json()["tables"] if t["table"] == table)


def test_ingest_lands_rows_once(api):
    before = _count(api, "orders")
    r = api.post("/v1/tables/orders/rows", json={"rows": ORDERS})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows_read"], body["landed"], body["duplicates"], body["quarantined"]) == \
        (5, 5, 0, 0)
    assert _count(api, "orders") == before + 5  # the cached info was invalidated
    again = api.post("/v1/tables/orders/rows", json={"rows": ORDERS}).json()
    assert again["landed"] == 0 and again["skipped_as_already_ingested"]
    assert again["batch_id"] == body["batch_id"]
    shuffled = api.post("/v1/tables/orders/rows", json={"rows": ORDERS[::-1]}).json()
    assert (shuffled["landed"], shuffled["duplicates"]) == (0, 5)  # another batch, same keys
    assert _count(api, "orders") == before + 5


def test_bad_rows_go_to_quarantine_with_reasons(api):
    rows = [dict(ORDERS[0], order_id="ok1"),
            dict(ORDERS[0], order_id="bad1", amount=-5),
            dict(ORDERS[0], order_id="bad2", ts="yesterday-ish"),
            dict(ORDERS[0], order_id="bad3", status="stolen")]
    body = api.post("/v1/tables/orders/rows", json={"rows": rows, "source": "shop-webhook"}).json()
    assert (body["landed"], body["quarantined"]) == (1, 3)
    reasons = {r["reason"]: r for r in body["top_reasons"]}
    assert reasons["must be >= 0 unless status is refunded"]["example"] == "shop-webhook:2"
    assert "not a valid timestamp" in reasons
    listed = api.get(f"/v1/quarantine?batch_id={body['batch_id']}").json()["rows"]
    assert {(q["line"], q["column_name"]) for q in listed} == \
        {(2, "amount"), (3, "ts"), (4, "status")}
    assert json.loads(listed[0]["row"])["order_id"].startswith("bad")
    info = api.get("/v1/workspace").json()
    assert any(q["table"] == "orders" for q in info["quarantine"])


def test_unknown_or_closed_table_is_404(api):
    r = api.post("/v1/tables/order/rows", json={"rows": ORDERS})
    assert r.status_code == 404 and "did you mean 'orders'" in r.json()["detail"]
    assert api.post("/v1/tables/quarantine/rows", json={"rows": ORDERS}).status_code == 404


def test_missing_required_columns_is_422(api):
    r = api.post("/v1/tables/orders/rows", json={"rows": [{"order_id": "x"}]})
    assert r.status_code == 422 and r.json()["type"] == "/problems/missing-columns"


def test_strict_body(api):
    cases = [({"rows": []}, "rows"), ({"rows": "x"}, "rows"), ({}, "rows"),
             ({"rows": [{"a": {"nested": 1}}]}, "rows.0.a"),
             ({"rows": ORDERS, "source": False}, "source"),
             ({"rows": ORDERS, "limit": False}, "limit")]
    for body, field in cases:
        r = api.post("/v1/tables/orders/rows", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"].startswith(field), (body, r.json())
    r = api.post("/v1/tables/orders/rows", content=b"{not json",
                 headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_body_over_the_limit_is_413(api):
    from kpgrowth.api.app import MAX_BODY_BYTES

    big = b'{"rows": [{"order_id": "' + b"x" * MAX_BODY_BYTES + b'"}]}'
    r = api.post("/v1/tables/orders/rows", content=big,
                 headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["type"] == "/problems/too-large"

    def chunks():  # no Content-Length: counted while streaming
        yield b'{"rows": [{"order_id": "'
        for _ in range(MAX_BODY_BYTES // (1 << 20) + 1):
            yield b"x" * (1 << 20)
        yield b'"}]}'

    r = api.post("/v1/tables/orders/rows", content=chunks(),
                 headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_ingest_needs_analyst_and_works_for_admin(api):
    batch = {"rows": ORDERS[:1]}
    assert api.post("/v1/tables/orders/rows", "viewer", json=batch).status_code == 403
    assert api.post("/v1/tables/orders/rows", "admin", json=batch).json()["landed"] == 1

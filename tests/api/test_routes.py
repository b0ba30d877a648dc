"""Reading routes: workspace info, tables, paged rows, quarantine, keys."""

from __future__ import annotations

import datetime as dt

import pytest

from kpgrowth.keys import verify_key


def test_workspace_info_matches_the_library(api):
    from kpgrowth.info import workspace_info

    body = api.get("/v1/workspace").json()
    lib = workspace_info(api.ws)
    assert {t["table"]: t["rows"] for t in body["tables"]} == \
        {t["table"]: t["rows"] for t in lib.tables}
    assert body["empty"] is False and body["batches"] == lib.batches
    orders = next(t for t in body["tables"] if t["table"] == "orders")
    assert dt.datetime.fromisoformat(orders["first"]).tzinfo is not None


def test_tables_list_with_counts(api):
    tables = {t["table"]: t for t in api.get("/v1/tables").json()["tables"]}
    assert tables["users"]["rows"] == 300 and tables["users"]["canonical"]
    assert tables["orders"]["ingestible"] and not tables["quarantine"]["ingestible"]
    assert any(name.startswith("truth_") and not t["canonical"] for name, t in tables.items())


def test_rows_pages_are_stable_ordered_and_json_safe(api):
    total = api.get("/v1/tables/orders/rows?limit=1").json()["total"]
    assert total > 5
    seen, offset = [], 0
    while offset is not None:
        page = api.get(f"/v1/tables/orders/rows?limit=7&offset={offset}").json()
        assert page["key"] == ["order_id"] and len(page["rows"]) <= 7
        seen += [r["order_id"] for r in page["rows"]]
        offset = page["next_offset"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == total
    row = api.get("/v1/tables/orders/rows?limit=1").json()["rows"][0]
    assert isinstance(row["amount"], float)  # decimal money as a JSON number
    assert dt.datetime.fromisoformat(row["ts"]).utcoffset() == dt.timedelta(0)


def test_rows_of_a_truth_table_and_past_the_end(api):
    name = next(t["table"] for t in api.get("/v1/tables").json()["tables"]
                if t["table"].startswith("truth_"))
    assert api.get(f"/v1/tables/{name}/rows?limit=2").status_code == 200
    page = api.get("/v1/tables/orders/rows?offset=100000").json()
    assert page["rows"] == [] and page["next_offset"] is None


def test_unknown_table_is_404_with_the_closest_name(api):
    r = api.get("/v1/tables/order/rows")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert "did you mean 'orders'" in r.json()["detail"]
    assert api.get("/v1/tables/_batches/rows").status_code == 404  # internal tables stay hidden


@pytest.mark.parametrize("query,field", [("limit=1001", "query.limit"), ("limit=0", "query.limit"),
                                         ("limit=false", "query.limit"),
                                         ("offset=-1", "query.offset")])
def test_bad_paging_is_422_naming_the_field(api, query, field):
    r = api.get(f"/v1/tables/orders/rows?{query}")
    assert r.status_code == 422 and r.json()["field"] == field
    assert r.json()["type"] == "/problems/invalid-request"


def test_quarantine_listing_filters_and_pages(api):
    bad = {"rows": [{"product_id": f"q{i}", "kind": "podcast", "title": "t", "price": "-1"}
                    for i in range(3)]}
    batch = api.post("/v1/tables/products/rows", json=bad).json()["batch_id"]
    page = api.get(f"/v1/quarantine?batch_id={batch}&limit=4").json()
    assert len(page["rows"]) == 4 and page["next_offset"] == 4  # 3 rows x 2 problems
    rest = api.get(f"/v1/quarantine?batch_id={batch}&limit=4&offset=4").json()
    assert len(rest["rows"]) == 2 and rest["next_offset"] is None
    row = page["rows"][0]
    assert row["table_name"] == "products" and row["file"] == "api" and row["line"] == 1
    assert {r["reason"] for r in page["rows"] + rest["rows"]} == \
        {"must be >= 0", "not one of the allowed values"}
    assert api.get("/v1/quarantine?table=orders").json()["rows"] == []
    r = api.get("/v1/quarantine?table=nope")
    assert r.status_code == 422 and r.json()["field"] == "query.table"


def test_keys_list_create_revoke(api):
    listed = api.get("/v1/keys", "admin").json()["keys"]
    assert {k["role"] for k in listed} == {"viewer", "analyst", "admin"}
    assert all("key" not in k and "sha256" not in k for k in listed)
    r = api.post("/v1/keys", "admin", json={"role": "viewer", "name": "bi"})
    assert r.status_code == 201
    created = r.json()
    assert verify_key(api.root, created["key"]).role == "viewer"
    assert api.client.get("/v1/workspace",
                          headers={"Authorization": f"Bearer {created['key']}"}).status_code == 200
    r = api.client.delete(f"/v1/keys/{created['key_id']}", headers=api.auth("admin"))
    assert r.json()["revoked"] is True
    assert api.client.delete("/v1/keys/00000000", headers=api.auth("admin")).status_code == 404
    assert api.client.delete("/v1/keys/NOPE", headers=api.auth("admin")).status_code == 422


@pytest.mark.parametrize("body,field", [({"role": "viewer", "name": False}, "name"),
                                        ({"role": "root"}, "role"),
                                        ({"role": "viewer", "extra": 1}, "extra"),
                                        ({}, "role")])
def test_strict_models_refuse_coercion(api, body, field):
    r = api.post("/v1/keys", "admin", json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_every_route_documents_its_statuses(api):
    spec = api.client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert codes & {"200", "201", "204"}, (method, path)
            assert path == "/v1/health" or "401" in codes, (method, path)
            assert "requestBody" not in op or {"413", "422"} <= codes, (method, path)
            assert "parameters" not in op or "422" in codes, (method, path)
            for code, resp in op["responses"].items():
                if code >= "400":
                    assert "application/problem+json" in resp["content"], (method, path, code)
            ok = op["responses"].get("200") or op["responses"].get("201")
            if ok:  # response_model: a named schema, not "any object"
                assert "$ref" in ok["content"]["application/json"]["schema"], (method, path)

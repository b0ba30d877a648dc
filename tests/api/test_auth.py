"""Keys, roles, sessions and CSRF."""

from __future__ import annotations

import pytest

from kpgrowth.api.deps import CSRF_HEADER, SESSION_COOKIE
from kpgrowth.keys import revoke_key

PROBLEM = "application/problem+json"
READS = ["/v1/workspace", "/v1/tables", "/v1/tables/orders/rows", "/v1/quarantine",
         "/v1/session"]
BATCH = {"rows": [{"product_id": "csrf1", "kind": "course", "title": "t", "price": "9"}]}


def _problem(r, status: int, slug: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == f"/problems/{slug}" and body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize("path", READS + ["/v1/keys"])
def test_no_key_is_401(api, path):
    r = api.client.get(path)
    _problem(r, 401, "unauthenticated")
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("token", ["", "kp_nope_nope", "not-a-key", "kp_" + "a" * 300])
def test_bad_key_is_401(api, token):
    _problem(api.client.get("/v1/workspace", headers={"Authorization": f"Bearer {token}"}),
             401, "unauthenticated")


def test_health_needs_no_key(api):
    assert api.client.get("/v1/health").json()["status"] == "ok"


@pytest.mark.parametrize("path", READS)
def test_every_role_reads(api, path):
    for role in ("viewer", "analyst", "admin"):
        assert api.get(path, role).status_code == 200


def test_x_api_key_header_works(api):
    r = api.client.get("/v1/session", headers={"X-API-Key": api.keys["viewer"]})
    assert r.json()["role"] == "viewer" and r.json()["csrf_token"] is None


def test_wrong_role_is_403(api):
    body = _problem(api.post("/v1/tables/products/rows", "viewer", json=BATCH), 403, "forbidden")
    assert "analyst" in body["detail"] and "viewer" in body["detail"]
    _problem(api.get("/v1/keys", "analyst"), 403, "forbidden")
    _problem(api.post("/v1/keys", "analyst", json={"role": "admin"}), 403, "forbidden")
    _problem(api.client.delete("/v1/keys/00000000", headers=api.auth("viewer")), 403, "forbidden")
    _problem(api.get("/v1/tables/identities/rows", "analyst"), 403, "forbidden")
    assert api.get("/v1/tables/identities/rows", "admin").status_code == 200


def test_revoked_key_is_401_at_once(api):
    assert api.get("/v1/workspace").status_code == 200
    key_id = api.keys["viewer"].split("_")[1]
    revoke_key(api.root, key_id)
    _problem(api.get("/v1/workspace"), 401, "unauthenticated")


def test_revoke_over_http(api):
    key_id = api.keys["analyst"].split("_")[1]
    r = api.client.delete(f"/v1/keys/{key_id}", headers=api.auth("admin"))
    assert r.status_code == 200 and r.json()["revoked"] is True and r.json()["revoked_at"]
    _problem(api.get("/v1/workspace", "analyst"), 401, "unauthenticated")


def _login(api, role: str) -> str:
    r = api.client.post("/v1/session", json={"key": api.keys[role]})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == role
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on the test server
    return r.json()["csrf_token"]


def test_session_login_whoami_logout(api):
    csrf = _login(api, "viewer")
    me = api.client.get("/v1/session").json()  # the cookie alone authenticates reads
    assert me["role"] == "viewer" and me["csrf_token"] == csrf
    assert api.client.get("/v1/workspace").status_code == 200
    _problem(api.client.delete("/v1/session"), 403, "forbidden")  # a change: needs CSRF
    r = api.client.delete("/v1/session", headers={CSRF_HEADER: csrf})
    assert r.status_code == 204 and f'{SESSION_COOKIE}=""' in r.headers["set-cookie"]
    _problem(api.client.get("/v1/workspace"), 401, "unauthenticated")


def test_login_with_bad_key_is_401(api):
    _problem(api.client.post("/v1/session", json={"key": "kp_x_y"}), 401, "unauthenticated")
    assert SESSION_COOKIE not in api.client.cookies


def test_csrf_on_cookie_sessions(api):
    csrf = _login(api, "analyst")
    _problem(api.client.post("/v1/tables/products/rows", json=BATCH), 403, "forbidden")
    _problem(api.client.post("/v1/tables/products/rows", json=BATCH,
                             headers={CSRF_HEADER: "wrong"}), 403, "forbidden")
    r = api.client.post("/v1/tables/products/rows", json=BATCH, headers={CSRF_HEADER: csrf})
    assert r.status_code == 200 and r.json()["landed"] == 1


def test_tampered_or_foreign_cookie_is_401(api):
    _login(api, "viewer")
    value = api.client.cookies[SESSION_COOKIE]
    api.client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    _problem(api.client.get("/v1/workspace"), 401, "unauthenticated")


def test_revoking_a_key_ends_its_sessions(api):
    _login(api, "viewer")
    assert api.client.get("/v1/workspace").status_code == 200
    revoke_key(api.root, api.keys["viewer"].split("_")[1])
    _problem(api.client.get("/v1/workspace"), 401, "unauthenticated")

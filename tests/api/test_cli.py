"""`kpgrowth api`, `kpgrowth keys` and `kpgrowth serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import run_cli as _run


def test_api_get_without_key_is_local_admin(api, capsys):
    assert _run(["api", str(api.root), "GET", "/v1/session"]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "admin"
    assert _run(["api", str(api.root), "GET", "/v1/tables/orders/rows?limit=2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["rows"]) == 2


def test_api_with_key_and_error_exit(api, capsys, monkeypatch):
    assert _run(["api", str(api.root), "GET", "/v1/keys", "--key", api.keys["viewer"]]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == 403
    monkeypatch.setenv("KPGROWTH_API_KEY", api.keys["admin"])
    assert _run(["api", str(api.root), "GET", "/v1/keys"]) == 0
    assert len(json.loads(capsys.readouterr().out)["keys"]) == 3
    assert _run(["api", str(api.root), "GET", "/v1/tables/order/rows"]) == 1
    assert "did you mean 'orders'" in capsys.readouterr().out


def test_api_post_data_inline_and_from_file(api, capsys, tmp_path):
    api.ws.close()  # the command opens the workspace itself
    rows = {"rows": [{"product_id": "cli1", "kind": "course", "title": "t", "price": "9"}]}
    assert _run(["api", str(api.root), "POST", "/v1/tables/products/rows",
                 "--data", json.dumps(rows)]) == 0
    assert json.loads(capsys.readouterr().out)["landed"] == 1
    f = tmp_path / "batch.json"
    f.write_text(json.dumps(rows), encoding="utf-8")
    assert _run(["api", str(api.root), "POST", "/v1/tables/products/rows", "--data", f"@{f}"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped_as_already_ingested"] is True
    assert _run(["api", str(api.root), "POST", "/v1/keys", "--data", "{nope"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert _run(["api", str(api.root), "FETCH", "/v1/keys"]) == 2


def test_keys_commands(api, capsys):
    api.ws.close()
    assert _run(["keys", "create", str(api.root), "--role", "analyst", "--name", "etl"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("kp_")
    assert _run(["keys", "list", str(api.root)]) == 0
    listing = capsys.readouterr().out
    assert "etl" in listing and key.split("_")[1] in listing and key not in listing
    assert _run(["keys", "revoke", str(api.root), key.split("_")[1]]) == 0
    assert _run(["api", str(api.root), "GET", "/v1/workspace", "--key", key]) == 1
    assert _run(["keys", "create", str(api.root), "--role", "root"]) == 2
    assert _run(["keys", "revoke", str(api.root), "ffffffff"]) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_localhost(api):
    api.ws.close()  # the server process opens the store
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kpgrowth", "serve", str(api.root),
                             "--port", str(port), "--no-access-log"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "NO_COLOR": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"{url}/v1/health", timeout=2).json()["status"] == "ok"
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"server did not start: {proc.stderr.read()[-2000:]!r}")
                time.sleep(0.2)
        # the first call computes counts and date ranges: allow for a loaded CI machine
        r = httpx.get(f"{url}/v1/workspace", headers={"X-API-Key": api.keys["viewer"]},
                      timeout=60)
        assert r.status_code == 200 and r.json()["empty"] is False
        assert httpx.get(f"{url}/v1/workspace", timeout=30).status_code == 401  # no local admin
    finally:
        proc.terminate()
        proc.wait(timeout=10)

"""One REST API request in-process, without a server (``kpgrowth api DIR GET /v1/...``).

Without a key the request runs as a local admin: whoever can run this in-process
client can open the workspace folder anyway. A server (``kpgrowth serve``) never
does this: it always needs a key or a session.

Examples
--------
>>> import tempfile, pathlib
>>> from kpgrowth.workspace import Workspace
>>> root = pathlib.Path(tempfile.mkdtemp()) / "w"
>>> Workspace.init(root).close()
>>> call(root, "GET", "/v1/session")[1]["role"]
'admin'
>>> status, body = call(root, "GET", "/v1/workspace", key="kp_bad_key")
>>> status, body["type"]
(401, '/problems/unauthenticated')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpgrowth.errors import InputError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def call(root: str | Path, method: str, path: str, *, json_body: Any = None,
         key: str | None = None) -> tuple[int, Any]:
    """Send one request to the app serving ``root``; return ``(status, JSON body or None)``."""
    import warnings

    from kpgrowth.api.app import create_app
    from kpgrowth.api.deps import Principal
    from kpgrowth.workspace import Workspace

    method = method.upper()
    if method not in METHODS:
        raise InputError(f"unknown HTTP method {method!r}", hint=f"use one of {', '.join(METHODS)}")
    if not path.startswith("/"):
        raise InputError(f"the path must start with '/', got {path!r}", hint="e.g. /v1/workspace")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

    with Workspace.open(root) as ws:
        app = create_app(root, workspace=ws)
        if not key:
            app.state.local_principal = Principal("local", "admin", "local")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        with TestClient(app, raise_server_exceptions=False) as client:
            r = client.request(method, path, json=json_body, headers=headers)
    try:
        return r.status_code, r.json() if r.content else None
    except ValueError:
        return r.status_code, r.text

"""Dashboard fixtures: simulated and empty workspaces with keys, in-process clients, a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pytest
from fastapi.testclient import TestClient

from kpgrowth.api.app import create_app
from kpgrowth.keys import create_key
from kpgrowth.simulate import simulate
from kpgrowth.workspace import Workspace


@dataclass
class Site:
    """A workspace folder with an analyst and a viewer key."""

    root: Path
    analyst: str
    viewer: str


def make_site(root: Path, *, simulated: bool) -> Site:
    ws = Workspace.init(root)
    if simulated:
        simulate(ws, users=500, days=21, seed=3)
    ws.close()
    return Site(root, create_key(root, "analyst", name="test").key,
                create_key(root, "viewer", name="test").key)


@pytest.fixture(scope="session")
def sim_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A small simulated business for in-process tests."""
    return make_site(tmp_path_factory.mktemp("web") / "sim", simulated=True)


@pytest.fixture()
def empty_site(tmp_path: Path) -> Site:
    return make_site(tmp_path / "empty", simulated=False)


def login(client: TestClient, key: str) -> str:
    """Log ``client`` in with ``key``; return the CSRF token."""
    r = client.post("/v1/session", json={"key": key})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


@pytest.fixture(scope="session")
def sim_app(sim_site: Site):
    return create_app(sim_site.root)


@pytest.fixture()
def client(sim_app) -> Iterator[TestClient]:
    """A fresh (logged-out) client of the simulated workspace's app."""
    with TestClient(sim_app) as c:
        yield c


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a background thread."""

    def __init__(self, app) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

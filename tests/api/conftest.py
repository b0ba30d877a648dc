"""Fixtures for the REST API: a small simulated business, keys of each role, a client."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kpgrowth.keys import create_key
from kpgrowth.workspace import Workspace

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

ROLES = ("viewer", "analyst", "admin")


@dataclass
class Api:
    """A test client over an app serving ``root``, and one key per role."""

    root: Path
    ws: Workspace
    client: TestClient
    keys: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        """The Authorization header of the ``role`` key."""
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def get(self, path: str, role: str = "viewer", **kw) -> object:
        return self.client.get(path, headers={**self.auth(role), **kw.pop("headers", {})}, **kw)

    def post(self, path: str, role: str = "analyst", **kw) -> object:
        return self.client.post(path, headers={**self.auth(role), **kw.pop("headers", {})}, **kw)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A workspace with a simulated business (300 users, 14 days) and a key per role."""
    from kpgrowth.simulate import simulate

    root = tmp_path_factory.mktemp("api") / "ws"
    with Workspace.init(root) as ws:
        simulate(ws, users=300, days=14, seed=1)
    keys = {role: create_key(root, role, name=f"test {role}").key for role in ROLES}
    return root, keys


@pytest.fixture()
def api(template: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Api]:
    """A fresh copy of the template workspace served in-process."""
    from kpgrowth.api.app import create_app

    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    ws = Workspace.open(root)
    with TestClient(create_app(root, workspace=ws)) as client:
        yield Api(root, ws, client, dict(template[1]))
    ws.close()

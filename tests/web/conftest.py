"""Dashboard fixtures: simulated and empty workspaces with keys, in-process clients, a live server,
and real Chromium (``browser``, ``live_site``, ``page``) with screenshot helpers."""

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


# --- real Chromium (Debian /usr/bin/chromium through Playwright) ---

SHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
POINTS = """() => { const n = a => (Array.isArray(a) || ArrayBuffer.isView(a)) ? a.length : 0;
  return Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    d => d.data.reduce((sum, tr) => sum + Math.max(n(tr.x), n(tr.y)), 0)); }"""


@pytest.fixture(scope="session")
def browser(browser_ok: None) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    site = make_site(tmp_path_factory.mktemp("browser") / "sim", simulated=True)
    with LiveServer(create_app(site.root)) as server:
        yield site, server.url


@pytest.fixture()
def page(browser, request) -> Iterator[object]:
    """A fresh browser page; fails the test on any console error or page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    errors = list(pg.errors)
    context.close()
    assert not errors, f"browser errors: {errors}"


def _login(page, url: str, key: str) -> None:
    page.goto(f"{url}/")
    page.wait_for_url(f"{url}/login?next=/")
    page.fill("#key", key)
    page.click("#login-form button")
    page.wait_for_url(f"{url}/")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)

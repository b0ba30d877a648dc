"""The web dashboard: server-rendered pages (Jinja2) with Plotly charts, served at ``/``.

:func:`mount_web` adds it to the API app. Pages are listed in
:data:`kpgrowth.web.pages.PAGES`; adding one is a module with a router and a
:class:`~kpgrowth.web.registry.Page`, plus one line in that list.

Examples
--------
>>> import tempfile, pathlib
>>> from fastapi.testclient import TestClient
>>> from kpgrowth.api.app import create_app
>>> from kpgrowth.workspace import Workspace
>>> root = pathlib.Path(tempfile.mkdtemp()) / "w"
>>> Workspace.init(root).close()
>>> client = TestClient(create_app(root))
>>> r = client.get("/", follow_redirects=False)
>>> r.status_code, r.headers["location"]
(303, '/login?next=/')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI


def mount_web(app: FastAPI) -> None:
    """Add the dashboard's pages and static files to ``app``."""
    from fastapi.responses import RedirectResponse

    from kpgrowth.web import labels  # noqa: F401  (registers the labels)
    from kpgrowth.web.pages import PAGES, PUBLIC_ROUTERS
    from kpgrowth.web.render import NeedLogin

    if getattr(app.state, "gate", None) is None:  # the API's lock and cache over the store
        from kpgrowth.api.cache import StoreGate

        app.state.gate = StoreGate(app.state.workspace)
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    for page in PAGES:
        app.include_router(page.router)

    @app.exception_handler(NeedLogin)
    async def _login(request: object, exc: NeedLogin) -> RedirectResponse:
        return RedirectResponse(exc.login_url, status_code=303)

"""The FastAPI application: REST API under ``/v1`` (and, later, the dashboard at ``/``).

Examples
--------
>>> import tempfile, pathlib
>>> from fastapi.testclient import TestClient
>>> from kpgrowth.workspace import Workspace
>>> root = pathlib.Path(tempfile.mkdtemp()) / "w"
>>> Workspace.init(root).close()
>>> client = TestClient(create_app(root))
>>> client.get("/v1/health").json()["status"]
'ok'
>>> r = client.get("/v1/workspace")
>>> r.status_code, r.headers["content-type"]
(401, 'application/problem+json')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from kpgrowth import __version__
from kpgrowth.api.cache import StoreGate
from kpgrowth.api.problems import Problem, from_error, problem
from kpgrowth.errors import KpgrowthError
from kpgrowth.workspace import Workspace

MAX_BODY_BYTES = 20 * 1024 * 1024  # JSON batches and dashboard uploads

_SLUGS = {401: "unauthenticated", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type"}


class BodyLimit:
    """Refuse request bodies larger than ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, counting, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        resp = problem(413, "too-large", f"request body is larger than {self.limit} bytes")
        await resp(scope, receive, send)


class _TooLarge(BaseException):
    """Raised from ``receive``; a BaseException so that body parsers (FastAPI turns any
    Exception while reading JSON into a 400) let it through to :class:`BodyLimit`."""


def create_app(root: str | Path, *, workspace: Workspace | None = None) -> FastAPI:
    """Build the app serving the workspace at ``root``."""
    from kpgrowth.api.routes import ROUTERS

    ws = workspace or Workspace.open(root)
    app = FastAPI(title="kpgrowth", version=__version__,
                  description="REST API of kpgrowth, the growth engine for sellers of "
                              "knowledge products. Authenticate with `Authorization: Bearer kp_…` "
                              "(create keys with `kpgrowth keys create DIR --role analyst`).",
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.workspace = ws
    app.state.gate = StoreGate(ws)  # lock + cache: all store access goes through it
    app.openapi_schema = None
    for router in ROUTERS:
        app.include_router(router)
    from kpgrowth.web import mount_web

    mount_web(app)  # the dashboard at /

    @app.exception_handler(KpgrowthError)
    async def _library(request: Request, exc: KpgrowthError) -> Any:
        return from_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                   "message": e.get("msg", "")} for e in exc.errors()]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return problem(422, "invalid-request", f"{first['field']}: {first['message']}",
                       field=first["field"] or None, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 400 and str(exc.detail).startswith("There was an error parsing"):
            # FastAPI's answer to an undecodable body: bad input like malformed JSON (422)
            return problem(422, "invalid-request", "the request body is not valid UTF-8 JSON",
                           field="body")
        return problem(exc.status_code, _SLUGS.get(exc.status_code, "error"), str(exc.detail),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        return problem(500, "internal-error", "unexpected server error; see the server log")

    app.add_middleware(BodyLimit)
    _ = Problem  # registered through route `responses`
    return app

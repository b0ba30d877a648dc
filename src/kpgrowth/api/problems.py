"""Errors as ``application/problem+json`` (RFC 9457) with stable types.

Every error response has ``type`` (a stable URI reference such as
``/problems/invalid-input``), ``title``, ``status``, a human ``detail`` and, for
bad input, the offending ``field``. :data:`PROBLEM_RESPONSES` declares them in
OpenAPI so every status a route can return is documented.

Examples
--------
>>> r = problem(404, "not-found", "no table 'x'")
>>> r.status_code, r.media_type
(404, 'application/problem+json')
>>> import json; json.loads(r.body)["type"]
'/problems/not-found'
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kpgrowth.errors import (
    InputError, KpgrowthError, MissingDependencyError, NotFoundError, SchemaError, StoreError,
    WorkspaceError,
)

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Request too large",
    415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
    500: "Internal error", 501: "Not available", 503: "Store unavailable",
}


class Problem(BaseModel):
    """The body of every error response."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem(status: int, slug: str, detail: str, *, field: str | None = None,
            errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response."""
    body = Problem(type=f"/problems/{slug}", title=TITLES.get(status, "Error"), status=status,
                   detail=detail, field=field, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=MEDIA_TYPE, headers=headers)


def from_error(exc: KpgrowthError) -> JSONResponse:
    """Translate a library error into its problem response."""
    if isinstance(exc, SchemaError | NotFoundError):
        status = 404
    elif isinstance(exc, InputError):
        status = 422
    elif isinstance(exc, MissingDependencyError):
        status = 501
    elif isinstance(exc, StoreError):
        status = 503
    elif isinstance(exc, WorkspaceError):
        status = 409
    else:
        status = 400
    field = getattr(exc, "column", None)
    return problem(status, exc.type, str(exc), field=field)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for ``statuses``, each a problem+json body."""
    return {s: {"model": Problem, "description": TITLES.get(s, "Error"),
                "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for s in statuses}


#: statuses any authenticated route may return
AUTH_RESPONSES = responses(401, 403, 413, 422)

"""``GET /v1/workspace``: tables, row counts, date ranges, quarantine by reason (cached)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kpgrowth.api.cache import StoreGate
from kpgrowth.api.deps import GateDep, Viewer
from kpgrowth.api.problems import responses

router = APIRouter(prefix="/v1/workspace", tags=["workspace"])


class TableCount(BaseModel):
    table: str
    rows: int
    first: str | None = None
    last: str | None = None


class QuarantineCount(BaseModel):
    table: str
    reason: str
    rows: int


class WorkspaceInfoPublic(BaseModel):
    root: str
    backend: str
    tables: list[TableCount]
    quarantine: list[QuarantineCount]
    batches: int
    empty: bool


def info_model(gate: StoreGate) -> WorkspaceInfoPublic:
    """The workspace info, computed once per store state."""
    from kpgrowth.info import workspace_info

    def compute() -> WorkspaceInfoPublic:
        res = workspace_info(gate.ws)
        return WorkspaceInfoPublic(**res.to_dict(), empty=res.empty)

    return gate.cached("workspace_info", compute)


def _body(gate: StoreGate) -> bytes:
    return gate.cached("workspace_info.json",
                       lambda: info_model(gate).model_dump_json().encode("utf-8"))


@router.get("", response_model=WorkspaceInfoPublic, responses=responses(401, 403, 503),
            summary="Workspace info: tables, counts, date ranges, quarantine by reason")
async def info(gate: GateDep, who: Viewer) -> Response:
    body = gate.peek("workspace_info.json")  # the usual case: no thread hop, no query
    if body is None:
        body = await run_in_threadpool(_body, gate)
    return Response(body, media_type="application/json")

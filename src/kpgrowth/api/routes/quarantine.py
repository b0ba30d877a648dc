"""``GET /v1/quarantine``: rejected input rows with where (file, line, column) and why."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kpgrowth.api.deps import GateDep, Viewer
from kpgrowth.api.problems import responses
from kpgrowth.result import jsonable
from kpgrowth.schema import INGESTIBLE

router = APIRouter(prefix="/v1/quarantine", tags=["quarantine"])

IngestTable = Literal[INGESTIBLE]  # type: ignore[valid-type]


class QuarantinedRow(BaseModel):
    batch_id: str
    table_name: str
    file: str | None
    line: int | None
    column_name: str | None
    value: str | None
    reason: str
    row: str | None = Field(description="the rejected row as JSON text")
    quarantined_at: str


class QuarantinePage(BaseModel):
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")
    rows: list[QuarantinedRow]


@router.get("", response_model=QuarantinePage, responses=responses(401, 403, 422, 503),
            summary="Rejected rows, oldest first, one page at a time")
def list_rows(gate: GateDep, who: Viewer,
              table: Annotated[IngestTable | None, Query(description="only this table")] = None,
              batch_id: Annotated[str | None, Query(max_length=64, description="only this batch")]
              = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> QuarantinePage:
    from kpgrowth.ingest.quarantine import list_quarantine

    data = gate.read(list_quarantine, gate.ws, table=table, batch_id=batch_id,
                     limit=limit + 1, offset=offset).to_pylist()
    more = len(data) > limit
    return QuarantinePage(limit=limit, offset=offset, next_offset=offset + limit if more else None,
                          rows=[QuarantinedRow(**jsonable(r)) for r in data[:limit]])

"""Tables: list them with counts, page through their rows, ingest a JSON batch into one.

``POST /v1/tables/{table}/rows`` follows the same rules as ``kpgrowth ingest``
(:func:`kpgrowth.ingest.ingest_rows`): rows are validated, bad ones go to the
quarantine with a reason, the batch lands completely or not at all, and the
same batch sent twice lands once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from kpgrowth.api.deps import Analyst, GateDep, Viewer
from kpgrowth.api.problems import responses
from kpgrowth.api.routes.workspace import TableCount, info_model
from kpgrowth.browse import MAX_LIMIT
from kpgrowth.keys import allows
from kpgrowth.schema import INGESTIBLE, TABLES

router = APIRouter(prefix="/v1/tables", tags=["tables"])

TableName = Annotated[str, Path(min_length=1, max_length=100, description="a table, e.g. orders")]
Scalar = StrictStr | StrictInt | StrictFloat | StrictBool | None
ADMIN_ONLY = ("identities",)  # raw platform ids: only admins read them


class TablePublic(TableCount):
    canonical: bool = Field(description="part of the canonical data model")
    ingestible: bool = Field(description="accepts POST /v1/tables/{table}/rows")


class TableList(BaseModel):
    tables: list[TablePublic]


class TablePagePublic(BaseModel):
    table: str
    columns: list[str]
    key: list[str] = Field(description="the columns rows are ordered by")
    total: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")
    rows: list[dict[str, Any]]


class IngestBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    rows: list[dict[str, Scalar]] = Field(
        min_length=1, max_length=100_000,
        description="row objects with canonical column names; values are text, numbers, "
                    "booleans or null (parsed and validated like a CSV cell)")
    source: str = Field("api", min_length=1, max_length=200,
                        description="what the quarantine names as the file")


class ReasonPublic(BaseModel):
    reason: str
    count: int
    example: str = Field(description="first place it occurred, source:line")


class IngestPublic(BaseModel):
    table: str
    batch_id: str
    rows_read: int
    landed: int
    duplicates: int
    quarantined: int
    problems: int
    skipped_as_already_ingested: bool = Field(description="this exact batch was ingested before")
    ignored_columns: list[str]
    top_reasons: list[ReasonPublic]


@router.get("", response_model=TableList, responses=responses(401, 403, 503),
            summary="Tables with row counts and date ranges")
def list_tables(gate: GateDep, who: Viewer) -> TableList:
    info = info_model(gate)
    return TableList(tables=[TablePublic(**t.model_dump(), canonical=t.table in TABLES,
                                         ingestible=t.table in INGESTIBLE) for t in info.tables])


@router.get("/{table}/rows", response_model=TablePagePublic,
            responses=responses(401, 403, 404, 422, 503),
            summary="A page of a table's rows, ordered by the table's key")
def read_rows(table: TableName, gate: GateDep, who: Viewer,
              limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
              offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> TablePagePublic:
    from kpgrowth.browse import table_page

    if table in ADMIN_ONLY and not allows(who.role, "admin"):
        raise HTTPException(403, f"reading {table} needs the admin role (it holds raw ids); "
                                 f"your key has {who.role}")
    page = gate.read(table_page, gate.ws, table, limit=limit, offset=offset)
    return TablePagePublic(**page.to_dict())


@router.post("/{table}/rows", response_model=IngestPublic,
             responses=responses(401, 403, 404, 413, 422, 503),
             summary="Ingest a JSON batch: validate, quarantine bad rows, append the rest once")
def ingest(table: TableName, body: IngestBatch, gate: GateDep, who: Analyst) -> IngestPublic:
    from kpgrowth.ingest import ingest_rows

    res = gate.write(ingest_rows, gate.ws, table, list(body.rows), source=body.source)
    f = res.files[0]
    return IngestPublic(table=res.table, batch_id=f.batch_id, rows_read=f.rows_read,
                        landed=f.landed, duplicates=f.duplicates, quarantined=f.quarantined,
                        problems=f.problems,
                        skipped_as_already_ingested=f.skipped_as_already_ingested,
                        ignored_columns=f.ignored_columns,
                        top_reasons=[ReasonPublic(**vars(r)) for r in res.top_reasons])

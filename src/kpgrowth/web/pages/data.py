"""``/data``: tables with row counts and freshness, the quarantine browser, and file upload.

``POST /data/upload`` (analyst; CSRF token required) saves the uploaded file under
its own name in a temporary folder, calls :func:`kpgrowth.ingest.ingest` and
answers with an HTML fragment summarizing the result (the page inserts it).
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from kpgrowth.api.deps import Principal, require
from kpgrowth.errors import InputError, KpgrowthError
from kpgrowth.web.registry import Page
from kpgrowth.web.render import current_user, gate, lang_of, render, workspace

router = APIRouter(include_in_schema=False)
PAGE = Page("data", "/data", router)
PAGE_SIZE = 20


def _mappings() -> list[dict[str, str]]:
    from kpgrowth.ingest.mapping import list_builtin_mappings, load_mapping

    return [{"name": n, "table": load_mapping(n).table} for n in list_builtin_mappings()]


def _quarantine_page(ws: Any, info: Any, table: str | None, page: int) -> dict[str, Any]:
    from kpgrowth.ingest.quarantine import list_quarantine

    total = sum(q["rows"] for q in info.quarantine if table in (None, q["table"]))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = (list_quarantine(ws, table=table, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
            .to_pylist() if total else [])
    for row in rows:  # uploads live in a temporary folder: show the file's own name
        row["file_name"] = Path(row["file"]).name if row.get("file") else ""
    return {"rows": rows, "total": total, "page": page, "pages": pages,
            "tables": sorted({q["table"] for q in info.quarantine})}


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, qtable: str | None = None, page: int = 1) -> HTMLResponse:
    """Tables, freshness, quarantine (paged, filterable by table) and the upload form."""
    from kpgrowth.info import workspace_info
    from kpgrowth.report.present import table_rows
    from kpgrowth.schema import INGESTIBLE, TABLES

    user = current_user(request)
    lang = lang_of(request)
    ws = workspace(request)
    with gate(request).lock:
        info = gate(request).cached("web.info", lambda: workspace_info(ws))
        quarantine = _quarantine_page(ws, info, qtable or None, page)
    rows = table_rows(info, lang)
    ctx = {"info": info, "tables": [r for r in rows if r["table"] in TABLES],
           "extra_tables": [r for r in rows if r["table"] not in TABLES], "qtable": qtable or "",
           "quarantine": quarantine, "ingestible": INGESTIBLE, "mappings": _mappings(),
           "can_upload": user.role in ("analyst", "admin")}
    return render(request, "data.html.j2", ctx, user=user)


def _filename(name: str | None) -> str:
    """The uploaded file's own name, without any folder part (``upload`` if it has none).

    Examples
    --------
    >>> _filename("C:\\\\exports\\\\订单 3月.csv"), _filename("../../etc/passwd"), _filename("")
    ('订单 3月.csv', 'passwd', 'upload')
    """
    base = re.split(r"[\\\\/]", name or "")[-1].strip().lstrip(".")
    return base or "upload"


@router.post("/data/upload", response_class=HTMLResponse)
def upload(request: Request, who: Annotated[Principal, Depends(require("analyst"))],
           file: Annotated[UploadFile, File()], table: Annotated[str, Form()] = "",
           mapping: Annotated[str, Form()] = "") -> HTMLResponse:
    """Ingest one uploaded file; answer with the result summary (a fragment of the page)."""
    from kpgrowth.ingest import ingest
    from kpgrowth.ingest.mapping import load_mapping

    ws = workspace(request)
    try:
        if not table and mapping:
            table = load_mapping(mapping).table
        if not table:
            raise InputError("choose the table to ingest into")
        with tempfile.TemporaryDirectory(prefix="kpgrowth-upload-") as tmp:
            path = Path(tmp) / _filename(file.filename)
            with path.open("wb") as fh:
                shutil.copyfileobj(file.file, fh)
            result = gate(request).write(ingest, ws, table, [path], mapping=mapping or None)
    except KpgrowthError as exc:
        return render(request, "_ingest_result.html.j2", {"error": str(exc)}, user=who,
                      status=422)
    return render(request, "_ingest_result.html.j2",
                  {"result": result, "totals": result.totals, "error": None,
                   "reasons": [{"reason": r.reason, "count": r.count,
                                "example": Path(r.example).name} for r in result.top_reasons]},
                  user=who)

"""``GET /v1/workspace``: tables, row counts, date ranges, quarantine by reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kpgrowth.api.deps import Viewer, WorkspaceDep
from kpgrowth.api.problems import responses

router = APIRouter(prefix="/v1/workspace", tags=["workspace"])


@router.get("", responses=responses(401, 403), summary="Workspace info")
def info(ws: WorkspaceDep, who: Viewer) -> dict[str, Any]:
    from kpgrowth.info import workspace_info

    return workspace_info(ws).to_dict()

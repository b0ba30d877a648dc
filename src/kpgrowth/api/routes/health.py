"""``GET /v1/health``: liveness, no authentication."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from kpgrowth import __version__

router = APIRouter(prefix="/v1", tags=["health"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/health", response_model=Health, summary="Is the server up?")
def health() -> Health:
    return Health(status="ok", version=__version__)

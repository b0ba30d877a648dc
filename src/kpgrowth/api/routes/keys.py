"""API keys over HTTP (admin only): list, create (the key is shown once), revoke."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field

from kpgrowth.api.deps import Admin, WorkspaceDep
from kpgrowth.api.problems import responses
from kpgrowth.keys import create_key, list_keys, revoke_key

router = APIRouter(prefix="/v1/keys", tags=["keys"])

KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}$", description="the key's id (kp_<id>_…)")]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    role: Literal["viewer", "analyst", "admin"]
    name: str = Field("", max_length=100, description="who or what uses the key")


class KeyPublic(BaseModel):
    key_id: str
    role: str
    name: str
    created_at: str
    revoked: bool
    revoked_at: str | None = None


class KeyCreated(KeyPublic):
    key: str = Field(description="the key itself: shown only now, store it safely")


class KeyList(BaseModel):
    keys: list[KeyPublic]


@router.get("", response_model=KeyList, responses=responses(401, 403),
            summary="Every key (revoked ones included), oldest first")
def keys(ws: WorkspaceDep, who: Admin) -> KeyList:
    return KeyList(keys=[KeyPublic(**asdict(k)) for k in list_keys(ws.root)])


@router.post("", response_model=KeyCreated, status_code=201,
             responses=responses(401, 403, 413, 422), summary="Create a key")
def create(body: KeyCreate, ws: WorkspaceDep, who: Admin) -> KeyCreated:
    return KeyCreated(**asdict(create_key(ws.root, body.role, name=body.name)))


@router.delete("/{key_id}", response_model=KeyPublic, responses=responses(401, 403, 404, 422),
               summary="Revoke a key (it and its sessions stop working at once)")
def revoke(key_id: KeyId, ws: WorkspaceDep, who: Admin) -> KeyPublic:
    if key_id not in {k.key_id for k in list_keys(ws.root)}:
        raise HTTPException(404, f"no API key with id {key_id!r}")
    return KeyPublic(**asdict(revoke_key(ws.root, key_id)))

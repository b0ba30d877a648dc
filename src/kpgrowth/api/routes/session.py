"""Dashboard sessions: log in with an API key, get an HttpOnly SameSite cookie."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kpgrowth.api.deps import (
    SESSION_COOKIE, SESSION_MAX_AGE, Principal, WorkspaceDep, require, session_cookie,
)
from kpgrowth.api.problems import responses
from kpgrowth.keys import verify_key

router = APIRouter(prefix="/v1/session", tags=["session"])


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    key: str = Field(min_length=1, max_length=200, description="an API key, kp_…")


class SessionInfo(BaseModel):
    key_id: str
    role: str
    csrf_token: str | None = Field(None, description="send it as X-CSRF-Token on changes")


@router.post("", response_model=SessionInfo, responses=responses(401, 413, 422),
             summary="Log in with an API key (sets the session cookie)")
def login(body: Login, request: Request, response: Response, ws: WorkspaceDep) -> SessionInfo:
    key = verify_key(ws.root, body.key)
    if key is None:
        raise HTTPException(401, "unknown or revoked API key")
    value, csrf = session_cookie(ws.root, key)
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="strict", path="/", secure=request.url.scheme == "https")
    return SessionInfo(key_id=key.key_id, role=key.role, csrf_token=csrf)


@router.get("", response_model=SessionInfo, responses=responses(401, 403),
            summary="Who am I?")
def whoami(who: Principal = Depends(require("viewer"))) -> SessionInfo:
    return SessionInfo(key_id=who.key_id, role=who.role, csrf_token=who.csrf)


@router.delete("", status_code=204, response_model=None, responses=responses(401, 403),
               summary="Log out (clears the session cookie; with a cookie, send X-CSRF-Token)")
def logout(who: Principal = Depends(require("viewer"))) -> Response:
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

"""Dependencies shared by routes: the workspace, the caller and their role.

A caller authenticates with an API key (``Authorization: Bearer kp_…`` or
``X-API-Key: kp_…``) or, in the dashboard, with the session cookie that logging
in with a key sets (HttpOnly, SameSite=Strict, signed). State-changing requests
made with the cookie must echo the session's CSRF token in ``X-CSRF-Token`` (or a
``csrf_token`` form field); requests with a key need none — a key is not sent
by the browser on its own.

Without any credentials, an app built for ``kpgrowth api`` (never ``kpgrowth
serve``) acts as a local admin: ``app.state.local_principal`` is set only by that
in-process command.

Use in a route::

    @router.get("/things", dependencies=[Depends(require("viewer"))])
    def things(ws: WorkspaceDep): ...
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from kpgrowth.api.cache import StoreGate
from kpgrowth.keys import KeyInfo, allows, list_keys, verify_key
from kpgrowth.workspace import Workspace

SESSION_COOKIE = "kp_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_KEY_FILE = ".secret/session.key"
SESSION_MAX_AGE = 12 * 3600
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its role, and how it authenticated."""

    key_id: str
    role: str
    via: str  # "key", "session" or "local" (the in-process `kpgrowth api` command)
    csrf: str | None = None


async def get_workspace(request: Request) -> Workspace:
    """The workspace the app serves."""
    return request.app.state.workspace


async def get_gate(request: Request) -> StoreGate:
    """The app's gate to the store: every route reads and writes through it."""
    return request.app.state.gate


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
GateDep = Annotated[StoreGate, Depends(get_gate)]


def _serializer(root: Path) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    path = Path(root) / SESSION_KEY_FILE
    if not path.exists():
        import os

        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return URLSafeTimedSerializer(path.read_text().strip(), salt="kpgrowth-session")


def session_cookie(root: Path, key: KeyInfo) -> tuple[str, str]:
    """A signed session cookie value for ``key`` and its CSRF token."""
    csrf = secrets.token_urlsafe(24)
    return _serializer(root).dumps({"k": key.key_id, "c": csrf}), csrf


def _from_session(request: Request, root: Path) -> Principal | None:
    from itsdangerous import BadSignature

    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(root).loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    key = next((k for k in list_keys(root) if k.key_id == data.get("k")), None)
    if key is None or key.revoked:  # revoking a key ends its sessions
        return None
    return Principal(key.key_id, key.role, "session", data.get("c"))


def _from_key(request: Request, root: Path) -> Principal | None:
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    token = token or request.headers.get("x-api-key", "")
    if not token:
        return None
    key = verify_key(root, token)
    return Principal(key.key_id, key.role, "key") if key else None


def get_principal(request: Request) -> Principal | None:
    """The authenticated caller, or None."""
    root = request.app.state.workspace.root
    return (_from_key(request, root) or _from_session(request, root)
            or getattr(request.app.state, "local_principal", None))


async def _csrf_ok(request: Request, who: Principal) -> bool:
    if who.via != "session" or request.method in SAFE_METHODS:
        return True
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf_token")
    return bool(sent) and bool(who.csrf) and secrets.compare_digest(str(sent), who.csrf)


def require(role: str) -> Callable[..., Any]:
    """A dependency admitting callers whose role includes ``role`` (401 / 403 otherwise)."""

    async def dependency(request: Request) -> Principal:
        who = get_principal(request)
        if who is None:
            raise HTTPException(401, "authenticate with an API key (Authorization: Bearer kp_…) "
                                     "or log in to the dashboard",
                                headers={"WWW-Authenticate": "Bearer"})
        if not allows(who.role, role):
            raise HTTPException(403, f"this needs the {role} role; your key has {who.role}")
        if not await _csrf_ok(request, who):
            raise HTTPException(403, f"missing or wrong CSRF token (send it in {CSRF_HEADER})")
        request.state.principal = who
        return who

    return dependency


Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Admin = Annotated[Principal, Depends(require("admin"))]
